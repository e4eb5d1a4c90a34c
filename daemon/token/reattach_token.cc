#include "token/reattach_token.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/random.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace floatlm::token {
namespace {

// Fixed label: these digests are never confused with any other SHA-256 use.
constexpr std::string_view kLabel = "floatlm reattach token v1";

void PutLittleEndian(std::uint64_t v, unsigned char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t Draw() {
  // Drawn 64 at a time so a checkout costs no system call.
  thread_local std::array<std::uint64_t, 64> pool;
  thread_local std::size_t next = pool.size();
  if (next == pool.size()) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(pool.data()), sizeof pool) != 1) {
      ERR_clear_error();
      std::uint64_t v = 0;
      while (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
      }
      return v;
    }
    next = 0;
  }
  const std::uint64_t v = pool[next];
  pool[next++] = 0;  // a handed-out token does not linger in the pool
  return v;
}

}  // namespace

std::uint64_t New() {
  std::uint64_t v = 0;
  while (v == 0) v = Draw();
  return v;
}

Digest Of(std::uint64_t lease_id, std::uint64_t token) {
  unsigned char input[kLabel.size() + 16];
  std::memcpy(input, kLabel.data(), kLabel.size());
  PutLittleEndian(lease_id, input + kLabel.size());
  PutLittleEndian(token, input + kLabel.size() + 8);
  // Fetched once: EVP_sha256() looks the implementation up again on every call, which
  // costs more than the digest of these 41 bytes. Kept for the life of the process.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Digest out{};
  unsigned int size = 0;
  if (sha256 == nullptr ||
      EVP_Digest(input, sizeof input, out.data(), &size, sha256, nullptr) != 1 ||
      size != out.size()) {
    ERR_clear_error();
    // SHA-256 from the default provider does not fail short of memory exhaustion; a
    // lease whose digest cannot be made must not be granted.
    throw std::runtime_error("SHA-256 is unavailable: cannot make a reattach token digest");
  }
  OPENSSL_cleanse(input, sizeof input);
  return out;
}

bool Matches(const Digest& digest, std::uint64_t lease_id, std::uint64_t token) {
  const Digest presented = Of(lease_id, token);
  return CRYPTO_memcmp(presented.data(), digest.data(), digest.size()) == 0;
}

}  // namespace floatlm::token
