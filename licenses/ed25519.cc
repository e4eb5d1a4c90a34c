#include "floatlm/licenses/ed25519.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <cctype>
#include <memory>

namespace floatlm::licenses {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The most recent OpenSSL error, and the queue emptied so it does not leak into
// the next unrelated call.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;  // only called on hex digits
}

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

}  // namespace

struct PublicKey::Impl {
  PkeyPtr key;
};
struct PrivateKey::Impl {
  PkeyPtr key;
};

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return Fail(OpenSslError());
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Fail(fmt::format("not a PEM public key ({})", OpenSslError()));
  if (!IsEd25519(key.get())) return Fail("public key is not an Ed25519 key");
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  return boost::outcome_v2::success(PublicKey(std::move(impl)));
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) return {};
  return BioContents(bio.get());
}

bool PublicKey::Verify(std::string_view message, const Signature& signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  // Ed25519 hashes internally: the digest must be NULL (one-shot API only).
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return ok == 1;
}

std::string PublicKey::Digest(std::string_view message, const Signature& signature) const {
  std::array<unsigned char, 32> raw{};
  std::size_t raw_size = raw.size();
  // Without the key's bytes the digest would not tell keys apart: no digest, and the
  // line is simply checked.
  if (EVP_PKEY_get_raw_public_key(impl_->key.get(), raw.data(), &raw_size) != 1 ||
      raw_size != raw.size()) {
    ERR_clear_error();
    return {};
  }
  // Key and signature have fixed sizes, so the concatenation is unambiguous.
  std::string input(reinterpret_cast<const char*>(raw.data()), raw_size);
  input.append(reinterpret_cast<const char*>(signature.data()), signature.size());
  input.append(message);
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), reinterpret_cast<unsigned char*>(digest.data()), &size,
                 EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};  // an empty digest matches nothing: the line is simply checked
  }
  digest.resize(size);
  return digest;
}

std::string PublicKey::Fingerprint() const {
  std::array<unsigned char, 32> raw{};
  std::size_t raw_size = raw.size();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_PKEY_get_raw_public_key(impl_->key.get(), raw.data(), &raw_size) != 1 ||
      EVP_Digest(raw.data(), raw_size, digest, &size, EVP_sha256(), nullptr) != 1 || size < 8) {
    ERR_clear_error();
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 8; ++i) {
    if (i > 0) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Result<PrivateKey> PrivateKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) return Fail(OpenSslError());
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) return Fail(OpenSslError());
  auto impl = std::make_shared<Impl>();
  impl->key.reset(raw);
  return boost::outcome_v2::success(PrivateKey(std::move(impl)));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return Fail(OpenSslError());
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Fail(fmt::format("not a PEM private key ({})", OpenSslError()));
  if (!IsEd25519(key.get())) return Fail("private key is not an Ed25519 key");
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  return boost::outcome_v2::success(PrivateKey(std::move(impl)));
}

Result<PrivateKey> PrivateKey::FromSeed(const std::array<std::uint8_t, 32>& seed) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) return Fail(OpenSslError());
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  return boost::outcome_v2::success(PrivateKey(std::move(impl)));
}

std::string PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return {};
  }
  return BioContents(bio.get());
}

PublicKey PrivateKey::Public() const {
  // Round trip through the raw 32 bytes: the public half as its own EVP_PKEY.
  std::array<std::uint8_t, 32> raw{};
  std::size_t size = raw.size();
  EVP_PKEY_get_raw_public_key(impl_->key.get(), raw.data(), &size);
  auto impl = std::make_shared<PublicKey::Impl>();
  impl->key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), size));
  return PublicKey(std::move(impl));
}

Signature PrivateKey::Sign(std::string_view message) const {
  Signature signature{};
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = signature.size();
  // Signing with a valid Ed25519 key only fails on allocation failure.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    ERR_clear_error();
    return Signature{};
  }
  return signature;
}

std::string FormatSignature(const Signature& signature) {
  std::string out;
  for (std::size_t i = 0; i < signature.size(); ++i) {
    if (i > 0 && i % 2 == 0) out += ' ';
    out += fmt::format("{:02X}", signature[i]);
  }
  return out;
}

Result<Signature> ParseSignature(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Fail(fmt::format("malformed SIGN: '{}' is not a hex digit", c));
    }
    hex += c;
  }
  Signature signature{};
  if (hex.size() != signature.size() * 2) {
    // FlexLM's own signatures are shorter hex strings (12 to 60 or so digits).
    return Fail(fmt::format("signed by FlexLM's scheme, not floatlm's (a SIGN of {} hex "
                            "digits; floatlm's has {}): re-sign with floatlm-vendor sign",
                            hex.size(), signature.size() * 2));
  }
  for (std::size_t i = 0; i < signature.size(); ++i) {
    signature[i] = static_cast<std::uint8_t>(HexValue(hex[2 * i]) * 16 + HexValue(hex[2 * i + 1]));
  }
  return boost::outcome_v2::success(signature);
}

}  // namespace floatlm::licenses
