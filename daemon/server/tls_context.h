// The daemon's TLS settings for the client port: one OpenSSL server context built
// from --tls-cert/--tls-key at start-up and shared by every TLS session.
//
// TLS 1.2 is the floor and 1.3 is preferred; renegotiation and session tickets are off
// (clients do not resume, and an idle connection should hold as little as possible).
// Built once before the loop starts; used only on the server's event loop.
#ifndef FLOATLM_DAEMON_SERVER_TLS_CONTEXT_H_
#define FLOATLM_DAEMON_SERVER_TLS_CONTEXT_H_

#include "asio/asio.h"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace floatlm::server {

// What --check-config and the start-up log say about the certificate.
struct TlsCertificateFacts {
  std::string subject;    // e.g. "CN = license.example.com"
  std::string not_after;  // e.g. "Dec  2 09:00:00 2027 GMT"
};

// Loads the certificate chain and the key and checks that they belong together.
// Throws std::runtime_error with a sentence naming the file at fault.
std::unique_ptr<asio::ssl::context> MakeServerTlsContext(const std::string& cert_file,
                                                         const std::string& key_file,
                                                         TlsCertificateFacts* facts = nullptr);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_TLS_CONTEXT_H_
