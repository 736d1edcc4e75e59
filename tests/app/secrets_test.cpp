#include "bparb/app/secrets.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "app_test_util.hpp"

namespace bparb::app {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kApiKey;
using testing::kSeed32;
using testing::kSeed64;
using ::testing::Not;
using ::testing::StartsWith;

// A second, unrelated test seed: bytes 0x20..0x3f.
constexpr const char* kOtherSeed = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

// The error text must not contain the secret or a recognisable piece of it.
void expect_no_secret(const std::string& text, const std::string& secret) {
  EXPECT_THAT(text, Not(HasSubstr(secret)));
  for (std::size_t i = 0; i + 12 <= secret.size(); i += 4) {
    EXPECT_THAT(text, Not(HasSubstr(secret.substr(i, 12)))) << "piece at " << i;
  }
}

std::string derive_error(const std::string& priv, const std::string& api = "") {
  try {
    (void)derive_api_key(priv, api);
  } catch (const SecretsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected SecretsError";
  return {};
}

SecretsOptions options(const std::map<std::string, std::string>& env, const std::string& env_file,
                       std::shared_ptr<Redactor> redactor = std::make_shared<Redactor>()) {
  SecretsOptions o;
  o.env_file = env_file;
  o.getenv = [env](std::string_view k) -> std::optional<std::string> {
    auto it = env.find(std::string(k));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  o.redactor = std::move(redactor);
  return o;
}

std::string load_error(const SecretsOptions& o) {
  try {
    (void)load_credentials(o);
  } catch (const SecretsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected SecretsError";
  return {};
}

// ---------------------------------------------------------------------------------------------------
// Key validation.

TEST(SecretsKeys, ThirtyTwoByteSeedDerivesTheApiKey) {
  EXPECT_EQ(derive_api_key(kSeed32, ""), kApiKey);
}

TEST(SecretsKeys, SixtyFourByteSeedAndPublicKeyAccepted) {
  EXPECT_EQ(derive_api_key(kSeed64, ""), kApiKey);
  EXPECT_EQ(derive_api_key(kSeed64, kApiKey), kApiKey);
}

TEST(SecretsKeys, MatchingApiKeyAccepted) {
  EXPECT_EQ(derive_api_key(kSeed32, kApiKey), kApiKey);
}

TEST(SecretsKeys, MismatchedPublicHalfRejected) {
  std::string bad = kSeed64;
  bad[50] = bad[50] == 'A' ? 'B' : 'A';  // inside the public half (chars 43..87)
  const std::string e = derive_error(bad);
  EXPECT_THAT(e, StartsWith("BACKPACK_PRIVATE_KEY is a 64-byte key whose public half (last 32 bytes) does not match "
                            "its seed"));
  expect_no_secret(e, bad);
  expect_no_secret(e, kSeed32);
}

TEST(SecretsKeys, ApiKeyFromAnotherKeyRejected) {
  const std::string other_api = derive_api_key(kOtherSeed, "");
  ASSERT_NE(other_api, kApiKey);
  const std::string e = derive_error(kSeed32, other_api);
  EXPECT_THAT(e, StartsWith("BACKPACK_API_KEY does not match the public key derived from BACKPACK_PRIVATE_KEY "
                            "(derived key starts with A6EHv/PO): they belong to different API keys"));
  expect_no_secret(e, kSeed32);
  expect_no_secret(e, other_api);
}

TEST(SecretsKeys, MalformedApiKeyRejected) {
  EXPECT_THAT(derive_error(kSeed32, "not-a-key"),
              StartsWith("BACKPACK_API_KEY is not a base64 ED25519 public key (it contains '-' or '_'"));
  EXPECT_THAT(derive_error(kSeed32, kSeed64), StartsWith("BACKPACK_API_KEY is not a base64 ED25519 public key "
                                                         "(decodes to 64 bytes)"));
}

TEST(SecretsKeys, BadBase64Rejected) {
  const std::string garbage = "this is not base64 at all, but it is secret!!";
  std::string e = derive_error(garbage);
  EXPECT_THAT(e, StartsWith("BACKPACK_PRIVATE_KEY is not valid base64 (it contains whitespace); expected standard "
                            "base64"));
  expect_no_secret(e, garbage);

  std::string url_safe = kSeed64;  // '+' and '/' → URL-safe alphabet
  for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  e = derive_error(url_safe);
  EXPECT_THAT(e, HasSubstr("URL-safe base64; Backpack keys use the standard alphabet"));
  expect_no_secret(e, url_safe);

  e = derive_error(std::string(kSeed32).substr(0, 43));  // padding cut off
  EXPECT_THAT(e, HasSubstr("not a multiple of 4"));
}

TEST(SecretsKeys, WrongLengthRejected) {
  const std::string b31 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==";  // 31 bytes
  const std::string e = derive_error(b31);
  EXPECT_EQ(e,
            "BACKPACK_PRIVATE_KEY decodes to 31 bytes; expected 32 (ED25519 seed, as Backpack issues it) or 64 "
            "(seed followed by public key)");
  EXPECT_THAT(derive_error(""), StartsWith("BACKPACK_PRIVATE_KEY is empty"));
  EXPECT_THAT(derive_error(std::string(500, 'A')), HasSubstr("far too long"));
}

// ---------------------------------------------------------------------------------------------------
// Sources and precedence.

TEST(SecretsLoad, EnvironmentWinsOverDotEnv) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  testing::write_file(env_file, std::string("BACKPACK_PRIVATE_KEY=") + kOtherSeed + "\n");
  const Credentials c = load_credentials(options({{"BACKPACK_PRIVATE_KEY", kSeed32}}, env_file));
  EXPECT_EQ(c.private_key_base64, kSeed32);
  EXPECT_EQ(c.private_key_source, "environment");
  EXPECT_EQ(c.api_key, kApiKey);
  EXPECT_EQ(c.api_key_source, "derived");
}

TEST(SecretsLoad, PrecedenceIsPerVariable) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  testing::write_file(env_file,
                      std::string("BACKPACK_PRIVATE_KEY=") + kOtherSeed + "\nBACKPACK_API_KEY=" + kApiKey + "\n");
  const Credentials c = load_credentials(options({{"BACKPACK_PRIVATE_KEY", kSeed64}}, env_file));
  EXPECT_EQ(c.private_key_base64, kSeed64);
  EXPECT_EQ(c.private_key_source, "environment");
  EXPECT_EQ(c.api_key, kApiKey);
  EXPECT_EQ(c.api_key_source, env_file);
  EXPECT_EQ(c.fingerprint(), "A6EHv/PO...");
}

TEST(SecretsLoad, FromDotEnvOnly) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  testing::write_file(env_file, std::string("# keys for the live account\nexport BACKPACK_API_KEY=\"") + kApiKey +
                                    "\"\r\nBACKPACK_PRIVATE_KEY='" + kSeed32 + "'  # from the UI\r\n");
  // An empty exported variable counts as unset and does not shadow the .env value.
  const Credentials c = load_credentials(options({{"BACKPACK_PRIVATE_KEY", ""}}, env_file));
  EXPECT_EQ(c.private_key_base64, kSeed32);
  EXPECT_EQ(c.private_key_source, env_file);
  EXPECT_EQ(c.api_key_source, env_file);
  EXPECT_EQ(c.api_key, kApiKey);
  EXPECT_THAT(c.warnings, IsEmpty()) << "mode 0600 gives no warning";
}

TEST(SecretsLoad, MissingEverywhereSaysWhereItLooked) {
  testing::ScratchDir dir;
  const std::string e = load_error(options({}, dir.file("absent.env")));
  EXPECT_THAT(e, StartsWith("BACKPACK_PRIVATE_KEY is not set: export it, or add BACKPACK_PRIVATE_KEY=<base64 seed> "
                            "to the .env file (" +
                            dir.file("absent.env") + " not found"));
  testing::write_file(dir.file(".env"), "OTHER=1\n");
  EXPECT_THAT(load_error(options({}, dir.file(".env"))), HasSubstr(dir.file(".env") + " has no BACKPACK_PRIVATE_KEY"));
}

TEST(SecretsLoad, DotEnvPermissionWarning) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  testing::write_file(env_file, std::string("BACKPACK_PRIVATE_KEY=") + kSeed32 + "\n", 0644);
  const Credentials c = load_credentials(options({}, env_file));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], env_file + " is accessible by group/others (mode 0644); it holds API keys: run 'chmod 600 " +
                               env_file + "'");
  expect_no_secret(c.warnings[0], kSeed32);
  ::chmod(env_file.c_str(), 0640);
  EXPECT_THAT(env_file_permission_warning(env_file), HasSubstr("(mode 0640)"));
  ::chmod(env_file.c_str(), 0400);
  EXPECT_EQ(env_file_permission_warning(env_file), "");
  EXPECT_EQ(env_file_permission_warning(dir.file("missing")), "");
}

