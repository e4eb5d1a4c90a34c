// floatlm: the admin and user command line (DESIGN.md section 8). This file only
// dispatches to the subcommands, each in its own cmd_*.cc.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli_common.h"
#include "floatlm/floatlm.h"
#include "options/edit_distance.h"

namespace {

using floatlm::cli::Command;

constexpr Command kCommands[] = {
    {"status", "status [-c PORT@HOST] [-f FEATURE] [--json]   show features, seats and holders",
     &floatlm::cli::RunStatus},
    {"diag", "diag [-c PORT@HOST] FEATURE[:VERSION] [--json]   what a checkout would get, and why",
     &floatlm::cli::RunDiag},
    {"run",
     "run [-c PORT@HOST] -f FEATURE[:VERSION]... [-n SEATS] [--wait SECS] -- CMD...\n"
     "                                                  run a command holding seats",
     &floatlm::cli::RunRun},
    {"remove", "remove FEATURE USER HOST | remove --lease ID   free a seat (admin)",
     &floatlm::cli::RunRemove},
    {"reread", "reread [--partial|--dry-run]                  reload license files (admin)",
     &floatlm::cli::RunReread},
    {"down", "down                                            stop the daemon (admin)",
     &floatlm::cli::RunDown},
    {"report", "report [--since DATE] [--until DATE] [--csv]   usage from the journal (admin)",
     &floatlm::cli::RunReport},
    {"backup", "backup                                        copy the state database, live (admin)",
     &floatlm::cli::RunBackup},
    {"hostid", "hostid                                        this machine's host ids",
     &floatlm::cli::RunHostid},
    {"assign", "assign FEATURE USER                           give a named-user seat (admin)",
     &floatlm::cli::RunAssign},
    {"unassign", "unassign FEATURE USER                       take a named-user seat back (admin)",
     &floatlm::cli::RunUnassign},
    {"cloud", "cloud list COLLECTION | cloud release COLLECTION USER\n"
              "                                                  cloud-service user slots (admin)",
     &floatlm::cli::RunCloud},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out, "usage: floatlm [--tls-ca FILE] COMMAND [OPTIONS]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  floatlm %s\n", c.synopsis);
  std::fprintf(out,
               "\nservers: -c or $FLOATLM_LICENSE, port@host[:port@host...], else 27000@localhost;\n"
               "tls:port@host is reached over TLS, its certificate checked against --tls-ca FILE\n"
               "(default $FLOATLM_TLS_CA, else the system's trust store).\n"
               "admin commands use the daemon's admin socket: --admin-socket PATH, else\n"
               "$FLOATLM_ADMIN_SOCKET, else /run/floatlm/admin.sock.\n"
               "exit status: 0 ok, 1 error, 2 usage, 3 denied.\n"
               "`floatlm COMMAND --help` describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Global options before the command: `floatlm --tls-ca FILE status ...`.
  int first = 1;
  while (first < argc && std::strncmp(argv[first], "--tls-ca", 8) == 0) {
    const std::string arg = argv[first];
    if (arg.rfind("--tls-ca=", 0) == 0) {
      floatlm::cli::SetTlsCa(arg.substr(9));
      first += 1;
    } else if (arg == "--tls-ca" && first + 1 < argc) {
      floatlm::cli::SetTlsCa(argv[first + 1]);
      first += 2;
    } else {
      floatlm::cli::PrintError("--tls-ca needs a FILE");
      return floatlm::cli::kExitUsage;
    }
  }
  if (argc - first < 1) {
    PrintUsage(stderr);
    return floatlm::cli::kExitUsage;
  }
  const std::string name = argv[first];
  if (name == "-h" || name == "--help" || name == "help") {
    PrintUsage(stdout);
    return floatlm::cli::kExitOk;
  }
  if (name == "--version" || name == "-V") {
    std::printf("floatlm %s (libfloatlm %s)\n", FLOATLM_VERSION, floatlm_version());
    return floatlm::cli::kExitOk;
  }
  const std::vector<std::string> args(argv + first + 1, argv + argc);
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const floatlm::cli::UsageError& e) {
      floatlm::cli::PrintError(e.what());
      std::fprintf(stderr, "usage: floatlm %s\n", c.synopsis);
      return floatlm::cli::kExitUsage;
    } catch (const std::exception& e) {
      floatlm::cli::PrintError(e.what());
      return floatlm::cli::kExitError;
    }
  }
  std::string hint;
  for (const Command& c : kCommands) {
    if (floatlm::options::EditDistance(name, c.name) <= 2) {
      hint = std::string(" (did you mean \"") + c.name + "\"?)";
      break;
    }
  }
  floatlm::cli::PrintError("unknown command \"" + name + "\"" + hint);
  PrintUsage(stderr);
  return floatlm::cli::kExitUsage;
}
