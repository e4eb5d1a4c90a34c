#include "server/tls_context.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include <filesystem>
#include <stdexcept>

namespace floatlm::server {
namespace {

// The most specific OpenSSL reason queued, and the queue emptied.
std::string OpenSslReason() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", last);
}

void RequireReadable(const std::string& option, const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw std::runtime_error(fmt::format("{} {}: no such file", option, file));
  }
}

std::string Text(const ASN1_TIME* t) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && ASN1_TIME_print(bio, t) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(n));
  }
  BIO_free(bio);
  return out;
}

std::string Text(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE) >= 0) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(n));
  }
  BIO_free(bio);
  return out;
}

}  // namespace

std::unique_ptr<asio::ssl::context> MakeServerTlsContext(const std::string& cert_file,
                                                         const std::string& key_file,
                                                         TlsCertificateFacts* facts) {
  RequireReadable("--tls-cert", cert_file);
  RequireReadable("--tls-key", key_file);
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_num_tickets(native, 0);
  // OpenSSL frees its record buffers while a connection is idle: most of them are.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    throw std::runtime_error(fmt::format("--tls-cert {}: not a usable PEM certificate ({})",
                                         cert_file, OpenSslReason()));
  }
  const std::string mismatch = fmt::format(
      "--tls-key {}: this key does not belong to the certificate in --tls-cert {}", key_file,
      cert_file);
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate as it loads it.
    const unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      throw std::runtime_error(mismatch);
    }
    throw std::runtime_error(fmt::format("--tls-key {}: not a usable PEM private key ({})",
                                         key_file, OpenSslReason()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw std::runtime_error(mismatch);
  }
  if (facts != nullptr) {
    if (const X509* cert = SSL_CTX_get0_certificate(native)) {
      facts->subject = Text(X509_get_subject_name(cert));
      facts->not_after = Text(X509_get0_notAfter(cert));
    }
  }
  return ctx;
}

}  // namespace floatlm::server
