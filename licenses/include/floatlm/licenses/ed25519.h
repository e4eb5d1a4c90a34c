// Ed25519 keys and signatures (OpenSSL 3 EVP). Keys travel as PEM: private keys as
// PKCS#8 ("BEGIN PRIVATE KEY"), public keys as SubjectPublicKeyInfo ("BEGIN PUBLIC
// KEY"), so `openssl pkey`/`openssl pkeyutl` read them. Objects are immutable after
// construction and safe to use from several threads.
#ifndef FLOATLM_LICENSES_ED25519_H_
#define FLOATLM_LICENSES_ED25519_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "floatlm/licenses/result.h"

namespace floatlm::licenses {

using Signature = std::array<std::uint8_t, 64>;

class PublicKey {
 public:
  static Result<PublicKey> FromPem(std::string_view pem);
  std::string ToPem() const;
  // True iff `signature` is a valid Ed25519 signature of `message` by this key.
  bool Verify(std::string_view message, const Signature& signature) const;
  // SHA-256 of this key's 32 raw bytes, `signature` and `message` (32 bytes): names one
  // (key, signature, message) triple, so that a check already made can be remembered.
  // Empty if OpenSSL cannot produce it; an empty digest is never remembered.
  std::string Digest(std::string_view message, const Signature& signature) const;
  // What people compare to tell keys apart: the first 8 bytes of SHA-256 over the key's
  // 32 raw bytes, as hex pairs ("3f:a2:..."). Empty if OpenSSL cannot produce it.
  std::string Fingerprint() const;

 private:
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
  friend class PrivateKey;
};

class PrivateKey {
 public:
  static Result<PrivateKey> Generate();
  static Result<PrivateKey> FromPem(std::string_view pem);
  // From the 32-byte RFC 8032 seed (used for reproducible test vectors).
  static Result<PrivateKey> FromSeed(const std::array<std::uint8_t, 32>& seed);
  std::string ToPem() const;  // PKCS#8, unencrypted: protect the file (mode 0600)
  PublicKey Public() const;
  Signature Sign(std::string_view message) const;

 private:
  struct Impl;
  explicit PrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Signature <-> SIGN value: upper-case hex in space-separated groups of four
// ("0A1B 2C3D ..."). Parsing ignores all whitespace and accepts either case.
std::string FormatSignature(const Signature& signature);
Result<Signature> ParseSignature(std::string_view text);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_ED25519_H_
