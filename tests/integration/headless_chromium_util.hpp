#pragma once
// A headless Chromium driven over its DevTools protocol (JSON messages on a WebSocket), for the live page
// test: it loads a page, evaluates JavaScript in it while the page's event stream stays open, and takes a
// screenshot. (`--dump-dom` and `--screenshot` act at the load event, before any live update; with a
// virtual time budget they wait for the network to go idle, which an open event stream never does.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "bparb/core/json_escape.hpp"
#include "child_process_util.hpp"

namespace bparb::testing {

class HeadlessChromium {
 public:
  HeadlessChromium() = default;
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;
  ~HeadlessChromium() { close(); }

  // Starts `binary` headless on `url` (window `width` x `height`) with the protocol on a free port, and
  // attaches to the page. Empty on success, else what failed.
  std::string start(const std::string& binary, const std::string& url, const std::filesystem::path& work_dir,
                    int width = 1400, int height = 1100) {
    const std::filesystem::path err = work_dir / "chromium.err";
    const std::string profile = (work_dir / "chromium-profile").string();
    const std::string size = "--window-size=" + std::to_string(width) + "," + std::to_string(height);
    const std::string data_dir = "--user-data-dir=" + profile;
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!std::freopen(err.c_str(), "w", stderr) || !std::freopen("/dev/null", "w", stdout)) ::_exit(127);
      ::execlp(binary.c_str(), binary.c_str(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", size.c_str(),
               data_dir.c_str(), url.c_str(), nullptr);
      ::_exit(127);
    }
    if (pid_ < 0) return "fork failed";
    // "DevTools listening on ws://127.0.0.1:<port>/devtools/browser/<id>" on stderr names the port.
    const std::string marker = "DevTools listening on ws://127.0.0.1:";
    std::uint16_t port = 0;
    for (int i = 0; i < 150 && port == 0; ++i) {
      const std::string text = slurp_file(err);
      if (const std::size_t at = text.find(marker); at != std::string::npos)
        port = static_cast<std::uint16_t>(std::atoi(text.c_str() + at + marker.size()));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (port == 0) return "no DevTools port on chromium's stderr: " + slurp_file(err);
    // The page's own endpoint, from the target list.
    std::string page_path;
    for (int i = 0; i < 100 && page_path.empty(); ++i) {
      page_path = page_target(port, url);
      if (page_path.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (page_path.empty()) return "no page target for " + url;
    boost::system::error_code ec;
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    ws_.next_layer().connect(ep, ec);
    if (ec) return "connect to DevTools: " + ec.message();
    timeval tv{10, 0};  // a browser that stops answering fails the test instead of hanging it
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ws_.handshake("127.0.0.1:" + std::to_string(port), page_path, ec);
    if (ec) return "DevTools handshake: " + ec.message();
    return {};
  }

  // The value of `expression` evaluated in the page, which must be a string; nullopt on an error.
  std::optional<std::string> evaluate_string(const std::string& expression) {
    std::string params = R"({"expression":")";
    json_escape_append(params, expression, Utf8Policy::kReplaceInvalid);
    params += R"(","returnByValue":true})";
    const std::optional<std::string> reply = call("Runtime.evaluate", params);
    if (!reply) return std::nullopt;
    simdjson::dom::parser parser;
    std::string_view value;
    if (parser.parse(*reply)["result"]["result"]["value"].get_string().get(value) != simdjson::SUCCESS)
      return std::nullopt;
    return std::string(value);
  }

  // A PNG of the page's viewport (the decoded bytes), or nullopt.
  std::optional<std::string> screenshot_png() {
    const std::optional<std::string> reply = call("Page.captureScreenshot", R"({"format":"png"})");
    if (!reply) return std::nullopt;
    simdjson::dom::parser parser;
    std::string_view b64;
    if (parser.parse(*reply)["result"]["data"].get_string().get(b64) != simdjson::SUCCESS || b64.size() % 4 != 0)
      return std::nullopt;
    std::string png(b64.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(png.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) return std::nullopt;
    std::size_t pad = 0;  // EVP_DecodeBlock counts the padding as zero bytes
    for (std::size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) ++pad;
    png.resize(static_cast<std::size_t>(n) - pad);
    return png;
  }

  // Ends the browser: asks it to close, kills it after 5 s.
  void close() {
    if (pid_ <= 0) return;
    if (ws_.is_open()) {
      boost::system::error_code ec;
      ws_.write(boost::asio::buffer(std::string(R"({"id":999999,"method":"Browser.close"})")), ec);
    }
    int st = 0;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }

 private:
  // Sends one command and reads until its answer (events in between are skipped); the answer's JSON.
  std::optional<std::string> call(const std::string& method, const std::string& params) {
    const int id = ++next_id_;
    const std::string msg =
        R"({"id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" + params + "}";
    boost::system::error_code ec;
    ws_.write(boost::asio::buffer(msg), ec);
    if (ec) return std::nullopt;
    const std::string want = R"({"id":)" + std::to_string(id) + ",";
    for (int i = 0; i < 1000; ++i) {
      boost::beast::flat_buffer buf;
      ws_.read(buf, ec);
      if (ec) return std::nullopt;
      std::string text = boost::beast::buffers_to_string(buf.data());
      if (text.starts_with(want)) return text;
    }
    return std::nullopt;
  }

  // The DevTools path ("/devtools/page/<id>") of the page target showing `url`, from GET /json/list.
  static std::string page_target(std::uint16_t port, const std::string& url) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string raw;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      const std::string req =
          "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
      if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        char b[4096];
        for (ssize_t n; (n = ::recv(fd, b, sizeof b, 0)) > 0;) raw.append(b, static_cast<std::size_t>(n));
      }
    }
    ::close(fd);
    const std::size_t body = raw.find("\r\n\r\n");
    if (body == std::string::npos) return {};
    simdjson::dom::parser parser;
    simdjson::dom::array targets;
    if (parser.parse(raw.substr(body + 4)).get_array().get(targets) != simdjson::SUCCESS) return {};
    for (simdjson::dom::element t : targets) {
      std::string_view type, target_url, ws_url;
      if (t["type"].get_string().get(type) || type != "page") continue;
      if (t["url"].get_string().get(target_url) || !target_url.starts_with(url)) continue;
      if (t["webSocketDebuggerUrl"].get_string().get(ws_url)) continue;
      const std::size_t path = ws_url.find("/devtools/");
      if (path != std::string_view::npos) return std::string(ws_url.substr(path));
    }
    return {};
  }

  pid_t pid_ = -1;
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{io_};
  int next_id_ = 0;
};

}  // namespace bparb::testing
