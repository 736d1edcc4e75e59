#include "bparb/app/doctor_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>
#include <thread>

#include "bparb/app/cli.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/lighter_command.hpp"
#include "bparb/app/node_options.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/app/status_command.hpp"
#include "bparb/core/json_escape.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/net/url.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::app {

std::string_view check_status_name(CheckStatus s) noexcept {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
  }
  return "fail";
}

int doctor_exit_code(std::span<const CheckLine> checks) noexcept {
  bool warn = false;
  for (const CheckLine& c : checks) {
    if (c.status == CheckStatus::kFail) return kDoctorFailed;
    warn = warn || c.status == CheckStatus::kWarn;
  }
  return warn ? kDoctorWarnings : kExitOk;
}

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

class Report {
 public:
  void add(CheckStatus s, std::string check, std::string detail) {
    lines_.push_back({s, std::move(check), Redactor::global()->redact(detail)});
  }
  void ok(std::string c, std::string d) { add(CheckStatus::kOk, std::move(c), std::move(d)); }
  void warn(std::string c, std::string d) { add(CheckStatus::kWarn, std::move(c), std::move(d)); }
  void fail(std::string c, std::string d) { add(CheckStatus::kFail, std::move(c), std::move(d)); }
  const std::vector<CheckLine>& lines() const { return lines_; }

 private:
  std::vector<CheckLine> lines_;
};

std::string rest_error_text(const backpack::RestError& e) {
  std::string s = backpack::to_string(e.kind);
  if (e.http_status != 0) s += fmt::format(" HTTP {}", e.http_status);
  if (!e.code.empty()) s += " " + e.code;
  if (!e.message.empty()) s += ": " + e.message;
  return s;
}

// One request at a time on `io`: starts it, turns the loop until its callback ran.
template <class T, class Start>
backpack::RestResult<T> await(asio::io_context& io, Start start) {
  std::optional<backpack::RestResult<T>> got;
  start([&](backpack::RestResult<T>& r) { got.emplace(std::move(r)); });
  io.restart();
  while (!got && io.run_one() > 0) {
  }
  if (!got) {
    backpack::RestError e;
    e.kind = backpack::RestErrorKind::kTransport;
    e.message = "no answer";
    return backpack::RestResult<T>(unexpected(std::move(e)));
  }
  return std::move(*got);
}

// The embedded bpsim of paper mode, serving from its own thread while the checks run.
struct PaperVenue {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<runtime::PaperExchange> exchange;
  std::thread thread;

  PaperVenue(const Config& cfg, const std::string& api_key) {
    runtime::PaperOptions po = paper_options(cfg, api_key);
    po.port = 0;  // a running daemon may hold [paper] port
    exchange = std::make_unique<runtime::PaperExchange>(io, po);
    thread = std::thread([this] { io.run(); });
  }
  ~PaperVenue() {
    asio::post(io, [this] {
      exchange->stop();
      work.reset();
      io.stop();
    });
    thread.join();
  }
  PaperVenue(const PaperVenue&) = delete;
  PaperVenue& operator=(const PaperVenue&) = delete;
};

