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

}  // namespace

int RunAssign(const std::vector<std::string>& args) {
  return Simple(args, "assign FEATURE USER", "assign", 2);
}

int RunUnassign(const std::vector<std::string>& args) {
  return Simple(args, "unassign FEATURE USER", "unassign", 2);
}

int RunCloud(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("floatlm cloud list COLLECTION | cloud release COLLECTION USER");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return Simple(rest, "cloud list COLLECTION", "cloud-list", 1);
  if (args[0] == "release") {
    return Simple(rest, "cloud release COLLECTION USER", "cloud-release", 2);
  }
  throw UsageError("unknown cloud command '" + args[0] + "' (list, release)");
}

}  // namespace floatlm::cli
