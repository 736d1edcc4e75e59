#pragma once
// Internal to net/: the request bytes HttpClient writes itself instead of building a Beast message,
// whose header fields allocate one node each (≈10 allocations per order request).
#include <string>
#include <string_view>

#include "bparb/net/http_client.hpp"

namespace bparb::net::detail {

// True for requests that set Content-Length / Transfer-Encoding themselves, have an empty header
// name, a name or value over 60,000 chars, CR/LF in a header or a space/CR/LF in the target: those
// still go through Beast's serializer (cold paths only), so their bytes and errors stay exactly Beast's.
bool needs_beast_serializer(const HttpRequest& r) noexcept;

// Appends to `out` (cleared first; its capacity is reused, so no allocation once warm) exactly what
// Beast 1.74 serializes for the message HttpClient used to build: "METHOD target HTTP/1.1", Host,
// User-Agent, the caller's headers, Content-Type when non-empty, then prepare_payload()'s
// Content-Length (non-empty body, or POST/PUT), a blank line and the body. Beast's field rules are
// kept: values lose leading/trailing spaces and tabs, and a later header with the same name
// (case-insensitive) replaces an earlier one and takes the later position.
void write_request_wire(const HttpRequest& r, std::string_view host, std::string_view user_agent, std::string& out);

}  // namespace bparb::net::detail