// `key` null: the public checks only (the keys check already failed).
void check_venue(const Config& cfg, const backpack::SigningKey* key, const std::string& rest_url, Report& rep) {
  asio::io_context io;
  SystemClock clock;
  backpack::RestClientOptions ro;
  ro.http.base_url = rest_url;
  ro.http.default_timeout_us = cfg.exchange.rest_timeout_us;
  ro.window_ms = cfg.execution.request_window_ms;
  ro.max_429_retries = 0;
  std::unique_ptr<backpack::RestClient> rest;
  try {
    rest = std::make_unique<backpack::RestClient>(io, clock, ro, key);
  } catch (const std::exception& e) {
    rep.fail("venue", rest_url + ": " + e.what());
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto markets = await<std::vector<MarketSpec>>(io, [&](auto cb) { rest->get_markets(std::move(cb)); });
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (!markets) {
    rep.fail("venue",
             fmt::format("{} unreachable: GET /api/v1/markets: {}", rest_url, rest_error_text(markets.error())));
    for (const char* c : {"clock", "account", "markets"}) rep.fail(c, "not checked: the venue did not answer");
    return;
  }
  rep.ok("venue", fmt::format("{} answered GET /api/v1/markets in {} ms ({} markets)", rest_url, ms, markets->size()));

  auto sync = await<backpack::ServerTimeSync>(io, [&](auto cb) { rest->sync_time(std::move(cb)); });
  if (!sync) {
    rep.fail("clock", "GET /api/v1/time: " + rest_error_text(sync.error()));
  } else {
    const std::int64_t skew = sync->offset_ms;
    const std::int64_t mag = skew < 0 ? -skew : skew;
    const std::string d = fmt::format(
        "venue clock minus local {:+} ms (round trip {} ms; warn past {} ms, fail past {} ms: the request window "
        "is {} ms)",
        skew, sync->rtt_us / kUsPerMs, kClockWarnMs, kClockFailMs, cfg.execution.request_window_ms);
    if (mag > kClockFailMs)
      rep.fail("clock", d + "; fix the host's time sync (chrony/ntpd)");
    else if (mag > kClockWarnMs)
      rep.warn("clock", d + "; check the host's time sync (chrony/ntpd)");
    else
      rep.ok("clock", d);
  }

  if (key == nullptr) {
    rep.fail("account", "not checked: no usable key");
  } else if (auto account = await<backpack::AccountSummary>(io, [&](auto cb) { rest->get_account(std::move(cb)); })) {
    rep.ok("account",
           fmt::format("signed GET /api/v1/account answered for api key {}…", key->public_key_base64().substr(0, 8)));
  } else {
    const backpack::RestError& e = account.error();
    const bool refused = e.kind == backpack::RestErrorKind::kApi || e.http_status == 401 || e.http_status == 403;
    rep.fail("account", fmt::format("{}GET /api/v1/account: {}", refused ? "the venue refused the key: " : "",
                                    rest_error_text(e)));
  }

  std::vector<std::string> bad, good;
  for (const PairConfig& p : cfg.pairs) {
    if (!p.enabled) continue;
    for (const std::string& sym : {p.spot_symbol, p.perp_symbol}) {
      const MarketSpec* found = nullptr;
      for (const MarketSpec& m : *markets)
        if (m.symbol == sym) found = &m;
      if (found == nullptr)
        bad.push_back(sym + " does not exist");
      else if (found->state != OrderBookState::kOpen)
        bad.push_back(sym + " is not open");
      else
        good.push_back(sym);
    }
  }
  std::string list;
  for (const std::string& s : bad.empty() ? good : bad) list += (list.empty() ? "" : ", ") + s;
  if (!bad.empty())
    rep.fail("markets", list);
  else
    rep.ok("markets", fmt::format("{} markets of {} pairs exist and are open: {}", good.size(), good.size() / 2, list));
}

// Whether `dir` (or the nearest existing ancestor, which the daemon would create the rest under) takes a
// new file: tried for real, since permission bits do not tell (root, read-only mounts, ACLs).
std::string directory_unwritable(const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir.empty() ? fs::path(".") : dir, ec);
  while (!fs::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
  if (!fs::is_directory(p, ec)) return p.string() + " is not a directory";
  const std::string probe = (p / fmt::format(".bparb-doctor-{}", ::getpid())).string();
  const int fd = ::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  if (fd < 0) return fmt::format("cannot create a file in {}: {}", p.string(), std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

void check_journal(const Config& cfg, Report& rep) {
  if (!cfg.journal.enabled) {
    rep.ok("journal", "disabled ([journal] enabled = false): nothing is recorded");
    return;
  }
  const fs::path path(cfg.journal.path);
  const std::string why = directory_unwritable(path.parent_path());
  if (!why.empty()) {
    rep.fail("journal", cfg.journal.path + ": " + why);
    return;
  }
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    rep.ok("journal", cfg.journal.path + ": directory writable; a new journal is created at start-up");
    return;
  }
  if (::access(path.c_str(), W_OK) != 0) {
    rep.fail("journal", cfg.journal.path + ": not writable: " + std::strerror(errno));
    return;
  }
  try {
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open(cfg.journal.path, o);
    rep.ok("journal", fmt::format("{}: writable, schema version {}", cfg.journal.path, j.schema_version()));
  } catch (const std::exception& e) {
    // An older schema cannot be read without migrating it, which the daemon does at start-up.
    const std::string m = e.what();
    if (m.find("migrat") != std::string::npos)
      rep.warn("journal", m + " (the daemon migrates it in place at start-up)");
    else
      rep.fail("journal", m);
  }
}

void check_service(const Config& cfg, Report& rep) {
  if (!cfg.service.enabled) {
    rep.ok("service", "disabled ([service] enabled = false)");
    return;
  }
  std::string host = cfg.service.address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  const bool v6 = host.find(':') != std::string::npos;
  const std::string base = fmt::format("http://{}:{}", v6 ? "[" + host + "]" : host, cfg.service.port);
  auto url = net::parse_url(base);
  std::string why;
  if (url) {
    auto r = http_get(*url, "/healthz", std::chrono::milliseconds(2000), why);
    if (r && r->status == 200) {
      rep.ok("service", base + "/healthz answers 200: the daemon is running");
      return;
    }
    if (r) {
      rep.fail("service", fmt::format("{}/healthz answered HTTP {}: the port is taken by something else or the "
                                      "daemon's event loop is stuck",
                                      base, r->status));
      return;
    }
  }
  // Nothing answered: the port must be free for the daemon to bind it.
  asio::io_context io;
  asio::ip::tcp::acceptor acc(io);
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(cfg.service.address, ec);
  if (!ec) acc.open(addr.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
  if (!ec) acc.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind({addr, cfg.service.port}, ec);
  if (ec) {
    rep.fail("service", fmt::format("{}:{} cannot be bound ({}) and answers no /healthz", cfg.service.address,
                                    cfg.service.port, ec.message()));
    return;
  }
  rep.ok("service", fmt::format("{}:{} is free (the daemon is not running)", cfg.service.address, cfg.service.port));
}

void check_lighter(const Config& cfg, const DoctorOptions& o, Report& rep) {
  if (!cfg.venues.lighter) return;
  std::vector<std::string> args{"check", "--config", o.config_path};
  if (!o.env_file.empty()) {
    args.push_back("--env-file");
    args.push_back(o.env_file);
  }
  LighterKeySource src;
  src.env_file = o.env_file.empty() ? cfg.exchange.env_file : o.env_file;
  src.getenv = o.getenv;
  std::istringstream in;
  std::ostringstream out, err;
  const int code = run_lighter_command(args, in, out, err, src);
  // One line per API key slot (its key's verdict and next nonce, as `bparb lighter check` prints them), then
  // its other lines joined: what it compared and what the venue answered.
  std::string detail;
  std::istringstream lines(out.str() + err.str());
  constexpr std::string_view kSlot = "  slot ";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(kSlot, 0) == 0) {
      const std::size_t colon = line.find(':');
      const std::string name = "lighter slot " + line.substr(kSlot.size(), colon - kSlot.size());
      const std::string what = colon == std::string::npos ? line : line.substr(colon + 2);
      const bool good = what.rfind("key: MATCH", 0) == 0 && what.find("next nonce: unknown") == std::string::npos;
      if (good)
        rep.ok(name, what);
      else
        rep.fail(name, what);
      continue;
    }
    const std::size_t text = line.find_first_not_of(' ');
    if (text != std::string::npos) detail += (detail.empty() ? "" : "; ") + line.substr(text);
  }
  if (code == kExitOk)
    rep.ok("lighter", detail);
  else
    rep.fail("lighter", fmt::format("bparb lighter check exit {}: {}", code, detail));
}

void print(const std::vector<CheckLine>& lines, int code, bool json, std::ostream& out) {
  std::size_t n[3] = {0, 0, 0};
  for (const CheckLine& c : lines) ++n[static_cast<int>(c.status)];
  if (json) {
    std::string s = "{\"checks\":[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      s += i ? ",{\"status\":\"" : "{\"status\":\"";
      s += check_status_name(lines[i].status);
      s += "\",\"check\":\"";
      json_escape_append(s, lines[i].check);
      s += "\",\"detail\":\"";
      json_escape_append(s, lines[i].detail);
      s += "\"}";
    }
    s += fmt::format("],\"ok\":{},\"warn\":{},\"fail\":{},\"exit\":{}}}\n", n[0], n[1], n[2], code);
    out << s;
    return;
  }
  for (const CheckLine& c : lines) out << check_status_name(c.status) << " " << c.check << ": " << c.detail << "\n";
  out << fmt::format("doctor: {} ok, {} warn, {} fail (exit {})\n", n[0], n[1], n[2], code);
}

}  // namespace

