// floatlm status: prints the report the daemon renders (text like `lmstat -a`, or JSON).
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "floatlm/floatlm.hpp"

namespace po = boost::program_options;

namespace floatlm::cli {

int RunStatus(const std::vector<std::string>& args) {
  std::string servers, feature;
  po::options_description desc("floatlm status options");
  desc.add_options()("help,h", "show this help");
  AddServerOption(desc, &servers);
  desc.add_options()("feature,f", po::value(&feature)->value_name("FEATURE"), "only this feature")(
      "json", "JSON instead of text");
  po::variables_map vm;
  if (!ParseArgs(args, desc, nullptr, "floatlm status [-c PORT@HOST] [-f FEATURE] [--json]", &vm)) {
    return kExitOk;
  }
  try {
    floatlm::Client client(floatlm::Options().Servers(ResolveServers(servers)).TlsCa(TlsCa()).App("floatlm"));
    client.Connect();
    std::string body = client.Status(feature, vm.count("json") != 0);
    if (!body.empty() && body.back() != '\n') body.push_back('\n');
    std::fwrite(body.data(), 1, body.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitError;
  } catch (const floatlm::Error& e) {
    PrintError(e.what());
    return kExitError;  // a report is never "denied"; 3 is for checkouts
  }
}

}  // namespace floatlm::cli
