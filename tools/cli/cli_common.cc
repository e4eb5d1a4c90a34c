#include "cli_common.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "floatlm/floatlm.h"

namespace po = boost::program_options;

namespace floatlm::cli {

namespace {
std::string& TlsCaValue() {
  static std::string file;
  return file;
}
}  // namespace

void AddServerOption(po::options_description& desc, std::string* servers) {
  desc.add_options()("server,c", po::value(servers)->value_name("PORT@HOST"),
                     "license server list (port@host[:tls:port@host...]); default $FLOATLM_LICENSE");
  AddTlsOption(desc);
}

void AddTlsOption(po::options_description& desc) {
  desc.add_options()("tls-ca", po::value<std::string>()->value_name("FILE")->notifier(SetTlsCa),
                     "CA certificates (PEM) for tls:PORT@HOST servers; default $FLOATLM_TLS_CA, "
                     "else the system's trust store");
}

const std::string& TlsCa() { return TlsCaValue(); }
void SetTlsCa(const std::string& file) { TlsCaValue() = file; }

std::string ResolveServers(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("FLOATLM_LICENSE");
  if (env != nullptr && *env != '\0') return env;
  throw UsageError("no license server: pass -c PORT@HOST or set FLOATLM_LICENSE");
}

bool ParseArgs(const std::vector<std::string>& args, const po::options_description& desc,
               const po::positional_options_description* positional, const char* usage,
               po::variables_map* vm) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    // Without a positional description Boost drops stray words silently: "floatlm down
    // now" must be a usage error, not a shutdown.
    const po::positional_options_description none;
    parser.positional(positional != nullptr ? *positional : none);
    po::store(parser.run(), *vm);
    if (vm->count("help") != 0) {
      std::cout << "usage: " << usage << "\n\n" << desc;
      return false;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

FeatureSpec ParseFeature(const std::string& text) {
  FeatureSpec spec;
  const auto colon = text.find(':');
  spec.feature = text.substr(0, colon);
  if (colon != std::string::npos) spec.version = text.substr(colon + 1);
  if (spec.feature.empty() || (colon != std::string::npos && spec.version.empty())) {
    throw UsageError("invalid feature \"" + text + "\": expected FEATURE or FEATURE:VERSION");
  }
  return spec;
}

int ExitCodeFor(int status) {
  // Codes below 20 are the server's checkout denials (see floatlm.h); a seat refused by
  // the vendor-key check is a denial too.
  if (status == FLOATLM_E_UNTRUSTED_LICENSE) return kExitDenied;
  return status > FLOATLM_OK && status < FLOATLM_E_NO_SUCH_LEASE ? kExitDenied : kExitError;
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "floatlm: %s\n", message.c_str());
}

}  // namespace floatlm::cli
