// Helpers shared by the license tests.
#ifndef FLOATLM_TESTS_LICENSES_TEST_UTIL_H_
#define FLOATLM_TESTS_LICENSES_TEST_UTIL_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "floatlm/licenses/diagnostic.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"

namespace floatlm::licenses::testing {

// The README's test-vector key (RFC 8032 seed 00 01 .. 1f).
inline PrivateKey VectorKey() {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
  return PrivateKey::FromSeed(seed).value();
}

inline BuildResult Build(const std::string& text, const std::string& file = "t.lic") {
  return BuildModel({ParseLicenseText(file, text)});
}

// Error diagnostics as "file:line:col: message".
inline std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> out;
  for (const Diagnostic& d : Build(text).diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) out.push_back(d.ToString());
  }
  return out;
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("floatlm-lic-{}-{:x}", ::getpid(), rd());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace floatlm::licenses::testing

#endif  // FLOATLM_TESTS_LICENSES_TEST_UTIL_H_
