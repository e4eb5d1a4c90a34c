// floatlm-vendor: make a key pair, sign license files, verify them, embed the key.
// Exit codes: 0 ok, 1 error, 2 usage (DESIGN.md section 8).
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "commands.h"

namespace po = boost::program_options;

namespace {

constexpr int kUsage = 2;

constexpr const char* kUsageText =
    "usage: floatlm-vendor keygen --out PREFIX           write PREFIX.key (0600) and PREFIX.pub\n"
    "       floatlm-vendor sign --key PREFIX.key IN [-o OUT]  sign every FEATURE/INCREMENT/PACKAGE line\n"
    "       floatlm-vendor verify --pub PREFIX.pub IN   exit 0 only if every signed line verifies\n"
    "       floatlm-vendor check IN                     where floatlm reads IN differently from FlexLM\n"
    "       floatlm-vendor embed --pub PREFIX.pub --vendor NAME [-o OUT.h]\n"
    "                                                   the public key as a C header for the application\n";

int Usage(std::string_view problem) {
  if (!problem.empty()) fmt::print(stderr, "floatlm-vendor: {}\n", problem);
  fmt::print(stderr, "{}", kUsageText);
  return kUsage;
}

// The usage line of one command, from kUsageText.
std::string UsageOf(std::string_view command) {
  std::string_view text = kUsageText;
  std::string out;
  bool in = false;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const bool starts = line.find("floatlm-vendor ") != std::string_view::npos;
    if (starts) in = line.find(fmt::format("floatlm-vendor {} ", command)) != std::string_view::npos;
    if (in) out += fmt::format("{}\n", line);
  }
  return out;
}

// Parses one command's arguments. `--help` prints the command's usage and options and
// returns nullopt (exit 0) before any required option is checked.
std::optional<po::variables_map> ParseArgs(std::string_view command,
                                           const std::vector<std::string>& args,
                                           po::options_description& options,
                                           const po::positional_options_description& positional) {
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  if (vm.count("help")) {
    // The positional file is in the usage line; "--input arg" would be Boost's, not ours.
    po::options_description visible("options", 100, 50);
    for (const auto& option : options.options()) {
      if (option->long_name() != "input") visible.add(option);
    }
    fmt::print("{}\n{}", UsageOf(command), fmt::streamed(visible));
    return std::nullopt;
  }
  po::notify(vm);
  return vm;
}

int Run(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  std::string command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    fmt::print("{}", kUsageText);
    return 0;
  }
  if (command == "--version" || command == "-V") {
    fmt::print("floatlm-vendor {}\n", FLOATLM_VERSION);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  po::options_description options(fmt::format("floatlm-vendor {} options", command));
  po::positional_options_description positional;
  if (command == "keygen") {
    options.add_options()("out", po::value<std::string>()->required(), "key file prefix");
    auto vm = ParseArgs(command, args, options, positional);
    if (!vm) return 0;
    return floatlm::vendor::Keygen((*vm)["out"].as<std::string>());
  }
  if (command == "sign") {
    options.add_options()("key", po::value<std::string>()->required(), "private key (PEM)")(
        "input", po::value<std::string>()->required(), "license file")(
        "output,o", po::value<std::string>(), "output file (default: standard output)");
    positional.add("input", 1);
    auto vm = ParseArgs(command, args, options, positional);
    if (!vm) return 0;
    std::optional<std::string> out;
    if (vm->count("output")) out = (*vm)["output"].as<std::string>();
    return floatlm::vendor::Sign((*vm)["key"].as<std::string>(), (*vm)["input"].as<std::string>(),
                                 out);
  }
  if (command == "verify") {
    options.add_options()("pub", po::value<std::string>()->required(), "public key (PEM)")(
        "input", po::value<std::string>()->required(), "license file");
    positional.add("input", 1);
    auto vm = ParseArgs(command, args, options, positional);
    if (!vm) return 0;
    return floatlm::vendor::Verify((*vm)["pub"].as<std::string>(), (*vm)["input"].as<std::string>());
  }
  if (command == "check") {
    options.add_options()("input", po::value<std::string>()->required(), "license file");
    positional.add("input", 1);
    auto vm = ParseArgs(command, args, options, positional);
    if (!vm) return 0;
    return floatlm::vendor::Check((*vm)["input"].as<std::string>());
  }
  if (command == "embed") {
    options.add_options()("pub", po::value<std::string>()->required(), "public key (PEM)")(
        "vendor", po::value<std::string>()->required(), "vendor name on the license lines")(
        "output,o", po::value<std::string>(), "header file (default: standard output)");
    auto vm = ParseArgs(command, args, options, positional);
    if (!vm) return 0;
    std::optional<std::string> out;
    if (vm->count("output")) out = (*vm)["output"].as<std::string>();
    return floatlm::vendor::Embed((*vm)["pub"].as<std::string>(), (*vm)["vendor"].as<std::string>(),
                                  out);
  }
  return Usage(fmt::format("unknown command '{}'", command));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const po::required_option& e) {
    // The positional file is declared as option "--input"; name it as the usage does.
    if (e.get_option_name() == "--input") return Usage("missing license file IN");
    return Usage(e.what());
  } catch (const po::error& e) {
    return Usage(e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "floatlm-vendor: {}\n", e.what());
    return 1;
  }
}