int run_doctor(const DoctorOptions& o, std::ostream& out, std::ostream& err) {
  Report rep;
  Config cfg;
  try {
    cfg = load_config(o.config_path);
  } catch (const ConfigError& e) {
    for (const std::string& line : e.errors()) rep.fail("config", line);
    print(rep.lines(), kExitUsage, o.json, out);
    err << "config INVALID: " << o.config_path << "\n";
    return kExitUsage;
  }
  if (!o.env_file.empty()) cfg.exchange.env_file = o.env_file;
  rep.ok("config", fmt::format("{} valid ({} pairs, mode={})", o.config_path, cfg.enabled_pair_count(),
                               mode_name(cfg.exchange.mode)));
  for (const std::string& w : cfg.warnings) rep.warn("config", w);
  if (sodium_init() < 0) {
    err << "bparb doctor: libsodium failed to initialise\n";
    return kExitFailure;
  }

  std::optional<backpack::SigningKey> key;
  if (cfg.exchange.mode == Mode::kPaper) {
    key.emplace(backpack::SigningKey::generate());
    rep.ok("keys", "paper mode signs with a fresh simulated key; no API keys are needed");
  } else {
    try {
      SecretsOptions so;
      so.env_file = cfg.exchange.env_file;
      if (o.getenv) so.getenv = o.getenv;
      Credentials c = load_credentials(so);
      key.emplace(make_signing_key(c));
      const std::string d =
          fmt::format("api key {} (private key from {}, api key {})", c.fingerprint(), c.private_key_source,
                      c.api_key_source == "derived" ? std::string("derived from it") : "from " + c.api_key_source);
      if (c.warnings.empty()) {
        rep.ok("keys", d);
      } else {
        for (const std::string& w : c.warnings) rep.warn("keys", d + ": " + w);
      }
    } catch (const SecretsError& e) {
      rep.fail("keys", e.what());
    }
  }

  check_journal(cfg, rep);
  check_service(cfg, rep);

  if (cfg.exchange.mode == Mode::kPaper) {
    std::unique_ptr<PaperVenue> paper;
    try {
      paper = std::make_unique<PaperVenue>(cfg, key->public_key_base64());
    } catch (const std::exception& e) {
      rep.fail("venue", "embedded bpsim (paper.sim_config " + cfg.paper.sim_config + "): " + e.what());
    }
    if (paper) check_venue(cfg, &*key, paper->exchange->http_url(), rep);
  } else {
    check_venue(cfg, key ? &*key : nullptr, cfg.exchange.rest_url, rep);
  }
  check_lighter(cfg, o, rep);

  const int code = doctor_exit_code(rep.lines());
  print(rep.lines(), code, o.json, out);
  return code;
}

int cmd_doctor(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kUsage =
      "Usage: bparb doctor [--config FILE] [--env-file FILE] [--json]\n"
      "  pre-flight checks (config, keys, clock skew, venue, account, markets, journal, service port,\n"
      "  [venues.lighter]); default --config config/bparb.toml. Exit 0 all ok, 1 warnings only, 2 bad usage or\n"
      "  config, 3 a check failed.\n";
  DoctorOptions o;
  // The checks' lines are the output: the embedded bpsim's and the clients' info logs would interleave.
  spdlog::set_level(spdlog::level::warn);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kExitOk;
    }
    if (a == "--json") {
      o.json = true;
    } else if ((a == "--config" || a == "--env-file") && i + 1 < args.size()) {
      (a == "--config" ? o.config_path : o.env_file) = args[++i];
    } else {
      err << "bparb doctor: " << (a == "--config" || a == "--env-file" ? "missing value for " : "unknown option ")
          << "'" << a << "'\n"
          << kUsage;
      return kExitUsage;
    }
  }
  return run_doctor(o, out, err);
}

}  // namespace bparb::app
