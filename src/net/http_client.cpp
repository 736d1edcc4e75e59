#include "bparb/net/http_client.hpp"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <new>
#include <optional>
#include <stdexcept>

#include "request_wire.hpp"
#include "tls_util.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace bparb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

const char* to_string(HttpMethod m) noexcept {
  switch (m) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kDelete:
      return "DELETE";
    case HttpMethod::kPatch:
      return "PATCH";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kHead:
      return "HEAD";
  }
  return "GET";
}

std::string_view HttpResponse::header(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (h.name.size() == name.size() && std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return h.value;
    }
  }
  return {};
}

namespace {

http::verb to_verb(HttpMethod m) noexcept {
  switch (m) {
    case HttpMethod::kGet:
      return http::verb::get;
    case HttpMethod::kPost:
      return http::verb::post;
    case HttpMethod::kDelete:
      return http::verb::delete_;
    case HttpMethod::kPatch:
      return http::verb::patch;
    case HttpMethod::kPut:
      return http::verb::put;
    case HttpMethod::kHead:
      return http::verb::head;
  }
  return http::verb::get;
}

bool default_retry_safe(HttpMethod m) noexcept {
  return m == HttpMethod::kGet || m == HttpMethod::kHead;
}

enum class Phase : std::uint8_t { kResolve, kConnect, kHandshake, kWrite, kRead };

// Per-connection memory that Beast's response fields (one node per header) and asio's operation
// objects (deadline timer, write, read) are taken from, so a warm request/response allocates nothing.
// Two size classes of fixed blocks with free lists: order-independent, and a request in flight needs
// at most a few operations plus one node per response header. Whatever is larger, or arrives when a
// class is exhausted, falls back to the heap, so an unusual response is slower, never wrong.
class Arena {
 public:
  explicit Arena(std::uint64_t& misses) : misses_(misses) {
    classes_[0].init(256, 64);  // header nodes: element + name + value
    classes_[1].init(2048, 8);  // asio/Beast/TLS operation objects wrapping our handlers
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(std::size_t n, std::size_t align) {
    if (align <= kBlockAlign) {
      for (auto& c : classes_) {
        if (n <= c.block && c.free != nullptr) return c.pop();
      }
    }
    ++misses_;
    return align > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? ::operator new(n, std::align_val_t(align)) : ::operator new(n);
  }
  void deallocate(void* p, std::size_t, std::size_t align) noexcept {
    for (auto& c : classes_) {
      if (c.owns(p)) return c.push(p);
    }
    if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator delete(p, std::align_val_t(align));
    ::operator delete(p);
  }

 private:
  static constexpr std::size_t kBlockAlign = alignof(std::max_align_t);
  struct Class {
    std::unique_ptr<std::byte[]> mem;
    std::size_t block = 0;
    std::size_t count = 0;
    void* free = nullptr;
    void init(std::size_t b, std::size_t n) {
      block = b;
      count = n;
      mem.reset(new std::byte[b * n]);  // operator new[] alignment covers max_align_t; b is a multiple
      for (std::size_t i = n; i-- > 0;) push(mem.get() + i * b);
    }
    bool owns(const void* p) const noexcept {
      const auto* b = static_cast<const std::byte*>(p);
      return b >= mem.get() && b < mem.get() + block * count;
    }
    // Under ASan a free block is poisoned (but for its free-list link), so a use after free is still
    // reported although the memory never goes back to the heap.
    void push(void* p) noexcept {
      *static_cast<void**>(p) = free;
      free = p;
#if defined(__SANITIZE_ADDRESS__)
      ASAN_POISON_MEMORY_REGION(static_cast<std::byte*>(p) + sizeof(void*), block - sizeof(void*));
#endif
    }
    void* pop() noexcept {
      void* p = free;
      free = *static_cast<void**>(p);
#if defined(__SANITIZE_ADDRESS__)
      ASAN_UNPOISON_MEMORY_REGION(p, block);
#endif
      return p;
    }
  };
  Class classes_[2];
  std::uint64_t& misses_;  // HttpCounters::pool_misses
};

template <class T>
struct ArenaAllocator {
  using value_type = T;
  Arena* arena;
  explicit ArenaAllocator(Arena* a) noexcept : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& o) noexcept : arena(o.arena) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(arena->allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { arena->deallocate(p, n * sizeof(T), alignof(T)); }
  template <class U>
  bool operator==(const ArenaAllocator<U>& o) const noexcept {
    return arena == o.arena;
  }
  template <class U>
  bool operator!=(const ArenaAllocator<U>& o) const noexcept {
    return arena != o.arena;
  }
};

// A completion handler whose operation memory asio takes from the connection's arena (asio asks a
// handler's associated allocator; the default would be its per-thread cache, which keeps one block
// and so allocates for the second operation in flight, e.g. the deadline timer next to the read).
template <class H>
struct ArenaHandler {
  using allocator_type = ArenaAllocator<void>;
  Arena* arena;
  H h;
  allocator_type get_allocator() const noexcept { return allocator_type(arena); }
  template <class... A>
  void operator()(A&&... a) {
    h(std::forward<A>(a)...);
  }
};
template <class H>
ArenaHandler<std::decay_t<H>> in_arena(Arena& a, H&& h) {
  return {&a, std::forward<H>(h)};
}

// The io_context's own executor type rather than any_io_executor (Beast's tcp_stream / asio's
// steady_timer default): the type-erased executor wraps every completion in an executor_function
// allocated from asio's per-thread one-block cache, which misses when two are alive at once; the
// concrete executor runs handlers directly and honours the handler's allocator when it must post.
using Executor = asio::io_context::executor_type;
using TcpStream = beast::basic_stream<tcp, Executor>;
using TlsStream = beast::ssl_stream<TcpStream>;
using Timer = asio::basic_waitable_timer<SteadyClock, asio::wait_traits<SteadyClock>, Executor>;
using ResponseParser = http::response_parser<http::string_body, ArenaAllocator<char>>;

// FIFO of waiting requests in a fixed ring (no allocation per request). push_front is for the one
// retry of a stale keep-alive request, so the ring has room for one per connection beyond max_queued.
template <class T>
class Ring {
 public:
  explicit Ring(std::size_t capacity) : slots_(std::max<std::size_t>(capacity, 1)) {}
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  bool full() const noexcept { return size_ == slots_.size(); }
  T& front() noexcept { return slots_[head_]; }
  void push_back(T&& v) {
    slots_[(head_ + size_) % slots_.size()] = std::move(v);
    ++size_;
  }
  void push_front(T&& v) {
    head_ = (head_ + slots_.size() - 1) % slots_.size();
    slots_[head_] = std::move(v);
    ++size_;
  }
  T take_front() {
    T v = std::move(slots_[head_]);
    slots_[head_] = T{};
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return v;
  }

