// The hand-written depth level reader (parsers_detail.hpp: fast_levels / fast_unsigned_decimal) must give
// exactly what the simdjson path (get_levels + Decimal::parse) gives: same values whenever it accepts,
// and it must never accept what the ordinary path rejects. Checked on hand-picked cases and on many
// random and randomly mutated level arrays, and end to end through parse_ws_frame.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../src/venue/backpack/parsers_detail.hpp"  // NOLINT: internal header under test

namespace bparb::backpack {
namespace {

using detail::fast_levels;
using detail::fast_number_string;

struct SlowResult {
  bool ok = false;
  ParseErrc code = ParseErrc::kOk;
  std::vector<LevelUpdate> levels;
};

// The ordinary path: simdjson value iteration + Decimal::parse, on {"b": <array>}.
SlowResult slow_levels(const std::string& array_text) {
  JsonParser p;
  const std::string doc = "{\"b\":" + array_text + "}";
  simdjson::ondemand::document d;
  simdjson::ondemand::object obj;
  SlowResult r;
  ParseError e = detail::root_object(p, JsonInput::from_string(doc), d, obj, "doc");
  if (e.ok()) {
    simdjson::ondemand::value v;
    if (obj.find_field_unordered("b").get(v) != simdjson::SUCCESS) {
      e = ParseError{ParseErrc::kInvalidJson, "b"};
    } else {
      e = detail::get_levels(v, r.levels, "b");
    }
  }
  r.ok = e.ok();
  r.code = e.code;
  return r;
}

bool fast(const std::string& array_text, std::vector<LevelUpdate>& out) {
  return fast_levels(array_text.data(), array_text.data() + array_text.size(), out);
}

void expect_same_levels(const std::vector<LevelUpdate>& a, const std::vector<LevelUpdate>& b, const std::string& t) {
  ASSERT_EQ(a.size(), b.size()) << t;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].price.raw(), b[i].price.raw()) << t << " level " << i;
    EXPECT_EQ(a[i].quantity.raw(), b[i].quantity.raw()) << t << " level " << i;
  }
}

// fast_number_string over the text plus its closing quote.
bool fast_number(const std::string& text, Decimal& out) {
  const std::string quoted = text + "\"";
  const char* p = quoted.data();
  const bool ok = fast_number_string(p, quoted.data() + quoted.size(), out);
  if (ok) {
    EXPECT_EQ(p, quoted.data() + quoted.size()) << text;
  }
  return ok;
}

