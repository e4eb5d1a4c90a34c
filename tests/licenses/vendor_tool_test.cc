// Drives the real floatlm-vendor binary: keygen, sign, verify, tampering, usage.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_util.h"

namespace floatlm::licenses {
namespace {

using testing::TempDir;

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs floatlm-vendor with `args` (already shell-quoted) and captures its output.
Run Vendor(const TempDir& dir, const std::string& args) {
  std::string command = fmt::format("'{}/floatlm-vendor' {} >'{}' 2>'{}'", FLOATLM_BIN_DIR, args,
                                    (dir / "stdout").string(), (dir / "stderr").string());
  int status = std::system(command.c_str());
  Run run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = Slurp(dir / "stdout");
  run.err = Slurp(dir / "stderr");
  return run;
}

constexpr const char* kLicense =
    "# issued to Example Engineering Ltd\n"
    "SERVER lic1 0A1B2C3D4E5F 27000\n"
    "VENDOR acme port=2080\n"
    "FEATURE draw acme 2027.0 31-dec-2027 5 DUP_GROUP=UH\n"
    "INCREMENT paint acme 1.0 permanent 3 \\\n"
    "    NOTICE=\"Site licence\"\n";

BOOST_AUTO_TEST_SUITE(vendor_tool)

BOOST_AUTO_TEST_CASE(keygen_sign_verify_and_tamper) {
  TempDir dir;
  std::string prefix = (dir / "acme").string();
  Run keygen = Vendor(dir, fmt::format("keygen --out '{}'", prefix));
  BOOST_REQUIRE_MESSAGE(keygen.exit_code == 0, keygen.err);
  struct stat info {};
  BOOST_REQUIRE(::stat((prefix + ".key").c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0600u);
  BOOST_TEST(Slurp(prefix + ".key").find("-----BEGIN PRIVATE KEY-----") == 0u);
  BOOST_TEST(Slurp(prefix + ".pub").find("-----BEGIN PUBLIC KEY-----") == 0u);

  // keygen never overwrites an existing key.
  BOOST_TEST(Vendor(dir, fmt::format("keygen --out '{}'", prefix)).exit_code == 1);

  std::ofstream(dir / "in.lic") << kLicense;
  Run sign = Vendor(dir, fmt::format("sign --key '{}.key' '{}' -o '{}'", prefix,
                                     (dir / "in.lic").string(), (dir / "out.lic").string()));
  BOOST_REQUIRE_MESSAGE(sign.exit_code == 0, sign.err);
  std::string signed_text = Slurp(dir / "out.lic");
  BOOST_TEST(signed_text.find("# issued to Example Engineering Ltd\n") == 0u);

  // Without -o the signed file goes to stdout, identical.
  Run to_stdout = Vendor(dir, fmt::format("sign --key '{}.key' '{}'", prefix, (dir / "in.lic").string()));
  BOOST_TEST(to_stdout.exit_code == 0);
  BOOST_TEST(to_stdout.out == signed_text);

  Run verify = Vendor(dir, fmt::format("verify --pub '{}.pub' '{}'", prefix, (dir / "out.lic").string()));
  BOOST_TEST(verify.exit_code == 0);
  BOOST_TEST(verify.out.find("2 signed lines, 2 verified, 0 failed") != std::string::npos);

  // Re-signing a signed file works and changes nothing.
  Run resign = Vendor(dir, fmt::format("sign --key '{}.key' '{}' -o '{}'", prefix,
                                       (dir / "out.lic").string(), (dir / "again.lic").string()));
  BOOST_TEST(resign.exit_code == 0);
  BOOST_TEST(Slurp(dir / "again.lic") == signed_text);

  // One character changed inside the INCREMENT line (3 seats -> 4); the FEATURE
  // line above it (lines 4-5 once signed) still verifies.
  std::string tampered = signed_text;
  std::size_t at = tampered.find("permanent 3");
  BOOST_REQUIRE(at != std::string::npos);
  tampered[at + 10] = '4';
  std::ofstream(dir / "bad.lic") << tampered;
  Run bad = Vendor(dir, fmt::format("verify --pub '{}.pub' '{}'", prefix, (dir / "bad.lic").string()));
  BOOST_TEST(bad.exit_code == 1);
  BOOST_TEST(bad.out.find((dir / "bad.lic").string() + ":6: signature does not verify") != std::string::npos);
  BOOST_TEST(bad.out.find(":4:") == std::string::npos);
  BOOST_TEST(bad.out.find("2 signed lines, 1 verified, 1 failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sign_reports_bad_input_with_positions) {
  TempDir dir;
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", (dir / "k").string())).exit_code == 0);
  std::ofstream(dir / "in.lic") << "FEATURE f acme 1.0 31-feb-2027 1\nFEATURE g acme 1.0 permanent \"x\n";
  Run run = Vendor(dir, fmt::format("sign --key '{}' '{}'", (dir / "k.key").string(), (dir / "in.lic").string()));
  BOOST_TEST(run.exit_code == 1);
  std::string in = (dir / "in.lic").string();
  BOOST_TEST(run.err.find(in + ":1:20: expiry: impossible date '31-feb-2027'") != std::string::npos);
  BOOST_TEST(run.err.find(in + ":2:30: unterminated quoted value") != std::string::npos);
  BOOST_TEST(run.out.empty());
}

BOOST_AUTO_TEST_CASE(missing_files_are_errors_not_crashes) {
  TempDir dir;
  Run run = Vendor(dir, fmt::format("verify --pub '{}' '{}'", (dir / "none.pub").string(),
                                    (dir / "none.lic").string()));
  BOOST_TEST(run.exit_code == 1);
  BOOST_TEST(run.err.find("none.pub: cannot read") != std::string::npos);
  std::ofstream(dir / "not-a-key") << "hello";
  std::ofstream(dir / "x.lic") << kLicense;
  Run bad_key = Vendor(dir, fmt::format("sign --key '{}' '{}'", (dir / "not-a-key").string(),
                                        (dir / "x.lic").string()));
  BOOST_TEST(bad_key.exit_code == 1);
  BOOST_TEST(bad_key.err.find("not a PEM private key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  TempDir dir;
  for (const char* args : {"", "frobnicate", "keygen", "keygen --out", "sign --key k.key",
                           "sign in.lic", "verify --pub p.pub", "verify in.lic", "keygen --bogus x",
                           "sign --key k.key a.lic b.lic", "embed", "embed --pub p.pub",
                           "embed --vendor acme"}) {
    Run run = Vendor(dir, args);
    BOOST_TEST(run.exit_code == 2, "args: '" << args << "'");
    BOOST_TEST(run.err.find("usage: floatlm-vendor") != std::string::npos, args);
  }
  Run help = Vendor(dir, "--help");
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.out.find("usage:") != std::string::npos);
  for (const char* command : {"keygen", "sign", "verify", "check", "embed"}) {
    for (const char* flag : {"--help", "-h"}) {
      Run sub = Vendor(dir, fmt::format("{} {}", command, flag));
      BOOST_TEST(sub.exit_code == 0, command << " " << flag << ": " << sub.err);
      BOOST_TEST(sub.out.find(fmt::format("floatlm-vendor {} ", command)) != std::string::npos,
                 sub.out);
      BOOST_TEST(sub.out.find("options:\n") != std::string::npos, sub.out);
      BOOST_TEST(sub.out.find("--input") == std::string::npos, sub.out);  // no Boost internals
    }
  }
}

// `check` reads a vendor's FlexLM file before it is re-signed (no key needed) and lists
// where floatlm reads it differently; it exits 1 when floatlm would reject a line.
BOOST_AUTO_TEST_CASE(check_lists_where_floatlm_reads_a_flexlm_file_differently) {
  TempDir dir;
  std::ofstream(dir / "flex.lic") << "SERVER lic1 0A1B2C3D4E5F 27000\nVENDOR acme\n"
                                     "FEATURE viewer acme 1.0 permanent uncounted 0123456789AB\n"
                                     "INCREMENT cad acme 1.0 permanent 5 OVERDRAFT=2 DUP_GROUP=UH\n";
  const std::string file = (dir / "flex.lic").string();
  Run run = Vendor(dir, fmt::format("check '{}'", file));
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(run.out.find(file + ":3:1: warning: uncounted line without HOSTID") != std::string::npos,
             run.out);
  BOOST_TEST(run.out.find(file + ":4:36: warning: OVERDRAFT=2") != std::string::npos, run.out);
  BOOST_TEST(run.out.find(file + ": 2 pool(s), 0 package(s); 0 line(s) floatlm would reject, 4 "
                                 "place(s) where floatlm reads the file differently from FlexLM") !=
                 std::string::npos,
             run.out);
  std::ofstream(dir / "bad.lic") << "FEATURE f acme 1.0 31-feb-2027 1\n";
  Run bad = Vendor(dir, fmt::format("check '{}'", (dir / "bad.lic").string()));
  BOOST_TEST(bad.exit_code == 1);
  BOOST_TEST(bad.out.find("error: ") != std::string::npos, bad.out);
}

// Copy-paste damage is refused before it is signed into a line; an empty options= on a
// VENDOR line (a template placeholder) is a warning; a FlexLM signature is named as such.
BOOST_AUTO_TEST_CASE(signing_hygiene) {
  TempDir dir;
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", (dir / "k").string())).exit_code == 0);
  const auto sign = [&](const std::string& text) {
    std::ofstream(dir / "in.lic", std::ios::trunc) << text;
    return Vendor(dir, fmt::format("sign --key '{}' '{}' -o '{}'", (dir / "k.key").string(),
                                   (dir / "in.lic").string(), (dir / "out.lic").string()));
  };
  const std::string in = (dir / "in.lic").string();
  Run curly = sign("VENDOR acme\nFEATURE cad acme 1.0 permanent 5 NOTICE=\u201CAcme Corp\u201D\n");
  BOOST_TEST(curly.exit_code == 1);
  BOOST_TEST(curly.err.find(in + ":2:41: typographic quote '\u201C' (copy-paste damage?): write "
                            "straight double quotes (\")") != std::string::npos,
             curly.err);
  Run inches = sign("VENDOR acme\nFEATURE cad acme 1.0 permanent 5 NOTICE=\u2033x\u2033\n");
  BOOST_TEST(inches.exit_code == 1);
  // Inside straight quotes they are text, and signed as such.
  BOOST_TEST(sign("VENDOR acme\nFEATURE cad acme 1.0 permanent 5 NOTICE=\"Acme \u201CPro\u201D\"\n")
                 .exit_code == 0);
  Run hex = sign("VENDOR acme\nFEATURE cad acme 1.0 permanent 5 SIGN=0A1B 2C3D 4E5F\n");
  BOOST_TEST(hex.exit_code == 1);
  BOOST_TEST(hex.err.find("'2C3D' after SIGN= looks like part of an unquoted signature") !=
                 std::string::npos,
             hex.err);
  Run empty = sign("VENDOR acme options=\nFEATURE cad acme 1.0 permanent 5\n");
  BOOST_TEST(empty.exit_code == 0, empty.err);
  BOOST_TEST(empty.err.find(in + ":1:13: warning: empty options= ignored") != std::string::npos,
             empty.err);

  std::ofstream(dir / "flexlm.lic") << "VENDOR acme\nFEATURE cad acme 1.0 permanent 5 SIGN=\"0A1B "
                                       "2C3D 4E5F 6A7B 8C9D 0E1F 2A3B 4C5D 6E7F 8A9B 0C1D 2E3F "
                                       "4A5B 6C7D 8E9F\"\n";
  Run foreign = Vendor(dir, fmt::format("verify --pub '{}' '{}'", (dir / "k.pub").string(),
                                        (dir / "flexlm.lic").string()));
  BOOST_TEST(foreign.exit_code == 1);
  BOOST_TEST(foreign.out.find("signed by FlexLM's scheme, not floatlm's (a SIGN of 60 hex digits; "
                              "floatlm's has 128): re-sign with floatlm-vendor sign") !=
                 std::string::npos,
             foreign.out + foreign.err);
}

BOOST_AUTO_TEST_CASE(sign_says_what_it_signed_and_verify_names_the_key_that_failed) {
  TempDir dir;
  const std::string prefix = (dir / "acme").string();
  const std::string other = (dir / "other").string();
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", prefix)).exit_code == 0);
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", other)).exit_code == 0);
  std::ofstream(dir / "in.lic") << kLicense;
  const std::string in = (dir / "in.lic").string();
  const std::string out = (dir / "out.lic").string();
  Run sign = Vendor(dir, fmt::format("sign --key '{}.key' '{}' -o '{}'", prefix, in, out));
  BOOST_REQUIRE_MESSAGE(sign.exit_code == 0, sign.err);
  BOOST_TEST(sign.err.find("signed 2 lines (FEATURE draw, INCREMENT paint) of vendor acme in " +
                           in + " with " + prefix + ".key (public key ") != std::string::npos,
             sign.err);
  BOOST_TEST(sign.err.find("wrote " + out) != std::string::npos, sign.err);
  Run wrong = Vendor(dir, fmt::format("verify --pub '{}.pub' '{}'", other, out));
  BOOST_TEST(wrong.exit_code == 1);
  BOOST_TEST(wrong.out.find("none of its 2 lines (FEATURE draw, INCREMENT paint) of vendor acme "
                            "verifies with " + other + ".pub (public key ") != std::string::npos,
             wrong.out);
  // The fingerprint printed is the one sign printed for the other key's pair, not acme's.
  const auto fingerprint = [](const std::string& text) {
    const std::size_t at = text.find("(public key ");
    return at == std::string::npos ? std::string() : text.substr(at + 12, 23);
  };
  BOOST_TEST(fingerprint(wrong.out) != fingerprint(sign.err));
  BOOST_TEST(fingerprint(wrong.out).size() == 23u);
}

BOOST_AUTO_TEST_CASE(embed_writes_the_public_key_as_a_c_header) {
  TempDir dir;
  const std::string prefix = (dir / "acme").string();
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", prefix)).exit_code == 0);
  const std::string header = (dir / "acme_key.h").string();
  Run embed = Vendor(dir, fmt::format("embed --pub '{}.pub' --vendor acme -o '{}'", prefix, header));
  BOOST_REQUIRE_MESSAGE(embed.exit_code == 0, embed.err);
  const std::string text = Slurp(header);
  BOOST_TEST(text.find("#include <floatlm/floatlm.h>") != std::string::npos);
  BOOST_TEST(text.find("static const char floatlm_vendor_key_acme[] =") != std::string::npos);
  BOOST_TEST(text.find("\"-----BEGIN PUBLIC KEY-----\\n\"") != std::string::npos);
  BOOST_TEST(text.find("floatlm_options_add_vendor_key(options, \"acme\", floatlm_vendor_key_acme)") !=
             std::string::npos);
  // The PEM inside the literal is the key file's.
  std::string pem;
  for (std::size_t at = text.find("    \""); at != std::string::npos; at = text.find("    \"", at + 1)) {
    const std::size_t end = text.find("\\n\"", at);
    pem += text.substr(at + 5, end - at - 5) + "\n";
  }
  BOOST_TEST(pem == Slurp(prefix + ".pub"));
  // Without -o the header goes to standard output; a dash in the name is kept in the
  // string and becomes '_' in identifiers.
  Run out = Vendor(dir, fmt::format("embed --pub '{}.pub' --vendor my-co", prefix));
  BOOST_TEST(out.exit_code == 0);
  BOOST_TEST(out.out.find("floatlm_trust_my_co(floatlm_options_t* options)") != std::string::npos);
  BOOST_TEST(out.out.find("\"my-co\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(embed_refuses_what_is_not_a_vendor_or_a_public_key) {
  TempDir dir;
  const std::string prefix = (dir / "acme").string();
  BOOST_REQUIRE(Vendor(dir, fmt::format("keygen --out '{}'", prefix)).exit_code == 0);
  Run bad_name = Vendor(dir, fmt::format("embed --pub '{}.pub' --vendor 'a\"b'", prefix));
  BOOST_TEST(bad_name.exit_code == 1);
  BOOST_TEST(bad_name.err.find("is not a vendor name") != std::string::npos, bad_name.err);
  Run private_key = Vendor(dir, fmt::format("embed --pub '{}.key' --vendor acme", prefix));
  BOOST_TEST(private_key.exit_code == 1);
  BOOST_TEST(private_key.err.find(prefix + ".key") != std::string::npos, private_key.err);
  Run missing = Vendor(dir, "embed --pub /nonexistent.pub --vendor acme");
  BOOST_TEST(missing.exit_code == 1);
  BOOST_TEST(missing.err.find("/nonexistent.pub") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
