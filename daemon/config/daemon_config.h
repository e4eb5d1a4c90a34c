// floatlmd's configuration: a plain struct filled from the command line and an optional
// config file (Program_options syntax, `key = value`), validated once at start-up.
// Command-line values override the file.
#ifndef FLOATLM_DAEMON_CONFIG_DAEMON_CONFIG_H_
#define FLOATLM_DAEMON_CONFIG_DAEMON_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace floatlm::config {

struct DaemonConfig {
  std::vector<std::string> license_files;  // --license (repeatable)
  std::string vendor_keys_dir;             // --vendor-keys: <vendor>.pub files
  std::string state_dir;                   // --state
  std::uint16_t port = 27000;              // --port (0 = pick a free one)
  // Whether --port was given (command line or config file); without it the SERVER line's
  // port, if it names one, is the port (FlexLM's rule).
  bool port_given = false;
  std::string bind = "0.0.0.0";            // --bind
  std::string options_file;                // --options
  // --strict-options: an options line that fails to parse rejects the file even where
  // skipping it could only narrow access (docs/options-file.md).
  bool strict_options = false;
  std::string admin_socket = "/run/floatlm/admin.sock";  // --admin-socket
  std::string admin_token_file;            // --admin-token-file: enables admin over TCP
  // --tls-cert/--tls-key: PEM certificate chain and private key; with both set the
  // client port speaks TLS only. Neither: plain TCP. One alone is a usage error.
  std::string tls_cert;
  std::string tls_key;
  std::string config_file;                 // --config
  std::string log_level = "info";          // --log-level
  std::string log_file;                    // --log-file (default: stderr)
  std::chrono::seconds lease_ttl{120};     // --lease-ttl
  std::chrono::seconds reattach_window{30};  // --reattach-window
  std::size_t max_connections = 50'000;    // --max-connections
  std::chrono::seconds hello_timeout{10};  // --hello-timeout: HELLO (and TLS handshake) deadline,
                                           // and how long a started frame may take to arrive
  std::chrono::seconds write_timeout{30};  // --write-timeout: replies left unread this long: cut
  std::size_t max_input_bytes = 256 << 20;  // --max-input-buffer (MiB): unfinished frames, all
                                            // connections together
  std::uint32_t max_checkouts_per_second = 1000;  // per connection; 0: no limit
  int journal_days = 400;                  // --journal-days: journal retention; 0 keeps all
  std::size_t max_waiters_per_user = 16;   // --max-waiters-per-user: per feature
  std::size_t max_waiters_per_address = 1000;  // --max-waiters-per-address: all features
  int cloud_slot_idle_days = 0;  // --cloud-slot-idle-days: unused slots released; 0: never
  bool allow_root = false;                 // --allow-root
  bool status_on_client_port = true;       // --no-remote-status turns it off
  bool check_config = false;               // --check-config: validate, print, exit
  bool allow_rejected = false;             // --allow-rejected: --check-config exits 0 despite rejected lines

  bool tls() const { return !tls_cert.empty(); }
};

enum class ParseOutcome { kRun, kExitOk, kUsageError };

// Fills `out` from argv and the config file. On kUsageError, `message` says what is
// wrong (naming the option or the file:line); on kExitOk, `message` holds --help or
// --version text to print.
ParseOutcome ParseDaemonConfig(int argc, const char* const argv[], DaemonConfig& out,
                               std::string& message);

}  // namespace floatlm::config

#endif  // FLOATLM_DAEMON_CONFIG_DAEMON_CONFIG_H_
