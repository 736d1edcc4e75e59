// HTTP/1.1 request bytes for HttpClient's order path without Beast's per-field allocations.
#include "request_wire.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace bparb::net::detail {

namespace {
bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Beast's detail::trim (rfc7230 OWS) applied by basic_fields::new_element to every value it stores.
std::string_view trim_ows(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Beast stores names and values behind 16-bit offsets and throws beyond; leave such sizes to it.
constexpr std::size_t kMaxFieldChars = 60000;

}  // namespace

bool needs_beast_serializer(const HttpRequest& r) noexcept {
  for (const auto& h : r.headers) {
    if (h.name.empty() || h.name.size() > kMaxFieldChars || h.value.size() > kMaxFieldChars) return true;
    if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding")) return true;
    if (h.name.find_first_of("\r\n") != std::string::npos || h.value.find_first_of("\r\n") != std::string::npos)
      return true;
  }
  return r.content_type.size() > kMaxFieldChars || r.content_type.find_first_of("\r\n") != std::string::npos ||
         r.target.find_first_of("\r\n ") != std::string::npos;
}

void write_request_wire(const HttpRequest& r, std::string_view host, std::string_view user_agent, std::string& out) {
  struct Field {
    std::string_view name;
    std::string_view value;
  };
  constexpr std::size_t kInline = 16;
  Field inline_fields[kInline];
  const std::size_t n = 2 + r.headers.size() + (r.content_type.empty() ? 0 : 1);
  std::vector<Field> heap_fields;  // only for requests with more than 13 headers (never the order path)
  Field* f = inline_fields;
  if (n > kInline) {
    heap_fields.resize(n);
    f = heap_fields.data();
  }
  std::size_t k = 0;
  f[k++] = {"Host", host};
  f[k++] = {"User-Agent", user_agent};
  for (const auto& h : r.headers) f[k++] = {h.name, h.value};
  if (!r.content_type.empty()) f[k++] = {"Content-Type", r.content_type};

  out.clear();
  out += to_string(r.method);
  out += ' ';
  out += r.target;
  out += " HTTP/1.1\r\n";
  for (std::size_t i = 0; i < k; ++i) {
    bool replaced = false;
    for (std::size_t j = i + 1; j < k && !replaced; ++j) replaced = iequals(f[i].name, f[j].name);
    if (replaced) continue;
    out += f[i].name;
    out += ": ";
    out += trim_ows(f[i].value);
    out += "\r\n";
  }
  // prepare_payload() for a string body: Content-Length when the body is non-empty or the method is
  // POST/PUT (Beast also counts OPTIONS, which HttpMethod does not have).
  if (!r.body.empty() || r.method == HttpMethod::kPost || r.method == HttpMethod::kPut) {
    char digits[24];
    const auto res = std::to_chars(digits, digits + sizeof digits, r.body.size());
    out += "Content-Length: ";
    out.append(digits, res.ptr);
    out += "\r\n";
  }
  out += "\r\n";
  out += r.body;
}

}  // namespace bparb::net::detail