TEST(SecretsLoad, InvalidKeysNeverAppearInErrors) {
  testing::ScratchDir dir;
  std::string tampered = kSeed64;
  tampered[60] = tampered[60] == 'x' ? 'y' : 'x';
  const std::string other_api = derive_api_key(kOtherSeed, "");
  struct Case {
    std::map<std::string, std::string> env;
    std::string secret;
  };
  const Case cases[] = {
      {{{"BACKPACK_PRIVATE_KEY", tampered}}, tampered},
      {{{"BACKPACK_PRIVATE_KEY", kSeed32}, {"BACKPACK_API_KEY", other_api}}, kSeed32},
      {{{"BACKPACK_PRIVATE_KEY", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="}},
       "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="},
  };
  for (const auto& c : cases) {
    auto redactor = std::make_shared<Redactor>();
    const std::string e = load_error(options(c.env, dir.file("none"), redactor));
    EXPECT_FALSE(e.empty());
    expect_no_secret(e, c.secret);
    // Even a rejected private key is registered, so a later log line cannot leak it.
    EXPECT_TRUE(redactor->contains_secret("x" + c.secret + "x"));
  }
}

TEST(SecretsLoad, RegistersEverySpellingWithTheRedactor) {
  auto redactor = std::make_shared<Redactor>();
  const Credentials c = load_credentials(options({{"BACKPACK_PRIVATE_KEY", kSeed32}}, "", redactor));
  EXPECT_EQ(c.api_key, kApiKey);
  EXPECT_EQ(redactor->redact(std::string("a ") + kSeed32 + " b"), "a [REDACTED] b");
  EXPECT_EQ(redactor->redact(std::string("64:") + kSeed64), "64:[REDACTED]");
  EXPECT_EQ(redactor->redact("hex 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "hex [REDACTED]");
  EXPECT_EQ(redactor->redact(std::string("key=") + kApiKey), "key=[REDACTED]");
  EXPECT_EQ(redactor->redact("fingerprint " + c.fingerprint()), "fingerprint A6EHv/PO...");
}

TEST(SecretsLoad, MalformedDotEnvNamesLineButNotContent) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  testing::write_file(env_file, std::string("# ok\nBACKPACK_PRIVATE_KEY ") + kSeed32 + "\n");
  const std::string e = load_error(options({}, env_file));
  EXPECT_EQ(e, env_file + ":2: expected KEY=VALUE (KEY made of letters, digits and '_')");
  expect_no_secret(e, kSeed32);
}

TEST(SecretsLoad, SigningKeyAgreesWithTheCredentialsCheck) {
  for (const char* secret : {kSeed32, kSeed64}) {
    const Credentials c = load_credentials(options({{"BACKPACK_PRIVATE_KEY", secret}}, ""));
    const backpack::SigningKey key = make_signing_key(c);
    EXPECT_EQ(key.public_key_base64(), kApiKey);
    // docs/backpack.md §1.5 vector: proves the key signs, not just derives.
    EXPECT_EQ(key.sign_base64("instruction=balanceQuery&timestamp=1614550000000&window=5000"),
              "nYfMx/rzW4i3vncDLl8SNxrjlZerfdUU1YvITOiclzGv0wbH0+CUQs4pH1hDKd/nhuhm1kBMs99y82z2j0gkDg==");
  }
}

// ---------------------------------------------------------------------------------------------------
// .env parser.

TEST(EnvParser, HandlesQuotesCommentsExportAndCrlf) {
  const EnvFile f = parse_env_text(
      "# comment\n"
      "\n"
      "A=plain value  # trailing comment\r\n"
      "export B = \"double \\\"quoted\\\" \\n and # not a comment\"  # comment\n"
      "C='single # kept \\n literal'\n"
      "D=\n"
      "E=abc#def\n"
      "A=override\n",
      "x.env");
  ASSERT_NE(f.find("A"), nullptr);
  EXPECT_EQ(*f.find("A"), "override");
  EXPECT_EQ(*f.find("B"), "double \"quoted\" \n and # not a comment");
  EXPECT_EQ(*f.find("C"), "single # kept \\n literal");
  EXPECT_EQ(*f.find("D"), "");
  EXPECT_EQ(*f.find("E"), "abc#def");
  EXPECT_EQ(f.find("F"), nullptr);
  EXPECT_EQ(f.entries.size(), 6u);
}

TEST(EnvParser, ErrorsNameFileAndLine) {
  const auto error_of = [](const std::string& text) -> std::string {
    try {
      (void)parse_env_text(text, "x.env");
    } catch (const SecretsError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of("A=1\nsecretvalue\n"), "x.env:2: expected KEY=VALUE (KEY made of letters, digits and '_')");
  EXPECT_EQ(error_of("1A=x\n"), "x.env:1: expected KEY=VALUE (KEY made of letters, digits and '_')");
  EXPECT_EQ(error_of("A=\"open secret\n"), "x.env:1: unterminated double quote (multi-line values are not supported)");
  EXPECT_EQ(error_of("A='open secret\n"), "x.env:1: unterminated single quote");
  EXPECT_EQ(error_of("A=\"x\" secret\n"),
            "x.env:1: unexpected text after the closing quote; allowed: KEY=\"VALUE\" [# comment]");
}

// ---------------------------------------------------------------------------------------------------
// Redactor.

TEST(RedactorTest, MasksEveryOccurrenceLongestFirst) {
  Redactor r;
  r.add_secret("short");  // < 8 characters: ignored
  r.add_secret("secret-one");
  r.add_secret("secret-one-and-more");
  EXPECT_FALSE(r.contains_secret("short and sweet"));
  EXPECT_TRUE(r.contains_secret("xx secret-one yy"));
  EXPECT_EQ(r.redact("a secret-one b secret-one-and-more c secret-one"), "a [REDACTED] b [REDACTED] c [REDACTED]");
  std::string s = "nothing here";
  EXPECT_FALSE(r.redact_in_place(s));
  EXPECT_EQ(s, "nothing here");
  EXPECT_TRUE(Redactor().empty());
}

// ---------------------------------------------------------------------------------------------------
// The control token.

std::string token_error(const SecretsOptions& o) {
  try {
    (void)load_control_token(o);
  } catch (const SecretsError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected SecretsError";
  return {};
}

TEST(SecretsControlToken, AbsentMeansDisabledNotAnError) {
  testing::ScratchDir dir;
  const ControlToken t = load_control_token(options({{"BPARB_CONTROL_TOKEN", "  "}}, dir.file("missing.env")));
  EXPECT_FALSE(t.configured());
  EXPECT_EQ(t.source, "");
}

TEST(SecretsControlToken, EnvironmentFirstThenDotEnvAndRegisteredWithTheRedactor) {
  testing::ScratchDir dir;
  const std::string env_file = dir.file(".env");
  const std::string from_file = "file-token-0123456789abcdef";
  testing::write_file(env_file,
                      "BACKPACK_PRIVATE_KEY=" + std::string(kSeed32) + "\nBPARB_CONTROL_TOKEN=" + from_file + "\n");
  auto redactor = std::make_shared<Redactor>();
  ControlToken t =
      load_control_token(options({{"BPARB_CONTROL_TOKEN", " env-token-0123456789abcdef "}}, env_file, redactor));
  EXPECT_EQ(t.value, "env-token-0123456789abcdef");
  EXPECT_EQ(t.source, "environment");
  t = load_control_token(options({}, env_file, redactor));
  EXPECT_EQ(t.value, from_file);
  EXPECT_EQ(t.source, env_file);
  EXPECT_TRUE(t.warnings.empty());
  EXPECT_EQ(redactor->redact("a env-token-0123456789abcdef b " + from_file), "a [REDACTED] b [REDACTED]");
  EXPECT_FALSE(redactor->contains_secret(kSeed32));  // the keys in the same file are not read here
}

TEST(SecretsControlToken, WeakOrOddTokensAreRefusedWithoutEchoingThem) {
  testing::ScratchDir dir;
  const std::string none = dir.file("none.env");
  for (const std::string& bad :
       {std::string("fifteen-chars15"), std::string(257, 'a'), std::string("has space in it 0123"),
        std::string("quote\"0123456789abcdef"), std::string("tab\t0123456789abcdef")}) {
    const std::string e = token_error(options({{"BPARB_CONTROL_TOKEN", bad}}, none));
    EXPECT_THAT(e, StartsWith("BPARB_CONTROL_TOKEN (from environment) ")) << e;
    EXPECT_THAT(e, HasSubstr("openssl rand -hex 32")) << e;
    EXPECT_THAT(e, Not(HasSubstr(bad.substr(0, 12)))) << e;
  }
  EXPECT_THAT(token_error(options({{"BPARB_CONTROL_TOKEN", "fifteen-chars15"}}, none)),
              HasSubstr("is 15 characters; at least 16 are required"));
  const std::string ok = "AZaz09-._~+/=0123";
  EXPECT_EQ(load_control_token(options({{"BPARB_CONTROL_TOKEN", ok}}, none)).value, ok);
}

}  // namespace
}  // namespace bparb::app
