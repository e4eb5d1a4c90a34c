// Shared pieces of the floatlm CLI: exit codes, usage errors and common options.
// Each subcommand lives in its own cmd_*.cc and has the signature of CommandFn.
#ifndef FLOATLM_TOOLS_CLI_CLI_COMMON_H_
#define FLOATLM_TOOLS_CLI_CLI_COMMON_H_

#include <boost/program_options.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace floatlm::cli {

// DESIGN.md section 8: scripts rely on these numbers.
enum ExitCode : int { kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitDenied = 3 };

// Thrown for bad command lines; cli_main prints the message and the usage, exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A subcommand: `args` are the words after the subcommand's name. Returns the exit code.
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* synopsis;  // one line for `floatlm --help`
  CommandFn run;
};

// Adds -c/--server (PORT@HOST list) and --tls-ca to `desc`.
void AddServerOption(boost::program_options::options_description& desc, std::string* servers);

// Adds --tls-ca FILE (the CA certificates that sign "tls:" servers) to `desc`.
void AddTlsOption(boost::program_options::options_description& desc);
// The --tls-ca given (on the command or before it, `floatlm --tls-ca FILE COMMAND`), or
// "" for the library's default: $FLOATLM_TLS_CA, else the system's trust store.
const std::string& TlsCa();
void SetTlsCa(const std::string& file);

// The server when nothing names one: the license host itself.
inline constexpr const char* kDefaultServer = "27000@localhost";

// The server list to use: `flag` when given, else $FLOATLM_LICENSE, else kDefaultServer.
std::string ResolveServers(const std::string& flag);

// Parses `args` against `desc` (and `positional` when given); UsageError on mistakes.
// Returns false when --help was asked for (the help has been printed).
bool ParseArgs(const std::vector<std::string>& args,
               const boost::program_options::options_description& desc,
               const boost::program_options::positional_options_description* positional,
               const char* usage, boost::program_options::variables_map* vm);

// A FEATURE[:VERSION] argument; version "" = any.
struct FeatureSpec {
  std::string feature, version;
};
// UsageError when the feature or the version after a colon is empty.
FeatureSpec ParseFeature(const std::string& text);

// Exit code for a libfloatlm status: 3 for checkout denials, 1 for everything else.
int ExitCodeFor(int floatlm_status);

// Writes "floatlm: <message>" to stderr.
void PrintError(const std::string& message);

int RunStatus(const std::vector<std::string>& args);
int RunDiag(const std::vector<std::string>& args);
int RunRun(const std::vector<std::string>& args);
int RunRemove(const std::vector<std::string>& args);
int RunReread(const std::vector<std::string>& args);
int RunDown(const std::vector<std::string>& args);
int RunReport(const std::vector<std::string>& args);
int RunBackup(const std::vector<std::string>& args);
int RunHostid(const std::vector<std::string>& args);
int RunAssign(const std::vector<std::string>& args);
int RunUnassign(const std::vector<std::string>& args);
int RunCloud(const std::vector<std::string>& args);

}  // namespace floatlm::cli

#endif  // FLOATLM_TOOLS_CLI_CLI_COMMON_H_