 private:
  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace

class HttpClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  struct Pending {
    HttpRequest own;                    // request() moves the caller's request here
    const HttpRequest* lent = nullptr;  // request_lent(): the caller's, alive until the callback
    HttpCallback cb;
    SteadyClock::time_point deadline;
    std::uint32_t attempts = 0;
    const HttpRequest& req() const noexcept { return lent ? *lent : own; }
  };

  // One TCP (+TLS) connection; never reopened once closed (a fresh Conn replaces it).
  struct Conn {
    Conn(asio::io_context& ioc, std::uint64_t& pool_misses)
        : resolver(ioc), timer(ioc.get_executor()), arena(pool_misses) {}
    TcpStream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    std::unique_ptr<TcpStream> plain;
    std::unique_ptr<TlsStream> tls;
    tcp::resolver resolver;
    Timer timer;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;  // only for requests needs_beast_serializer() sends to Beast
    std::string wire;                      // the request bytes otherwise (capacity reused: no allocation)
    bool use_beast = false;
    Arena arena;
    std::optional<ResponseParser> parser;  // re-created per response; its fields live in `arena`
    std::optional<Pending> cur;
    // Handed to the callback by reference: valid until the callback returns. Its strings and header
    // vector keep their capacity, so a warm connection fills it without allocating.
    HttpResult result;
    Phase phase = Phase::kResolve;
    bool open = false;    // TCP (+TLS) established
    bool closed = false;  // torn down; ignore late completions
    bool reused = false;  // the current request runs on a connection that served an earlier one
    bool timed_out = false;
    bool maybe_sent = false;
    std::uint64_t op = 0;  // bumps per request so a late timer cannot hit the next request
    std::uint64_t served = 0;
  };
  using ConnPtr = std::shared_ptr<Conn>;

