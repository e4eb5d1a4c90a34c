#include "commands.h"

#include <cstdio>

#include <fmt/format.h>

#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/signature.h"
#include "floatlm/licenses/text_file.h"
#include "key_files.h"

namespace floatlm::vendor {
namespace {

int Error(std::string_view message) {
  fmt::print(stderr, "floatlm-vendor: {}\n", message);
  return 1;
}

}  // namespace

int Keygen(const std::string& prefix) {
  auto key = licenses::PrivateKey::Generate();
  if (!key) return Error(key.error().message);
  std::string key_path = prefix + ".key";
  std::string pub_path = prefix + ".pub";
  if (auto written = WriteNewPrivateFile(key_path, key.value().ToPem()); !written) {
    return Error(written.error().message);
  }
  if (auto written = WriteFile(pub_path, key.value().Public().ToPem()); !written) {
    return Error(written.error().message);
  }
  fmt::print("wrote {} (private, mode 0600) and {} (public)\n", key_path, pub_path);
  return 0;
}

int Sign(const std::string& key_path, const std::string& in, const std::optional<std::string>& out) {
  auto pem = licenses::ReadTextFile(key_path);
  if (!pem) return Error(pem.error().message);
  auto key = licenses::PrivateKey::FromPem(pem.value());
  if (!key) return Error(fmt::format("{}: {}", key_path, key.error().message));
  auto text = licenses::ReadTextFile(in);
  if (!text) return Error(text.error().message);
  auto signed_text = licenses::SignLicenseText(in, text.value(), key.value());
  if (!signed_text) {
    fmt::print(stderr, "{}\n", signed_text.error().message);
    return Error(fmt::format("{}: not signed: fix the lines above", in));
  }
  if (!out) {
    std::fwrite(signed_text.value().data(), 1, signed_text.value().size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : Error("cannot write to standard output");
  }
  if (auto written = WriteFile(*out, signed_text.value()); !written) {
    return Error(written.error().message);
  }
  return 0;
}

int Verify(const std::string& pub_path, const std::string& in) {
  auto pem = licenses::ReadTextFile(pub_path);
  if (!pem) return Error(pem.error().message);
  auto key = licenses::PublicKey::FromPem(pem.value());
  if (!key) return Error(fmt::format("{}: {}", pub_path, key.error().message));
  auto text = licenses::ReadTextFile(in);
  if (!text) return Error(text.error().message);
  licenses::VerifyReport report = licenses::VerifyLicenseText(in, text.value(), key.value());
  for (const licenses::Diagnostic& d : report.parse_errors) fmt::print("{}\n", d.ToString());
  for (const licenses::Rejection& r : report.failures) fmt::print("{}\n", r.ToString());
  fmt::print("{}: {} signed line{}, {} verified, {} failed{}\n", in, report.signed_lines,
             report.signed_lines == 1 ? "" : "s", report.verified, report.failures.size(),
             report.parse_errors.empty()
                 ? ""
                 : fmt::format(", {} unreadable", report.parse_errors.size()));
  return report.ok() ? 0 : 1;
}

}  // namespace floatlm::vendor
