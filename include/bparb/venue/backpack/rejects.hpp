#pragma once
// What a Backpack error answer {"code","message"} means to the kernel. This is the one place where
// Backpack's codes and wordings are read; the table is docs/backpack.md §4. Several refusals share
// INVALID_CLIENT_REQUEST and differ only by their message.
#include <string_view>

#include "bparb/core/reject_class.hpp"

namespace bparb::backpack {

RejectClass classify_reject(std::string_view code, std::string_view message) noexcept;

}  // namespace bparb::backpack