  Impl(asio::io_context& ioc, HttpClientOptions opts)
      : ioc_(ioc), opts_(std::move(opts)), queue_(opts_.max_queued + std::max<std::size_t>(opts_.max_connections, 1)) {
    auto url = parse_url(opts_.base_url);
    if (!url) throw std::invalid_argument("HttpClient: " + url.error());
    origin_ = std::move(*url);
    if (origin_.scheme != Scheme::kHttp && origin_.scheme != Scheme::kHttps) {
      throw std::invalid_argument("HttpClient: base_url must be http:// or https://, got '" + opts_.base_url + "'");
    }
    if (auto why = check_security(origin_, opts_.security); !why.empty()) {
      throw std::invalid_argument("HttpClient: " + why);
    }
    if (origin_.tls()) ssl_ = detail::make_client_tls_context(opts_.security);
    host_header_ = origin_.host_header();
    opts_.max_connections = std::max<std::size_t>(opts_.max_connections, 1);
    if (opts_.default_timeout_us <= 0) opts_.default_timeout_us = 10 * kUsPerSecond;
  }

  void request(HttpRequest req, HttpCallback cb) {
    Pending p;
    p.own = std::move(req);
    enqueue(std::move(p), std::move(cb));
  }

  void request_lent(const HttpRequest& req, HttpCallback cb) {
    Pending p;
    p.lent = &req;
    enqueue(std::move(p), std::move(cb));
  }

  void enqueue(Pending&& p, HttpCallback cb) {
    if (shut_) {
      post_failure(std::move(cb), TransportError::kCancelled, "client is shut down");
      return;
    }
    if (queue_.size() >= opts_.max_queued) {
      ++counters_.failures;
      post_failure(std::move(cb), TransportError::kQueueFull, "too many queued requests");
      return;
    }
    ++counters_.requests;
    const DurationUs t = p.req().timeout_us > 0 ? p.req().timeout_us : opts_.default_timeout_us;
    p.cb = std::move(cb);
    p.deadline = SteadyClock::now() + std::chrono::microseconds(t);
    queue_.push_back(std::move(p));
    // Dispatch from a fresh handler so request() never calls back synchronously.
    if (!dispatch_posted_) {
      dispatch_posted_ = true;
      asio::post(ioc_.get_executor(), in_arena(post_arena_, [self = shared_from_this()] {
                   self->dispatch_posted_ = false;
                   self->dispatch();
                 }));
    }
  }

  void shutdown(bool notify) {
    if (!notify) silent_ = true;
    if (shut_) return;
    shut_ = true;
    for (auto& c : conns_) {
      if (c->cur && notify) {
        post_failure(std::move(c->cur->cb), TransportError::kCancelled, "client shut down", c->maybe_sent);
      }
      c->cur.reset();
      teardown(*c);
    }
    conns_.clear();
    while (!queue_.empty()) {
      Pending p = queue_.take_front();
      if (notify) post_failure(std::move(p.cb), TransportError::kCancelled, "client shut down");
    }
  }

  const Url& origin() const noexcept { return origin_; }
  const HttpCounters& counters() const noexcept { return counters_; }
  std::size_t open_connections() const noexcept { return conns_.size(); }
  std::size_t queued() const noexcept { return queue_.size(); }

 private:
  void post_failure(HttpCallback cb, TransportError e, std::string msg, bool maybe_sent = false) {
    if (!cb) return;
    HttpResult r;
    r.error = e;
    r.error_message = std::move(msg);
    r.maybe_sent = maybe_sent;
    // Dropped if the client is destroyed before it runs (like every other callback then), so callers
    // may capture a raw pointer to the object that owns the client.
    asio::post(ioc_, [self = shared_from_this(), cb = std::move(cb), r = std::move(r)]() mutable {
      if (!self->silent_) cb(r);
    });
  }

