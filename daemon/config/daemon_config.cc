#include "config/daemon_config.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "log/log.h"
#include <fstream>
#include <sstream>

namespace floatlm::config {
namespace po = boost::program_options;

namespace {

constexpr const char* kDefaultConfigFile = "/etc/floatlm/floatlmd.conf";
constexpr const char* kUsage = "usage: floatlmd --license FILE... --vendor-keys DIR --state DIR [options]";

// Options given in whole seconds (or MiB, days) that the config keeps as durations.
struct Numbers {
  int ttl, window, hello, write_timeout, journal_days;
  long long checkouts_per_second;
  std::size_t input_mib;
  long long waiters_per_user, waiters_per_address, cloud_idle_days;
};

po::options_description Options(DaemonConfig& c, Numbers& n) {
  po::options_description opts("floatlmd options");
  opts.add_options()
      ("license", po::value(&c.license_files)->composing(), "signed license file (repeatable)")
      ("vendor-keys", po::value(&c.vendor_keys_dir), "directory of vendor public keys (<vendor>.pub)")
      ("state", po::value(&c.state_dir), "state directory (leases, journal)")
      ("port", po::value(&c.port), "TCP port for clients (default: the SERVER line's port, else 27000; 0 picks a free port)")
      ("bind", po::value(&c.bind), "address to listen on (default 0.0.0.0)")
      ("options", po::value(&c.options_file), "options file (INCLUDE, EXCLUDE, RESERVE, MAX, ...)")
      ("strict-options", po::bool_switch(&c.strict_options), "refuse an options file with any bad line, even one that could be skipped safely")
      ("admin-socket", po::value(&c.admin_socket), "Unix socket for admin commands")
      ("admin-token-file", po::value(&c.admin_token_file), "file with the token for admin commands over TCP (TLS only)")
      ("tls-cert", po::value(&c.tls_cert), "PEM certificate (chain) for the client port; with --tls-key the port speaks TLS only")
      ("tls-key", po::value(&c.tls_key), "PEM private key of --tls-cert")
      ("log-level", po::value(&c.log_level), "debug, info, warn or error (default info)")
      ("log-file", po::value(&c.log_file), "append the log to this file instead of stderr")
      ("lease-ttl", po::value(&n.ttl), "seconds a lease lives without a heartbeat (default 120)")
      ("reattach-window", po::value(&n.window), "seconds a disconnected client's leases are kept (default 30)")
      ("max-connections", po::value(&c.max_connections), "connection limit (default 50000)")
      ("hello-timeout", po::value(&n.hello), "seconds a new connection has to finish its TLS handshake and say HELLO, and a started request has to arrive in full (default 10)")
      ("write-timeout", po::value(&n.write_timeout), "seconds a client may leave its replies unread before it is disconnected (default 30)")
      ("max-input-buffer", po::value(&n.input_mib), "MiB all connections together may hold of requests not yet complete (default 256)")
      ("journal-days", po::value(&n.journal_days), "days the usage journal keeps entries; 0 keeps them for ever (default 400)")
      ("max-checkouts-per-second", po::value(&n.checkouts_per_second), "checkouts one connection may ask for per second; 0: no limit (default 1000)")
      ("max-waiters-per-user", po::value(&n.waiters_per_user), "checkouts of one feature one user name may have waiting in the queue (default 16)")
      ("max-waiters-per-address", po::value(&n.waiters_per_address), "checkouts one client address may have waiting, all features together (default 1000)")
      ("cloud-slot-idle-days", po::value(&n.cloud_idle_days), "release a cloud-user slot its user has not used for this many days; 0: never, slots stay until an admin releases them (default 0)")
      ("allow-root", po::bool_switch(&c.allow_root), "allow running as root")
      ("no-remote-status", "refuse status requests on the client port");
  return opts;
}

std::string Validate(DaemonConfig& c, const Numbers& n) {
  const int ttl = n.ttl, window = n.window, hello = n.hello;
  if (c.license_files.empty()) return "no license file given (--license FILE)";
  if (c.vendor_keys_dir.empty()) return "no vendor key directory given (--vendor-keys DIR)";
  if (c.state_dir.empty()) return "no state directory given (--state DIR)";
  if (!floatlm::log::ParseLevel(c.log_level)) {
    return fmt::format("--log-level: '{}' is not one of debug, info, warn, error", c.log_level);
  }
  if (ttl < 1 || ttl > 86400) return fmt::format("--lease-ttl: {} is outside 1..86400 seconds", ttl);
  if (window < 0 || window > 86400) {
    return fmt::format("--reattach-window: {} is outside 0..86400 seconds", window);
  }
  if (c.max_connections < 1) return "--max-connections must be at least 1";
  if (hello < 1 || hello > 3600) {
    return fmt::format("--hello-timeout: {} is outside 1..3600 seconds", hello);
  }
  if (n.write_timeout < 1 || n.write_timeout > 86400) {
    return fmt::format("--write-timeout: {} is outside 1..86400 seconds", n.write_timeout);
  }
  if (n.input_mib < 1 || n.input_mib > 1024 * 1024) {
    return fmt::format("--max-input-buffer: {} is outside 1..1048576 MiB", n.input_mib);
  }
  // Read signed: an unsigned option would take "-1" as 4294967295, i.e. no limit.
  if (n.checkouts_per_second < 0 || n.checkouts_per_second > 1'000'000) {
    return fmt::format("--max-checkouts-per-second: {} is outside 0..1000000",
                       n.checkouts_per_second);
  }
  if (n.waiters_per_user < 1 || n.waiters_per_user > 10'000) {
    return fmt::format("--max-waiters-per-user: {} is outside 1..10000", n.waiters_per_user);
  }
  if (n.waiters_per_address < 1 || n.waiters_per_address > 1'000'000) {
    return fmt::format("--max-waiters-per-address: {} is outside 1..1000000",
                       n.waiters_per_address);
  }
  if (n.cloud_idle_days < 0 || n.cloud_idle_days > 10 * 366) {
    return fmt::format("--cloud-slot-idle-days: {} is outside 0..3660", n.cloud_idle_days);
  }
  if (n.journal_days < 0 || n.journal_days > 100 * 366) {
    return fmt::format("--journal-days: {} is outside 0..36600", n.journal_days);
  }
  // The files themselves are read (and matched) when the server starts, so that
  // --check-config and a start report the same error.
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return c.tls_cert.empty() ? "--tls-key given without --tls-cert"
                              : "--tls-cert given without --tls-key";
  }
  c.hello_timeout = std::chrono::seconds(hello);
  c.write_timeout = std::chrono::seconds(n.write_timeout);
  c.max_input_bytes = n.input_mib << 20;
  c.journal_days = n.journal_days;
  c.max_waiters_per_user = static_cast<std::size_t>(n.waiters_per_user);
  c.max_waiters_per_address = static_cast<std::size_t>(n.waiters_per_address);
  c.cloud_slot_idle_days = static_cast<int>(n.cloud_idle_days);
  c.max_checkouts_per_second = static_cast<std::uint32_t>(n.checkouts_per_second);
  c.lease_ttl = std::chrono::seconds(ttl);
  c.reattach_window = std::chrono::seconds(window);
  return {};
}

}  // namespace

