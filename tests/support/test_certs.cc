#include "test_certs.h"

#include <fstream>
#include <stdexcept>

#include "daemon_fixture.h"

namespace floatlm::testing {
namespace {

void Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  std::string output;
  if (RunCommand(args, &output) != 0) {
    throw std::runtime_error("openssl " + args[1] + " failed:\n" + output);
  }
}

// A self-signed CA certificate and its key.
void MakeCa(const std::filesystem::path& dir, const std::string& name, const std::string& cn) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", (dir / (name + ".key")).string(), "-out", (dir / (name + ".pem")).string(),
           "-days", "2", "-subj", "/CN=" + cn, "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

}  // namespace

TestCertificates::TestCertificates(const std::filesystem::path& dir)
    : ca(dir / "ca.pem"),
      server_cert(dir / "server.pem"),
      server_key(dir / "server.key"),
      other_ca(dir / "other-ca.pem") {
  MakeCa(dir, "ca", "floatlm test CA");
  MakeCa(dir, "other-ca", "unrelated test CA");
  const auto csr = dir / "server.csr";
  Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           server_key.string(), "-out", csr.string(), "-subj", "/CN=127.0.0.1"});
  const auto ext = dir / "server.ext";
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                        "basicConstraints=CA:FALSE\n"
                        "extendedKeyUsage=serverAuth\n";
  Openssl({"x509", "-req", "-in", csr.string(), "-CA", ca.string(), "-CAkey",
           (dir / "ca.key").string(), "-CAcreateserial", "-out", server_cert.string(), "-days", "2",
           "-extfile", ext.string()});
}

std::vector<std::string> TestCertificates::DaemonArgs(std::vector<std::string> more) const {
  more.insert(more.begin(), {"--tls-cert", server_cert.string(), "--tls-key", server_key.string()});
  return more;
}

}  // namespace floatlm::testing