  // A reused connection must not have anything to read: data or EOF there means the server closed
  // it (or is about to). Non-blocking peek; never consumes bytes.
  static bool probe_alive(Conn& c) {
    auto& sock = c.tcp().socket();
    if (!sock.is_open()) return false;
    boost::system::error_code ec;
    char byte;
    sock.non_blocking(true, ec);
    if (ec) return false;
    sock.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
    boost::system::error_code ignored;
    sock.non_blocking(false, ignored);
    return ec == asio::error::would_block || ec == asio::error::try_again;
  }

  void teardown(Conn& c) {
    if (c.closed) return;
    c.closed = true;
    c.open = false;
    c.timer.cancel();
    c.resolver.cancel();
    boost::system::error_code ec;
    c.tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    c.tcp().close();
  }

  void remove(const ConnPtr& c) {
    teardown(*c);
    conns_.erase(std::remove(conns_.begin(), conns_.end(), c), conns_.end());
  }

  void dispatch() {
    while (!shut_ && !queue_.empty()) {
      Pending& front = queue_.front();
      if (SteadyClock::now() >= front.deadline) {
        Pending p = queue_.take_front();
        ++counters_.timeouts;
        ++counters_.failures;
        post_failure(std::move(p.cb), TransportError::kTimeout, "timed out waiting for a free connection");
        continue;
      }
      ConnPtr conn;
      for (std::size_t i = 0; i < conns_.size();) {
        ConnPtr& c = conns_[i];
        if (!c->open || c->cur) {
          ++i;
          continue;
        }
        if (probe_alive(*c)) {
          conn = c;
          break;
        }
        ++counters_.stale_discarded;
        teardown(*c);
        conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i));
      }
      if (!conn) {
        if (conns_.size() >= opts_.max_connections) return;  // wait for a connection to free up
        conn = std::make_shared<Conn>(ioc_, counters_.pool_misses);
        if (ssl_) {
          conn->tls = std::make_unique<TlsStream>(ioc_.get_executor(), *ssl_);
        } else {
          conn->plain = std::make_unique<TcpStream>(ioc_.get_executor());
        }
        conns_.push_back(conn);
      }
      start(conn, queue_.take_front());
    }
  }

  void start(const ConnPtr& c, Pending p) {
    ++p.attempts;
    ++c->op;
    c->timed_out = false;
    c->maybe_sent = false;
    c->parser.reset();
    c->cur.emplace(std::move(p));
    const HttpRequest& r = c->cur->req();

    c->use_beast = detail::needs_beast_serializer(r);
    if (!c->use_beast) {
      detail::write_request_wire(r, host_header_, opts_.user_agent, c->wire);
    } else {
      auto& req = c->req;
      req = {};
      req.version(11);
      req.method(to_verb(r.method));
      req.target(r.target);
      req.set(http::field::host, host_header_);
      req.set(http::field::user_agent, opts_.user_agent);
      req.keep_alive(true);
      for (const auto& h : r.headers) req.set(h.name, h.value);
      if (!r.content_type.empty()) req.set(http::field::content_type, r.content_type);
      req.body() = r.body;
      // Bodies only where HTTP expects one; a GET/DELETE without body must not carry Content-Length: 0
      // expectations either way, prepare_payload handles both.
      req.prepare_payload();
    }

    c->timer.expires_at(c->cur->deadline);
    c->timer.async_wait(in_arena(c->arena, [self = shared_from_this(), c, op = c->op](boost::system::error_code ec) {
      if (ec || c->closed || c->op != op || !c->cur) return;
      c->timed_out = true;
      c->resolver.cancel();
      c->tcp().close();  // aborts whatever phase is pending; its handler reports kTimeout
    }));

    if (c->open) {
      c->reused = true;
      ++counters_.connections_reused;
      write(c);
    } else {
      c->reused = false;
      resolve(c);
    }
  }

  void resolve(const ConnPtr& c) {
    c->phase = Phase::kResolve;
    if (resolved_) {
      connect(c, *resolved_);
      return;
    }
    c->resolver.async_resolve(
        origin_.host, std::to_string(origin_.port),
        [self = shared_from_this(), c](boost::system::error_code ec, tcp::resolver::results_type results) {
          if (c->closed) return;
          if (ec) return self->fail(c, ec);
          self->resolved_ = results;
          self->connect(c, results);
        });
  }