TEST(FastDecimal, AgreesWithDecimalParseWhereItAnswers) {
  const char* cases[] = {"0",
                         "1",
                         "166.19",
                         "0.000000001",
                         "999999999.999999999",
                         "1.",
                         ".5",
                         "007.50",
                         "571.94",
                         "61659.7",
                         "0.0",
                         "123456789",
                         "1.123456789",
                         "",
                         ".",
                         "1..2",
                         "1.2.3",
                         "-1",
                         "+1",
                         "1e5",
                         "1234567890",
                         "1.1234567891",
                         "1.1234567890",
                         "12a",
                         " 1"};
  for (const char* c : cases) {
    const std::string s = c;
    Decimal f, d;
    const bool handled = fast_number(s, f);
    const DecimalParseError e = Decimal::parse(s, d);
    if (handled) {
      ASSERT_EQ(e, DecimalParseError::kOk) << s;
      EXPECT_EQ(f.raw(), d.raw()) << s;
    }
  }
  Decimal x;
  ASSERT_TRUE(fast_number("166.19", x));
  EXPECT_EQ(x.raw(), 166'190'000'000);
  ASSERT_TRUE(fast_number(".5", x));
  EXPECT_EQ(x.raw(), 500'000'000);
  ASSERT_TRUE(fast_number("1.", x));
  EXPECT_EQ(x.raw(), 1'000'000'000);
  ASSERT_TRUE(fast_number("999999999.999999999", x));
  EXPECT_EQ(x.raw(), 999'999'999'999'999'999);
  // Declined (the whole array then takes the ordinary path): no digits, signs, 10 digits either side,
  // stray characters, no closing quote.
  for (const char* c : {"", ".", "-1", "+1", "1234567890", "1.1234567890", "1e5", "1..2", "12a", " 1"})
    EXPECT_FALSE(fast_number(c, x)) << c;
  const std::string unterminated = "123";
  const char* p = unterminated.data();
  EXPECT_FALSE(fast_number_string(p, unterminated.data() + unterminated.size(), x));
}

// fast_number_string classifies 16 bytes at a time when 32 remain and otherwise loops over digits: both
// must give the same answer (accepted or not, value, end) for every body, including the '.' next to every
// digit position (its borrow once corrupted the next digit) and 8/9/10-digit halves.
TEST(FastDecimal, WideAndByteLoopPathsAgree) {
  std::mt19937 rng(11);
  const char alphabet[] = "0123456789012345678901234567890123456789..-e+ \"\\x";
  std::vector<std::string> bodies = {
      "61800.3", "3.330", "0.000", "12345678.12345678", "123456789.123456789", "1234567890", "1.",
      ".5",      ".",     "",      "00000000",          "99999999.9"};
  for (int i = 0; i < 20000; ++i) {
    std::string b;
    const int len = static_cast<int>(rng() % 20);
    for (int k = 0; k < len; ++k) b += alphabet[rng() % (sizeof alphabet - 1)];
    bodies.push_back(b);
  }
  for (const std::string& body : bodies) {
    const std::string tail = "\",\"0.5\"]]";
    const std::string narrow = body + tail;                       // fewer than 32 bytes: byte loop
    const std::string wide = body + tail + std::string(40, ' ');  // wide path where it applies
    Decimal a, b;
    const char* pa = narrow.data();
    const char* pb = wide.data();
    const bool ok_a = fast_number_string(pa, narrow.data() + narrow.size(), a);
    const bool ok_b = fast_number_string(pb, wide.data() + wide.size(), b);
    ASSERT_EQ(ok_a, ok_b) << body;
    if (!ok_a) continue;
    EXPECT_EQ(a.raw(), b.raw()) << body;
    EXPECT_EQ(pa - narrow.data(), pb - wide.data()) << body;
  }
}

TEST(FastLevels, HandPickedCasesMatchTheSimdjsonPath) {
  struct Case {
    const char* text;
    bool fast_accepts;
  };
  const Case cases[] = {
      {R"([])", true},
      {R"([["166.19","571.94"]])", true},
      {R"([ [ "1" , "0" ] , ["2.5","3"] ])", true},
      {"[\n[\"1\",\"2\"]\t]", true},
      {R"([["1.","0.10"]])", true},
      {R"([["1","-0"]])", false},  // signs: ordinary path (which accepts "-0" as 0)
      {R"([["0","1"]])", false},   // price must be positive: the slow path's kBadValue
      {R"([["1","-2"]])", false},
      {R"([["-1","2"]])", false},
      {R"([[1,"2"]])", false},  // number tokens: ordinary path
      {R"([["1","2","3"]])", false},
      {R"([["1"]])", false},
      {R"([["1",]])", false},
      {R"([["1","2"],])", false},
      {R"([["1.1234567891","2"]])", false},
      {R"([["1.1234567890","2"]])", false},  // 10 fraction digits: ordinary path (exact there: zero)
      {R"([["\u0031","2"]])", false},        // escape: ordinary path (which unescapes to "1")
      {R"([["1x","2"]])", false},
      {R"([["1","2"])", false},  // truncated
      {R"([["1","2")", false},
      {R"(["1","2"])", false},
      {R"([null])", false},
      {R"({})", false},
  };
  for (const Case& c : cases) {
    std::vector<LevelUpdate> f;
    f.reserve(8);
    const bool accepted = fast(c.text, f);
    EXPECT_EQ(accepted, c.fast_accepts) << c.text;
    const SlowResult s = slow_levels(c.text);
    if (accepted) {
      ASSERT_TRUE(s.ok) << c.text;
      expect_same_levels(f, s.levels, c.text);
    }
  }
  // The two answers the ordinary path gives for two of the declined arrays, unchanged.
  EXPECT_EQ(slow_levels(R"([["0","1"]])").code, ParseErrc::kBadValue);
  EXPECT_TRUE(slow_levels(R"([["\u0031","2"]])").ok);
}

std::string random_number(std::mt19937_64& rng) {
  std::string s;
  // Mostly exchange-like numbers; sometimes 0 or 10 integer digits (the fallbacks).
  const int int_digits = static_cast<int>(rng() % 20 == 0 ? rng() % 11 : 1 + rng() % 6);
  for (int i = 0; i < int_digits; ++i) s += static_cast<char>('0' + rng() % 10);
  if (rng() % 3 != 0) {
    s += '.';
    const int frac = static_cast<int>(rng() % 20 == 0 ? rng() % 12 : rng() % 6);  // rarely > 9 digits
    for (int i = 0; i < frac; ++i) s += static_cast<char>('0' + rng() % 10);
  }
  if (rng() % 50 == 0) s.insert(0, 1, rng() % 2 ? '-' : '+');
  return s;
}

std::string random_array(std::mt19937_64& rng) {
  std::string a = "[";
  const int n = static_cast<int>(rng() % 30);
  for (int i = 0; i < n; ++i) {
    if (i) a += rng() % 8 == 0 ? " , " : ",";
    a += "[\"" + random_number(rng) + "\"," + (rng() % 10 == 0 ? " " : "") + "\"" + random_number(rng) + "\"]";
  }
  a += "]";
  return a;
}

TEST(FastLevels, RandomAndMutatedArraysNeverDisagree) {
  std::mt19937_64 rng(20261121);
  const char kNoise[] = "[]\",.0123456789-+ e\\n}{x";
  int accepted = 0, declined = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string t = random_array(rng);
    if (iter % 2 == 1 && !t.empty()) {  // mutate: replace, insert, delete or truncate
      const std::size_t pos = rng() % t.size();
      switch (rng() % 4) {
        case 0:
          t[pos] = kNoise[rng() % (sizeof(kNoise) - 1)];
          break;
        case 1:
          t.insert(pos, 1, kNoise[rng() % (sizeof(kNoise) - 1)]);
          break;
        case 2:
          t.erase(pos, 1);
          break;
        default:
          t.resize(pos);
          break;
      }
    }
    std::vector<LevelUpdate> f;
    f.reserve(64);
    const bool ok = fast(t, f);
    const SlowResult s = slow_levels(t);
    if (ok) {
      ++accepted;
      ASSERT_TRUE(s.ok) << t;
      expect_same_levels(f, s.levels, t);
    } else {
      ++declined;
    }
  }
  // Both branches were exercised.
  EXPECT_GT(accepted, 5000);
  EXPECT_GT(declined, 5000);
}

// get_int through simdjson on {"x": <token>}: 1 = ok, 0 = get_int refused it, -1 = the document
// never reaches value parsing (simdjson's stage 1 rejects it, e.g. an unbalanced quote), so in a real
// frame the fast reader would not run either.
int slow_int(const std::string& token, std::int64_t& out) {
  JsonParser p;
  const std::string doc = "{\"x\":" + token + "}";
  simdjson::ondemand::document d;
  simdjson::ondemand::object obj;
  if (!detail::root_object(p, JsonInput::from_string(doc), d, obj, "doc").ok()) return -1;
  simdjson::ondemand::value v;
  if (obj.find_field_unordered("x").get(v) != simdjson::SUCCESS) return -1;
  return detail::get_int(v, out, "x").ok() ? 1 : 0;
}

TEST(FastInt, AgreesWithGetIntWhereItAnswers) {
  std::mt19937_64 rng(99);
  const char kChars[] = "0123456789\"-+.e \\}],x";
  int accepted = 0;
  std::vector<std::string> tokens = {"\"1795132835300000\"",
                                     "1795132835300000",
                                     "0",
                                     "\"0\"",
                                     "7 ",
                                     "\"007\"",
                                     "\"12345678901234567\"",
                                     "\"123456789012345678\"",
                                     "\"\"",
                                     "\"-1\"",
                                     "-1",
                                     "1.5",
                                     "1e3",
                                     "\"1\\u0032\"",
                                     "\"+5\"",
                                     "null",
                                     "true"};
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    const bool q = rng() % 2 == 0;
    if (q) t += '"';
    const int n = static_cast<int>(rng() % 20);
    for (int k = 0; k < n; ++k) t += static_cast<char>('0' + rng() % 10);
    if (q) t += '"';
    if (rng() % 3 == 0 && !t.empty()) t[rng() % t.size()] = kChars[rng() % (sizeof(kChars) - 1)];
    tokens.push_back(t);
  }
  for (const std::string& t : tokens) {
    // The fast reader sees the token followed by the closing brace, as inside a document.
    const std::string doc_tail = t + "}";
    std::int64_t f = 0, g = 0;
    const bool fast_ok = detail::fast_int_token(doc_tail.data(), doc_tail.data() + doc_tail.size(), f);
    const int slow = slow_int(t, g);
    if (fast_ok && slow >= 0) {
      ++accepted;
      ASSERT_EQ(slow, 1) << t;
      EXPECT_EQ(f, g) << t;
    }
  }
  EXPECT_GT(accepted, 3000);
  std::int64_t x = 0;
  const std::string ok_tail = "\"1795132835300000\",";
  ASSERT_TRUE(detail::fast_int_token(ok_tail.data(), ok_tail.data() + ok_tail.size(), x));
  EXPECT_EQ(x, 1795132835300000);
  // A number token must be followed by a delimiter inside the document.
  const std::string cut = "123";
  EXPECT_FALSE(detail::fast_int_token(cut.data(), cut.data() + cut.size(), x));
  const std::string big = "\"123456789012345678\"";  // 18 digits: get_int's from_chars decides
  EXPECT_FALSE(detail::fast_int_token(big.data(), big.data() + big.size(), x));
}

// Built with append() only: GCC 12 reports a false -Wrestrict on chains of operator+ here.
std::string random_depth_frame(std::mt19937_64& rng) {
  auto ws = [&rng](std::string& o) {
    if (rng() % 6 == 0) o.append(rng() % 2 ? " " : "\n\t ");
  };
  auto id = [&rng](std::string& o, std::int64_t v) {
    const bool quoted = rng() % 2 == 0;
    if (quoted) o.push_back('"');
    o.append(std::to_string(v));
    if (quoted) o.push_back('"');
  };
  const std::int64_t u1 = static_cast<std::int64_t>(rng() % 1'000'000'000);
  const std::int64_t u2 = u1 + static_cast<std::int64_t>(rng() % 3);
  std::vector<std::string> fields(8);
  fields[0].append("\"e\":");
  ws(fields[0]);
  fields[0].append("\"depth\"");
  fields[1].append("\"E\":");
  id(fields[1], 1795132835300000 + static_cast<std::int64_t>(rng() % 1000));
  fields[2].append("\"s\":");
  ws(fields[2]);
  fields[2].append("\"SOL_USDC_PERP\"");
  fields[3].append("\"a\":");
  fields[3].append(random_array(rng));
  fields[4].append("\"b\":");
  ws(fields[4]);
  fields[4].append(random_array(rng));
  fields[5].append("\"U\":");
  id(fields[5], u1);
  fields[6].append("\"u\":");
  ws(fields[6]);
  id(fields[6], u2);
  fields[7].append("\"T\":");
  id(fields[7], 1795132835299000);
  std::shuffle(fields.begin(), fields.end(), rng);
  if (rng() % 10 == 0) fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(rng() % fields.size()));
  if (rng() % 20 == 0) fields.push_back("\"x\":1");
  if (rng() % 20 == 0) fields.push_back(fields.front());  // duplicate key
  std::string data = "{";
  ws(data);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) {
      data.push_back(',');
      ws(data);
    }
    data.append(fields[i]);
    ws(data);
  }
  data.push_back('}');
  const char* stream = rng() % 15 == 0 ? "\"bookTicker.SOL_USDC\"" : "\"depth.SOL_USDC_PERP\"";
  std::string f;
  if (rng() % 2) {
    ws(f);
    f.append("{\"stream\":").append(stream).append(",");
    ws(f);
    f.append("\"data\":").append(data).append("}");
    ws(f);
  } else {
    f.append("{\"data\":").append(data).append(",\"stream\":");
    ws(f);
    f.append(stream).append("}");
  }
  return f;
}

