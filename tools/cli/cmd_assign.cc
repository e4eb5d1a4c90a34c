// Named-user and cloud-slot administration: floatlm assign/unassign FEATURE USER and
// floatlm cloud list COLLECTION / cloud release COLLECTION USER. Privileged: they go to
// the admin socket, or over TCP with the admin token (admin_channel.h).
#include <string>
#include <vector>

#include "admin_channel.h"
#include "cli_common.h"

namespace po = boost::program_options;

namespace floatlm::cli {
namespace {

// Parses admin options plus `count` positional words; returns false after --help.
bool ParseWords(const std::vector<std::string>& args, const char* usage, std::size_t count,
                std::vector<std::string>& words, AdminTarget& target) {
  std::string socket, server, token_file;
  po::options_description desc(std::string("floatlm ") + usage);
  desc.add_options()("help,h", "show this help")("words", po::value(&words)->multitoken(), "");
  AddAdminOptions(desc, &socket, &server, &token_file);
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  if (!ParseArgs(args, desc, &pos, usage, &vm)) return false;
  if (words.size() != count) throw UsageError(std::string("usage: floatlm ") + usage);
  target = ResolveAdminTarget(socket, server, token_file);
  return true;
}

int Simple(const std::vector<std::string>& args, const char* usage, const char* command,
           std::size_t count) {
  std::vector<std::string> words;
  AdminTarget target;
  if (!ParseWords(args, usage, count, words, target)) return kExitOk;
  return PrintAdminReply(SendAdmin(target, command, words));
}

// cloud release COLLECTION USER | COLLECTION --all | --user USER (every collection).
int ReleaseCloud(const std::vector<std::string>& args) {
  constexpr const char* kUsage =
      "cloud release COLLECTION USER | cloud release COLLECTION --all | cloud release --user USER";
  std::vector<std::string> words;
  std::string socket, server, token_file, user;
  bool all = false;
  po::options_description desc(std::string("floatlm ") + kUsage);
  desc.add_options()("help,h", "show this help")("words", po::value(&words)->multitoken(), "")(
      "all", po::bool_switch(&all), "release every slot of COLLECTION")(
      "user", po::value(&user), "release USER's slot of every collection");
  AddAdminOptions(desc, &socket, &server, &token_file);
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  if (!ParseArgs(args, desc, &pos, kUsage, &vm)) return kExitOk;
  std::vector<std::string> request;
  const char* command = "cloud-release-all";
  if (all && vm.count("user") == 0 && words.size() == 1) {
    request = {"collection", words[0]};
  } else if (!all && vm.count("user") && words.empty()) {
    request = {"user", user};
  } else if (!all && vm.count("user") == 0 && words.size() == 2) {
    command = "cloud-release";
    request = words;
  } else {
    throw UsageError(std::string("usage: floatlm ") + kUsage);
  }
  const AdminTarget target = ResolveAdminTarget(socket, server, token_file);
  return PrintAdminReply(SendAdmin(target, command, request));
}

}  // namespace

int RunAssign(const std::vector<std::string>& args) {
  return Simple(args, "assign FEATURE USER", "assign", 2);
}

int RunUnassign(const std::vector<std::string>& args) {
  return Simple(args, "unassign FEATURE USER", "unassign", 2);
}

int RunCloud(const std::vector<std::string>& args) {
  if (args.empty())
    throw UsageError(
        "floatlm cloud list COLLECTION | cloud release COLLECTION USER | cloud release "
        "COLLECTION --all | cloud release --user USER");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return Simple(rest, "cloud list COLLECTION", "cloud-list", 1);
  if (args[0] == "release") return ReleaseCloud(rest);
  throw UsageError("unknown cloud command '" + args[0] + "' (list, release)");
}

}  // namespace floatlm::cli
