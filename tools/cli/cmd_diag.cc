// floatlm diag: asks the daemon what a checkout of FEATURE[:VERSION] by this user on this
// host would get now, and why, pool by pool in cascading order. Nothing is checked out.
// The identity is the one `floatlm run` would present (FLOATLM_USER/FLOATLM_HOST apply).
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "floatlm/floatlm.hpp"

namespace po = boost::program_options;

namespace floatlm::cli {

int RunDiag(const std::vector<std::string>& args) {
  std::string servers, feature;
  po::options_description desc("floatlm diag options");
  desc.add_options()("help,h", "show this help");
  AddServerOption(desc, &servers);
  desc.add_options()("json", "JSON instead of text")(
      "feature", po::value(&feature)->required()->value_name("FEATURE[:VERSION]"),
      "the product to diagnose");
  po::positional_options_description positional;
  positional.add("feature", 1);
  po::variables_map vm;
  if (!ParseArgs(args, desc, &positional, "floatlm diag [-c PORT@HOST] FEATURE[:VERSION] [--json]",
                 &vm)) {
    return kExitOk;
  }
  const FeatureSpec spec = ParseFeature(feature);
  try {
    floatlm::Client client(floatlm::Options().Servers(ResolveServers(servers)).TlsCa(TlsCa()).App("floatlm"));
    client.Connect();
    std::string body = client.Diag(spec.feature, spec.version, vm.count("json") != 0);
    if (!body.empty() && body.back() != '\n') body.push_back('\n');
    std::fwrite(body.data(), 1, body.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitError;
  } catch (const floatlm::Error& e) {
    PrintError(e.what());
    return kExitError;  // a report, like status: 3 is for checkouts
  }
}

}  // namespace floatlm::cli