  void connect(const ConnPtr& c, const tcp::resolver::results_type& results) {
    c->phase = Phase::kConnect;
    c->tcp().async_connect(results, [self = shared_from_this(), c](boost::system::error_code ec, const tcp::endpoint&) {
      if (c->closed) return;
      if (ec) {
        self->resolved_.reset();  // addresses may have changed; resolve again next time
        return self->fail(c, ec);
      }
      boost::system::error_code ignored;
      c->tcp().socket().set_option(tcp::no_delay(true), ignored);
      ++self->counters_.connections_opened;
      if (c->tls) {
        self->handshake(c);
      } else {
        c->open = true;
        self->write(c);
      }
    });
  }

  void handshake(const ConnPtr& c) {
    c->phase = Phase::kHandshake;
    std::string err;
    if (!detail::prepare_tls_stream(*c->tls, origin_.host, opts_.security.tls_verify, err)) {
      return fail(c, asio::error::invalid_argument, err);
    }
    c->tls->async_handshake(ssl::stream_base::client, [self = shared_from_this(), c](boost::system::error_code ec) {
      if (c->closed) return;
      if (ec) return self->fail(c, ec);
      c->open = true;
      self->write(c);
    });
  }

  void write(const ConnPtr& c) {
    c->phase = Phase::kWrite;
    c->maybe_sent = true;
    auto cb = in_arena(c->arena, [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
      if (c->closed) return;
      if (ec) return self->fail(c, ec);
      self->read(c);
    });
    if (!c->use_beast) {
      if (c->tls) {
        asio::async_write(*c->tls, asio::buffer(c->wire), std::move(cb));
      } else {
        asio::async_write(*c->plain, asio::buffer(c->wire), std::move(cb));
      }
    } else if (c->tls) {
      http::async_write(*c->tls, c->req, std::move(cb));
    } else {
      http::async_write(*c->plain, c->req, std::move(cb));
    }
  }

  void read(const ConnPtr& c) {
    c->phase = Phase::kRead;
    c->parser.reset();
    // The body string of the previous result (capacity kept) becomes this response's body.
    std::string body = std::move(c->result.response.body);
    body.clear();
    c->parser.emplace(std::piecewise_construct, std::forward_as_tuple(std::move(body)),
                      std::forward_as_tuple(ArenaAllocator<char>(&c->arena)));
    c->parser->body_limit(opts_.max_body_bytes);
    c->parser->header_limit(64 * 1024);
    if (c->cur->req().method == HttpMethod::kHead) c->parser->skip(true);
    // Header first, then the body: Beast 1.74's eager body read skips the Content-Length vs
    // body_limit check, so the limit is enforced here before any body byte is buffered.
    auto on_header = in_arena(c->arena, [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
      if (c->closed) return;
      if (ec) return self->fail(c, ec);
      const auto len = c->parser->content_length();
      if (len && *len > self->opts_.max_body_bytes) {
        return self->fail(c, http::error::body_limit,
                          "response body of " + std::to_string(*len) + " bytes exceeds max_body_bytes");
      }
      self->read_body(c);
    });
    if (c->tls) {
      http::async_read_header(*c->tls, c->buffer, *c->parser, std::move(on_header));
    } else {
      http::async_read_header(*c->plain, c->buffer, *c->parser, std::move(on_header));
    }
  }

  void read_body(const ConnPtr& c) {
    auto cb = in_arena(c->arena, [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
      if (c->closed) return;
      if (ec) return self->fail(c, ec);
      self->complete(c);
    });
    if (c->tls) {
      http::async_read(*c->tls, c->buffer, *c->parser, std::move(cb));
    } else {
      http::async_read(*c->plain, c->buffer, *c->parser, std::move(cb));
    }
  }

