// Real certificates for TLS tests, made with the openssl command line in a directory the
// test owns: a CA, a server certificate for 127.0.0.1 (and "localhost") signed by it,
// and a second CA that signed nothing the daemon shows. EC P-256, valid two days.
#ifndef FLOATLM_TESTS_SUPPORT_TEST_CERTS_H_
#define FLOATLM_TESTS_SUPPORT_TEST_CERTS_H_

#include <filesystem>
#include <string>
#include <vector>

namespace floatlm::testing {

struct TestCertificates {
  // Writes the files into `dir`; throws std::runtime_error when openssl fails.
  explicit TestCertificates(const std::filesystem::path& dir);

  std::filesystem::path ca;           // ca.pem: trusts server_cert
  std::filesystem::path server_cert;  // server.pem: CN and SAN 127.0.0.1, DNS localhost
  std::filesystem::path server_key;   // server.key
  std::filesystem::path other_ca;     // other-ca.pem: an unrelated CA

  // "--tls-cert", server_cert, "--tls-key", server_key, then `more`: floatlmd arguments.
  std::vector<std::string> DaemonArgs(std::vector<std::string> more = {}) const;
};

}  // namespace floatlm::testing

#endif  // FLOATLM_TESTS_SUPPORT_TEST_CERTS_H_