ParseOutcome ParseDaemonConfig(int argc, const char* const argv[], DaemonConfig& out,
                               std::string& message) {
  Numbers numbers{static_cast<int>(out.lease_ttl.count()),
                  static_cast<int>(out.reattach_window.count()),
                  static_cast<int>(out.hello_timeout.count()),
                  static_cast<int>(out.write_timeout.count()), out.journal_days,
                  out.max_checkouts_per_second, out.max_input_bytes >> 20,
                  static_cast<long long>(out.max_waiters_per_user),
                  static_cast<long long>(out.max_waiters_per_address), out.cloud_slot_idle_days};
  po::options_description opts = Options(out, numbers);
  po::options_description cmdline_only("command line only");
  cmdline_only.add_options()
      ("config", po::value(&out.config_file), "config file (default /etc/floatlm/floatlmd.conf if present)")
      ("check-config", po::bool_switch(&out.check_config), "validate everything, print what would be served, exit")
      ("allow-rejected", po::bool_switch(&out.allow_rejected), "with --check-config: exit 0 even if some license lines are rejected")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description all;
  all.add(opts).add(cmdline_only);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    if (vm.count("help")) {
      std::ostringstream ss;
      ss << kUsage << "\n\n" << all;
      message = ss.str();
      return ParseOutcome::kExitOk;
    }
    if (vm.count("version")) {
      message = "floatlmd " FLOATLM_VERSION;
      return ParseOutcome::kExitOk;
    }
    std::string file = vm.count("config") ? vm["config"].as<std::string>() : "";
    const bool explicit_file = !file.empty();
    if (!explicit_file && std::filesystem::exists(kDefaultConfigFile)) file = kDefaultConfigFile;
    if (!file.empty()) {
      std::ifstream in(file);
      if (!in) {
        message = fmt::format("{}: cannot read config file", file);
        return ParseOutcome::kUsageError;
      }
      try {
        po::store(po::parse_config_file(in, opts), vm);
      } catch (const po::error& e) {
        message = fmt::format("{}: {}", file, e.what());
        return ParseOutcome::kUsageError;
      }
    }
    po::notify(vm);
    out.port_given = vm.count("port") > 0;
    if (vm.count("no-remote-status")) out.status_on_client_port = false;
  } catch (const po::error& e) {
    message = fmt::format("{}\n{}", e.what(), kUsage);
    return ParseOutcome::kUsageError;
  }
  message = Validate(out, numbers);
  return message.empty() ? ParseOutcome::kRun : ParseOutcome::kUsageError;
}

}  // namespace floatlm::config