  void complete(const ConnPtr& c) {
    c->timer.cancel();
    auto& msg = c->parser->get();
    HttpResult& result = c->result;
    result.error = TransportError::kNone;
    result.error_message.clear();
    result.attempts = c->cur->attempts;
    result.maybe_sent = true;
    result.response.status = static_cast<int>(msg.result_int());
    result.response.body = std::move(msg.body());
    // Assign into the existing header strings (their capacity is reused); the vector only shrinks
    // when this response has fewer headers than the last.
    auto& hs = result.response.headers;
    std::size_t n = 0;
    for (const auto& f : msg) {
      if (n == hs.size()) hs.emplace_back();
      hs[n].name.assign(f.name_string().data(), f.name_string().size());
      hs[n].value.assign(f.value().data(), f.value().size());
      ++n;
    }
    hs.resize(n);
    const bool keep = msg.keep_alive();
    c->parser.reset();  // the header nodes go back to the arena before the callback starts a request
    Pending p = std::move(*c->cur);
    c->cur.reset();
    ++c->served;
    ++counters_.responses;
    if (!keep) remove(c);
    if (p.cb) p.cb(result);
    dispatch();
  }

  TransportError classify(const Conn& c, const boost::system::error_code& ec) const {
    if (shut_) return TransportError::kCancelled;
    if (c.timed_out) return TransportError::kTimeout;
    switch (c.phase) {
      case Phase::kResolve:
        return TransportError::kResolveFailed;
      case Phase::kConnect:
        return TransportError::kConnectFailed;
      case Phase::kHandshake:
        return TransportError::kTls;
      case Phase::kWrite:
      case Phase::kRead:
        break;
    }
    if (ec == ssl::error::stream_truncated) return TransportError::kClosed;
    if (ec.category() == asio::error::get_ssl_category()) return TransportError::kTls;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return TransportError::kClosed;
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
      return TransportError::kProtocol;
    }
    return TransportError::kClosed;
  }

  void fail(const ConnPtr& c, const boost::system::error_code& ec, std::string detail = {}) {
    const TransportError kind = classify(*c, ec);
    // Stale keep-alive: the server closed a reused connection before sending any response byte.
    const bool nothing_received = c->phase == Phase::kWrite || !c->parser || !c->parser->got_some();
    const bool stale = c->reused && !c->timed_out && kind == TransportError::kClosed && nothing_received;
    const bool maybe_sent = c->maybe_sent;
    Pending p = std::move(*c->cur);
    c->cur.reset();
    remove(c);
    if (shut_) return;

    const bool retry_safe = p.req().retry_safe.value_or(default_retry_safe(p.req().method));
    if (stale && retry_safe && p.attempts < 2) {
      ++counters_.retries;
      queue_.push_front(std::move(p));
      dispatch();
      return;
    }
    HttpResult result;
    result.error = kind;
    result.error_message = detail.empty() ? ec.message() : std::move(detail);
    result.maybe_sent = maybe_sent;
    result.attempts = p.attempts;
    ++counters_.failures;
    if (kind == TransportError::kTimeout) ++counters_.timeouts;
    if (p.cb) p.cb(result);
    dispatch();
  }

  asio::io_context& ioc_;
  HttpClientOptions opts_;
  Url origin_;
  std::string host_header_;
  std::unique_ptr<ssl::context> ssl_;
  std::optional<tcp::resolver::results_type> resolved_;
  Ring<Pending> queue_;
  std::vector<ConnPtr> conns_;
  HttpCounters counters_;
  Arena post_arena_{counters_.pool_misses};  // the dispatch handler request() posts (after counters_)
  bool shut_ = false;
  bool silent_ = false;  // destroyed: no callback runs any more
  bool dispatch_posted_ = false;
};

HttpClient::HttpClient(boost::asio::io_context& ioc, HttpClientOptions opts)
    : impl_(std::make_shared<Impl>(ioc, std::move(opts))) {}

HttpClient::~HttpClient() {
  if (impl_) impl_->shutdown(/*notify=*/false);
}

void HttpClient::request(HttpRequest req, HttpCallback cb) {
  impl_->request(std::move(req), std::move(cb));
}
void HttpClient::request_lent(const HttpRequest& req, HttpCallback cb) {
  impl_->request_lent(req, std::move(cb));
}
void HttpClient::shutdown() {
  impl_->shutdown(/*notify=*/true);
}
const Url& HttpClient::origin() const noexcept {
  return impl_->origin();
}
const HttpCounters& HttpClient::counters() const noexcept {
  return impl_->counters();
}
std::size_t HttpClient::open_connections() const noexcept {
  return impl_->open_connections();
}
std::size_t HttpClient::queued() const noexcept {
  return impl_->queued();
}

}  // namespace bparb::net
