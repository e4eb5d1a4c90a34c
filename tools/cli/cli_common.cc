#include "cli_common.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "floatlm/floatlm.h"
#include "options/edit_distance.h"

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
                     "license server list (port@host[:tls:port@host...]); default "
                     "$FLOATLM_LICENSE, else 27000@localhost");
  AddTlsOption(desc);
}

void AddTlsOption(po::options_description& desc) {
  desc.add_options()("tls-ca", po::value<std::string>()->value_name("FILE")->notifier(SetTlsCa),
                     "CA certificates (PEM) for tls:PORT@HOST servers; default $FLOATLM_TLS_CA, "
                     "else the system's trust store");
}

const std::string& TlsCa() { return TlsCaValue(); }
void SetTlsCa(const std::string& file) { TlsCaValue() = file; }

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "127.0.0.1@27000" is a common slip for FlexLM's port@host form: say so, as a usage error.
void CheckServerList(const std::string& list) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find_first_of(":;", start);
    if (end == std::string::npos) end = list.size();
    const std::string entry = list.substr(start, end - start);
    const auto at = entry.find('@');
    if (at != std::string::npos && at > 0 && AllDigits(entry.substr(at + 1)) &&
        !AllDigits(entry.substr(0, at))) {
      throw UsageError("server \"" + entry + "\" is written HOST@PORT; the form is PORT@HOST: " +
                       entry.substr(at + 1) + "@" + entry.substr(0, at));
    }
    start = end + 1;
  }
}

}  // namespace

std::string ResolveServers(const std::string& flag) {
  if (!flag.empty()) {
    CheckServerList(flag);
    return flag;
  }
  const char* env = std::getenv("FLOATLM_LICENSE");
  if (env != nullptr && *env != '\0') return env;
  // On the license host itself nothing needs setting.
  return kDefaultServer;
}

// `desc` without the options that stand for positional words ("words", "command"): the
// usage line shows those, and "--words arg" in a help text is Boost's, not ours.
po::options_description VisibleOptions(const po::options_description& desc,
                                       const po::positional_options_description* positional) {
  // Wide enough that descriptions wrap between words, not inside "port@host" lists.
  po::options_description visible("options", 100, 50);
  for (const auto& option : desc.options()) {
    bool hidden = false;
    if (positional != nullptr) {
      const unsigned n = positional->max_total_count();
      for (unsigned i = 0; i < std::min(n, 8u) && !hidden; ++i) {
        hidden = positional->name_for_position(i) == option->long_name();
      }
    }
    if (!hidden) visible.add(option);
  }
  return visible;
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
      std::cout << "usage: " << usage << "\n\n" << VisibleOptions(desc, positional);
      return false;
    }
    po::notify(*vm);
  } catch (const po::unknown_option& e) {
    // A near miss among the command's own options is named.
    std::string wrong = e.get_option_name();
    while (!wrong.empty() && wrong.front() == '-') wrong.erase(wrong.begin());
    std::string hint;
    for (const auto& option : desc.options()) {
      const std::string& known = option->long_name();
      if (!known.empty() && options::EditDistance(wrong, known) <= 2) {
        hint = " (did you mean --" + known + "?)";
        break;
      }
    }
    throw UsageError(std::string(e.what()) + hint);
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