void expect_same_frame(const WsFrame& a, const WsFrame& b, const std::string& t) {
  ASSERT_EQ(a.type, b.type) << t;
  EXPECT_EQ(a.stream, b.stream) << t;
  EXPECT_EQ(a.depth.symbol, b.depth.symbol) << t;
  EXPECT_EQ(a.depth.first_update_id, b.depth.first_update_id) << t;
  EXPECT_EQ(a.depth.last_update_id, b.depth.last_update_id) << t;
  EXPECT_EQ(a.depth.event_time_us, b.depth.event_time_us) << t;
  EXPECT_EQ(a.depth.engine_time_us, b.depth.engine_time_us) << t;
  expect_same_levels(a.depth.bids, b.depth.bids, t);
  expect_same_levels(a.depth.asks, b.depth.asks, t);
}

// The byte-at-a-time reader fast_int_token_to had before its eight-digit steps (the reference).
const char* byte_loop_int_token(const char* p, const char* end, std::int64_t& out) {
  if (p == nullptr || end == nullptr || p >= end) return nullptr;
  const bool quoted = *p == '"';
  if (quoted) ++p;
  const char* const b = p;
  std::uint64_t v = 0;
  while (p != end && p - b < 18 && static_cast<unsigned char>(*p - '0') <= 9)
    v = v * 10 + static_cast<unsigned>(*p++ - '0');
  if (p == b || p - b >= 18 || p == end) return nullptr;
  const char c = *p;
  if (quoted ? c != '"' : !(c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t'))
    return nullptr;
  out = static_cast<std::int64_t>(v);
  return quoted ? p + 1 : p;
}

TEST(FastInt, EightDigitStepsMatchTheByteLoopAtEveryEnd) {
  std::mt19937_64 rng(2026);
  // Bytes around the digit range too (the SWAR digit test must reject '/', ':', 0x96, 0xFA...).
  const char kOther[] = "/:\"}, ]x\x96\xfa\xff.";
  int accepted = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string t;
    if (rng() % 2 == 0) t += '"';
    const int n = static_cast<int>(rng() % 22);
    for (int k = 0; k < n; ++k) t += static_cast<char>('0' + rng() % 10);
    if (t.size() > 0 && rng() % 4 == 0) t[rng() % t.size()] = kOther[rng() % (sizeof(kOther) - 1)];
    t += (t.size() > 0 && t[0] == '"') ? "\"," : ",";
    if (rng() % 2 == 0) t += "0123456789abcdef";         // more bytes after the token (a chunk may straddle it)
    for (std::size_t cut = 0; cut <= t.size(); ++cut) {  // every `end`, as in truncated documents
      std::int64_t a = -1, b = -1;
      const char* fa = detail::fast_int_token_to(t.data(), t.data() + cut, a);
      const char* fb = byte_loop_int_token(t.data(), t.data() + cut, b);
      ASSERT_EQ(fa, fb) << t << " cut " << cut;
      if (fa != nullptr) {
        ++accepted;
        ASSERT_EQ(a, b) << t << " cut " << cut;
      }
    }
  }
  EXPECT_GT(accepted, 10000);
  std::int64_t x = 0;
  const std::string stamp = "\"1795132835300000\"}";
  EXPECT_EQ(detail::fast_int_token_to(stamp.data(), stamp.data() + stamp.size(), x), stamp.data() + 18);
  EXPECT_EQ(x, 1795132835300000);
  const std::string max17 = "99999999999999999,";
  EXPECT_EQ(detail::fast_int_token_to(max17.data(), max17.data() + max17.size(), x), max17.data() + 17);
  EXPECT_EQ(x, 99999999999999999);
  const std::string eighteen = "999999999999999999,";
  EXPECT_EQ(detail::fast_int_token_to(eighteen.data(), eighteen.data() + eighteen.size(), x), nullptr);
}

// Plain strings only: every byte the fast reader refuses ('\\', controls, DEL, non-ASCII) at every
// position of a long stream/symbol, and every truncation, against the simdjson path.
TEST(FastDepthFrame, LongStringsWithSpecialBytesAtEveryPosition) {
  JsonParser p;
  WsFrame fast, slow;
  char strings[256];
  const std::string sym = "SOL_USDC_PERP_A_RATHER_LONG_NAME";
  auto frame = [](const std::string& s) {
    return "{\"stream\":\"depth." + s + "\",\"data\":{\"e\":\"depth\",\"E\":\"1795132835300000\",\"s\":\"" + s +
           "\",\"a\":[[\"150.12\",\"0\"]],\"b\":[],\"U\":5,\"u\":6,\"T\":\"1795132835300000\"}}";
  };
  const std::string plain = frame(sym);
  ASSERT_TRUE(detail::fast_depth_frame(plain.data(), plain.data() + plain.size(), fast, strings, sizeof strings));
  EXPECT_EQ(fast.depth.symbol, sym);
  const std::string bytes[] = {
      "\\n", "\\u0041", std::string(1, '\x01'), std::string(1, '\x1f'), "\x7f", "\x80", "\xc3\xa9", " ", "~", "!"};
  int accepted = 0;
  for (const std::string& b : bytes) {
    for (std::size_t pos = 0; pos <= sym.size(); ++pos) {
      std::string s = sym;
      s.insert(pos, b);
      const std::string f = frame(s);
      const bool ok = detail::fast_depth_frame(f.data(), f.data() + f.size(), fast, strings, sizeof strings);
      const ParseError e = detail::parse_ws_frame_simdjson(p, JsonInput::from_string(f), slow);
      const bool printable = b == " " || b == "~" || b == "!";
      EXPECT_EQ(ok, printable) << f;  // the fast path takes plain printable ASCII only
      if (ok) {
        ++accepted;
        ASSERT_TRUE(e.ok()) << f;
        expect_same_frame(fast, slow, f);
        EXPECT_EQ(fast.depth.symbol, s);
      }
    }
  }
  EXPECT_EQ(accepted, 3 * static_cast<int>(sym.size() + 1));
  for (std::size_t cut = 0; cut < plain.size(); ++cut)  // the document cut anywhere: declined
    EXPECT_FALSE(detail::fast_depth_frame(plain.data(), plain.data() + cut, fast, strings, sizeof strings)) << cut;
}

// The whole-frame reader against the simdjson path: random depth frames (both member orders, shuffled
// fields, whitespace, string or number ids, missing/extra/duplicate fields) and random mutations.
TEST(FastDepthFrame, AgreesWithTheSimdjsonPathOnRandomAndMutatedFrames) {
  std::mt19937_64 rng(777);
  const char kNoise[] = "[]{}\",:.0123456789-+ e\\ndx";
  JsonParser p;
  WsFrame fast, slow;
  fast.depth.bids.reserve(64);
  fast.depth.asks.reserve(64);
  char strings[256];
  int accepted = 0, declined = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string f = random_depth_frame(rng);
    if (iter % 3 == 2) {
      const std::size_t pos = rng() % f.size();
      switch (rng() % 4) {
        case 0:
          f[pos] = kNoise[rng() % (sizeof(kNoise) - 1)];
          break;
        case 1:
          f.insert(pos, 1, kNoise[rng() % (sizeof(kNoise) - 1)]);
          break;
        case 2:
          f.erase(pos, 1);
          break;
        default:
          f.resize(pos);
          break;
      }
    }
    const bool ok = detail::fast_depth_frame(f.data(), f.data() + f.size(), fast, strings, sizeof strings);
    const ParseError e = detail::parse_ws_frame_simdjson(p, JsonInput::from_string(f), slow);
    if (ok) {
      ++accepted;
      ASSERT_TRUE(e.ok()) << f << " -> " << e.message();
      expect_same_frame(fast, slow, f);
    } else {
      ++declined;
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(accepted, 1500);  // random_array often holds numbers the fast reader declines
  EXPECT_GT(declined, 5000);
}

// bookTicker and trade frames: random field order, optional fields, quoted and bare ints, decimals the fast
// reader takes or declines, then random byte damage; whatever fast_ws_frame accepts, the simdjson path must
// accept with the same event.
std::string random_market_frame(std::mt19937_64& rng, bool ticker) {
  auto dec = [&rng](std::string& o) {
    const char* const shapes[] = {"61837.64", "1.546980", "0",  "0.000", "123456789.123456789", "1234567890.5", "-1.5",
                                  "1e3",      "007.50",   "5.", ".5"};
    const std::size_t k = rng() % 4 != 0 ? rng() % 2 : rng() % 13;  // mostly the usual shapes
    if (k == 11) {
      o.append("null");
    } else if (k == 12) {
      o.append("61837.64");  // a number token, not a string
    } else {
      o.append("\"").append(shapes[k]).append("\"");
    }
  };
  auto id = [&rng](std::string& o) {
    const std::string v =
        std::to_string(rng() % (rng() % 4 ? 10'000'000'000'000'000ull : 4'000'000'000'000'000'000ull));
    o.append(rng() % 2 ? v : "\"" + v + "\"");
  };
  std::vector<std::string> fields;
  fields.push_back(std::string("\"e\":") + (ticker ? "\"bookTicker\"" : "\"trade\""));
  fields.push_back("\"E\":");
  id(fields.back());
  fields.push_back("\"T\":");
  id(fields.back());
  fields.push_back(rng() % 8 ? "\"s\":\"SOL_USDC\"" : "\"s\":\"SOL\\u005fUSDC\"");
  const char* const keys = ticker ? "aAbB" : "pq";
  for (const char* k = keys; *k != '\0'; ++k) {
    if (rng() % 10 == 0) continue;
    fields.push_back(std::string("\"") + *k + "\":");
    dec(fields.back());
  }
  if (ticker) {
    fields.push_back("\"u\":");
    id(fields.back());
  } else {
    fields.push_back("\"t\":");
    id(fields.back());
    fields.push_back(rng() % 3 ? "\"m\":true" : (rng() % 2 ? "\"m\":false" : "\"m\":\"true\""));
    if (rng() % 8 == 0) fields.push_back("\"b\":\"111\"");
  }
  if (rng() % 10 == 0) fields.push_back("\"x\":1");
  std::shuffle(fields.begin(), fields.end(), rng);
  std::string data = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) data += (i ? (rng() % 6 ? "," : " , ") : "") + fields[i];
  data += "}";
  const std::string stream = ticker ? "\"bookTicker.SOL_USDC\"" : "\"trade.SOL_USDC\"";
  return rng() % 10 ? "{\"stream\":" + stream + ",\"data\":" + data + "}"
                    : "{\"data\":" + data + ",\"stream\":" + stream + "}";
}

TEST(FastWsFrame, BookTickerAndTradeFramesAgreeWithTheSimdjsonPath) {
  std::mt19937_64 rng(4242);
  const char kNoise[] = "[]{}\",:.0123456789-+ e\\ntf";
  JsonParser p;
  WsFrame fast, slow;
  char strings[256];
  int accepted = 0, declined = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const bool ticker = iter % 2 == 0;
    std::string f = random_market_frame(rng, ticker);
    if (iter % 3 == 2) {
      const std::size_t pos = rng() % f.size();
      switch (rng() % 3) {
        case 0:
          f[pos] = kNoise[rng() % (sizeof(kNoise) - 1)];
          break;
        case 1:
          f.insert(pos, 1, kNoise[rng() % (sizeof(kNoise) - 1)]);
          break;
        default:
          f.resize(pos);
          break;
      }
    }
    const bool ok = detail::fast_ws_frame(f.data(), f.data() + f.size(), fast, strings, sizeof strings);
    const ParseError e = detail::parse_ws_frame_simdjson(p, JsonInput::from_string(f), slow);
    if (!ok) {
      ++declined;
      continue;
    }
    ++accepted;
    ASSERT_TRUE(e.ok()) << f << " -> " << e.message();
    ASSERT_EQ(fast.type, slow.type) << f;
    EXPECT_EQ(fast.stream, slow.stream) << f;
    if (ticker) {
      const BookTickerEvent &a = fast.book_ticker, &b = slow.book_ticker;
      EXPECT_EQ(a.symbol, b.symbol) << f;
      EXPECT_EQ(a.has_ask, b.has_ask) << f;
      EXPECT_EQ(a.has_bid, b.has_bid) << f;
      EXPECT_EQ(a.ask_price.raw(), b.ask_price.raw()) << f;
      EXPECT_EQ(a.ask_quantity.raw(), b.ask_quantity.raw()) << f;
      EXPECT_EQ(a.bid_price.raw(), b.bid_price.raw()) << f;
      EXPECT_EQ(a.bid_quantity.raw(), b.bid_quantity.raw()) << f;
      EXPECT_EQ(a.update_id, b.update_id) << f;
      EXPECT_EQ(a.event_time_us, b.event_time_us) << f;
      EXPECT_EQ(a.engine_time_us, b.engine_time_us) << f;
    } else {
      const TradeEvent &a = fast.trade, &b = slow.trade;
      EXPECT_EQ(a.symbol, b.symbol) << f;
      EXPECT_EQ(a.price.raw(), b.price.raw()) << f;
      EXPECT_EQ(a.quantity.raw(), b.quantity.raw()) << f;
      EXPECT_EQ(a.buyer_order_id, b.buyer_order_id) << f;
      EXPECT_EQ(a.seller_order_id, b.seller_order_id) << f;
      EXPECT_EQ(a.trade_id, b.trade_id) << f;
      EXPECT_EQ(a.buyer_is_maker, b.buyer_is_maker) << f;
      EXPECT_EQ(a.event_time_us, b.event_time_us) << f;
      EXPECT_EQ(a.engine_time_us, b.engine_time_us) << f;
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(accepted, 2000);
  EXPECT_GT(declined, 5000);
}

TEST(FastDepthFrame, ViewsOutliveTheCallersBufferAndBadFramesStillFail) {
  JsonParser p;
  WsFrame f;
  {
    std::string buf =
        R"({"stream":"depth.SOL_USDC","data":{"e":"depth","E":1,"s":"SOL_USDC","b":[["1","2"]],"U":3,"u":4}})";
    ASSERT_TRUE(parse_ws_frame(p, JsonInput::from_string(buf), f).ok());
    buf.assign(buf.size(), 'x');  // the caller's buffer is reused
  }
  EXPECT_EQ(f.type, WsFrameType::kDepth);
  EXPECT_EQ(f.stream, "depth.SOL_USDC");
  EXPECT_EQ(f.depth.symbol, "SOL_USDC");
  // Still decided by the simdjson path, with its errors.
  EXPECT_EQ(
      parse_ws_frame(
          p, JsonInput::from_string(std::string(R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":5,"u":4}})")), f)
          .code,
      ParseErrc::kBadValue);
  EXPECT_EQ(parse_ws_frame(
                p, JsonInput::from_string(std::string(R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":5}})")), f)
                .code,
            ParseErrc::kMissingField);
  EXPECT_EQ(
      parse_ws_frame(
          p, JsonInput::from_string(std::string(R"({"stream":"depth.X","data":{"e":"trade","s":"X","U":1,"u":1}})")), f)
          .code,
      ParseErrc::kUnknownStream);
  EXPECT_FALSE(
      parse_ws_frame(
          p, JsonInput::from_string(std::string(R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":1}} x)")),
          f)
          .ok());
  // The size limit applies to the fast path too.
  JsonParser small(32);
  const std::string ok_frame = R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":1}})";
  EXPECT_EQ(parse_ws_frame(small, JsonInput::from_string(ok_frame), f).code, ParseErrc::kTooLarge);
}

// End to end: frames whose level arrays take the fast path and the ordinary path decode to the same
// delta, fields after the arrays are still read, and bad frames still fail the same way.
TEST(FastLevels, WsFramesDecodeIdenticallyEitherWay) {
  JsonParser p;
  WsFrame a, b;
  a.depth.bids.reserve(8);
  a.depth.asks.reserve(8);
  b.depth.bids.reserve(8);
  b.depth.asks.reserve(8);
  // Same content; the second frame's numbers are JSON number tokens for one level, forcing the
  // ordinary path for that array.
  const std::string fast_frame =
      R"({"stream":"depth.SOL_USDC","data":{"e":"depth","E":1,"s":"SOL_USDC","a":[["150.12","0"],["150.14","743.68"]],)"
      R"("b":[["149.93","2377.92"]],"U":7,"u":9,"T":2}})";
  const std::string slow_frame =
      R"({"stream":"depth.SOL_USDC","data":{"e":"depth","E":1,"s":"SOL_USDC","a":[["150.12","0"],[150.14,"743.68"]],)"
      R"("b":[["149.93",2377.92]],"U":7,"u":9,"T":2}})";
  ASSERT_TRUE(parse_ws_frame(p, JsonInput::from_string(fast_frame), a).ok());
  ASSERT_TRUE(parse_ws_frame(p, JsonInput::from_string(slow_frame), b).ok());
  EXPECT_EQ(a.depth.first_update_id, 7);
  EXPECT_EQ(a.depth.last_update_id, 9);
  EXPECT_EQ(a.depth.engine_time_us, 2);
  EXPECT_EQ(a.depth.first_update_id, b.depth.first_update_id);
  EXPECT_EQ(a.depth.last_update_id, b.depth.last_update_id);
  expect_same_levels(a.depth.asks, b.depth.asks, "asks");
  expect_same_levels(a.depth.bids, b.depth.bids, "bids");
  ASSERT_EQ(a.depth.asks.size(), 2u);
  EXPECT_EQ(a.depth.asks[1].quantity.raw(), 743'680'000'000);

  // "data" before "stream" (bpsim's order) takes the re-walk path: same answer.
  const std::string data_first =
      R"({"data":{"e":"depth","E":1,"s":"SOL_USDC","a":[["150.12","0"],["150.14","743.68"]],)"
      R"("b":[["149.93","2377.92"]],"U":7,"u":9,"T":2},"stream":"depth.SOL_USDC"})";
  ASSERT_TRUE(parse_ws_frame(p, JsonInput::from_string(data_first), b).ok());
  expect_same_levels(a.depth.asks, b.depth.asks, "asks (data first)");
  expect_same_levels(a.depth.bids, b.depth.bids, "bids (data first)");

  // Truncations of the frame: never accepted (the fast reader is bounded by the document, not the
  // padding), whatever stale bytes follow in the caller's buffer.
  for (std::size_t cut = 1; cut < fast_frame.size(); ++cut) {
    std::string buf = fast_frame;  // the bytes after `cut` stay in the buffer as "slack"
    buf.reserve(buf.size() + kJsonPadding);
    const JsonInput in(buf.data(), cut, buf.capacity());
    EXPECT_FALSE(parse_ws_frame(p, in, b).ok()) << "cut at " << cut;
  }
  // Bad values inside an array still give the ordinary path's error.
  const std::string zero_price = R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":1,"b":[["0","1"]]}})";
  const ParseError e = parse_ws_frame(p, JsonInput::from_string(zero_price), b);
  EXPECT_EQ(e.code, ParseErrc::kBadValue);
  const std::string too_precise =
      R"({"stream":"depth.X","data":{"e":"depth","s":"X","U":1,"u":1,"a":[["1.0000000001","1"]]}})";
  EXPECT_EQ(parse_ws_frame(p, JsonInput::from_string(too_precise), b).code, ParseErrc::kOutOfRange);
}

}  // namespace
}  // namespace bparb::backpack
