#pragma once
// One HTTP GET to the daemon's operator port over a fresh loopback connection (plain sockets: no Beast to
// compile into the test files that use it), with a 2 s receive bound.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace bparb::testing {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// nullopt when nothing answered with an HTTP/1.1 status line.
inline std::optional<HttpAnswer> http_get(std::uint16_t port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::optional<HttpAnswer> out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      std::string raw;
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
      const std::size_t head = raw.find("\r\n\r\n");
      if (raw.starts_with("HTTP/1.1 ") && head != std::string::npos)
        out = HttpAnswer{std::atoi(raw.c_str() + 9), raw.substr(head + 4)};
    }
  }
  ::close(fd);
  return out;
}

}  // namespace bparb::testing
