#include "bparb/core/json_escape.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace bparb {
namespace {

std::string esc(std::string_view s, Utf8Policy p = Utf8Policy::kPassBytes) {
  std::string out;
  json_escape_append(out, s, p);
  return out;
}

TEST(JsonEscapeTest, PlainTextIsCopied) {
  EXPECT_EQ(esc(""), "");
  EXPECT_EQ(esc("SOL_USDC_PERP"), "SOL_USDC_PERP");
  EXPECT_EQ(esc("a b/c'd"), "a b/c'd");  // '/' and '\'' need no escape
}

TEST(JsonEscapeTest, QuotesAndBackslash) {
  EXPECT_EQ(esc("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(esc("\"\""), "\\\"\\\"");
  EXPECT_EQ(esc("\\"), "\\\\");
}

TEST(JsonEscapeTest, ControlCharacters) {
  EXPECT_EQ(esc("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
  EXPECT_EQ(esc(std::string_view("\x00", 1)), "\\u0000");
  EXPECT_EQ(esc("\x01\x1f"), "\\u0001\\u001f");
  EXPECT_EQ(esc("\x7f"), "\\u007f");
  EXPECT_EQ(esc("x\x1by"), "x\\u001by");
  EXPECT_EQ(esc(" "), " ");  // 0x20 is printable
}

TEST(JsonEscapeTest, AppendsToExistingOutput) {
  std::string out = "{\"k\":\"";
  json_escape_append(out, "v\"1");
  out += "\"}";
  EXPECT_EQ(out, "{\"k\":\"v\\\"1\"}");
}

TEST(JsonEscapeTest, ValidUtf8PassesThroughUnderBothPolicies) {
  for (Utf8Policy p : {Utf8Policy::kPassBytes, Utf8Policy::kReplaceInvalid}) {
    EXPECT_EQ(esc("caf\xc3\xa9 \xe2\x96\xb2 \xf0\x9f\x98\x80", p), "caf\xc3\xa9 \xe2\x96\xb2 \xf0\x9f\x98\x80");
    EXPECT_EQ(esc("\xc3\xa9\"", p), "\xc3\xa9\\\"");
  }
}

TEST(JsonEscapeTest, InvalidUtf8KeptAsBytesByDefault) {
  EXPECT_EQ(esc("bad\xc3"), "bad\xc3");
  EXPECT_EQ(esc("\xff\xfe"), "\xff\xfe");
}

TEST(JsonEscapeTest, InvalidUtf8ReplacedOnRequest) {
  const auto r = Utf8Policy::kReplaceInvalid;
  EXPECT_EQ(esc("bad\xc3", r), "bad\xef\xbf\xbd");                                            // truncated sequence
  EXPECT_EQ(esc("\xc0\xaf", r), "\xef\xbf\xbd\xef\xbf\xbd");                                  // overlong '/'
  EXPECT_EQ(esc("\xed\xa0\x80", r), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");                  // surrogate U+D800
  EXPECT_EQ(esc("\xf4\x90\x80\x80", r), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // > U+10FFFF
  EXPECT_EQ(esc("a\x80z\"", r), "a\xef\xbf\xbdz\\\"");  // stray continuation, then escaping goes on
}

TEST(Utf8SequenceLengthTest, Lengths) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x96\xb2", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("x\xc3\xa9", 1), 2u);
  EXPECT_EQ(utf8_sequence_length("\xc3", 0), 0u);          // truncated
  EXPECT_EQ(utf8_sequence_length("\xa9", 0), 0u);          // continuation byte first
  EXPECT_EQ(utf8_sequence_length("\xe0\x80\xaf", 0), 0u);  // overlong
  EXPECT_EQ(utf8_sequence_length("\xc3\x41", 0), 0u);      // second byte not a continuation
  EXPECT_EQ(utf8_sequence_length("\xf8\x88\x80\x80", 0), 0u);
}

}  // namespace
}  // namespace bparb
