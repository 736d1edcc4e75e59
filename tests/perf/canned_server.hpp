#pragma once
// A loopback HTTP/1.1 server for allocation tests: plain POSIX sockets on its own thread, static
// buffers, one connection, the same canned response to every request. It allocates nothing after
// start-up, so a process-wide allocation counter sees only the client under test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

namespace bparb::perf {

class CannedServer {
 public:
  // `response` (status line, headers, body) must outlive the server.
  explicit CannedServer(std::string_view response) : response_(response) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 4) != 0)
      std::abort();
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (conn_fd_ >= 0) ::shutdown(conn_fd_, SHUT_RDWR);
    thread_.join();
    if (conn_fd_ >= 0) ::close(conn_fd_);
  }
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;

  int port() const { return port_; }
  int requests() const { return served_.load(); }
  // The last complete request's head (request line + headers), NUL-terminated; read after the client
  // has its answer (the server thread wrote it before answering).
  const char* last_head() const { return last_head_; }

 private:
  void serve() {
    conn_fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (conn_fd_ < 0) return;
    std::size_t have = 0;
    while (!stop_) {
      const ssize_t n = ::recv(conn_fd_, buf_ + have, sizeof buf_ - have - 1, 0);
      if (n <= 0) return;
      have += static_cast<std::size_t>(n);
      buf_[have] = '\0';
      for (;;) {  // every complete request in the buffer
        const char* end = std::strstr(buf_, "\r\n\r\n");
        if (end == nullptr) break;
        std::size_t body = 0;
        if (const char* cl = std::strstr(buf_, "Content-Length: "); cl != nullptr && cl < end)
          body = std::strtoul(cl + 16, nullptr, 10);
        const std::size_t head = static_cast<std::size_t>(end + 4 - buf_);
        const std::size_t total = head + body;
        if (have < total) break;
        const std::size_t keep = std::min(head, sizeof last_head_ - 1);
        std::memcpy(last_head_, buf_, keep);
        last_head_[keep] = '\0';
        std::memmove(buf_, buf_ + total, have - total);
        have -= total;
        buf_[have] = '\0';
        ++served_;  // before the answer: the client may read requests() as soon as it has it
        if (::send(conn_fd_, response_.data(), response_.size(), MSG_NOSIGNAL) < 0) return;
      }
    }
  }

  std::string_view response_;
  int listen_fd_ = -1;
  int conn_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  char buf_[16384];
  char last_head_[2048] = {};
  std::thread thread_;
};

}  // namespace bparb::perf
