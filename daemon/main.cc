// floatlmd: the floatlm license daemon.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "config/daemon_config.h"
#include "engine/labels.h"
#include "floatlm/licenses/migration.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/text_file.h"
#include "log/log.h"
#include "server/server.h"
#include "server/tls_context.h"
#include "service/license_set.h"

namespace {

// --check-config: load and verify everything as a start would, print what would be
// served, and say whether the daemon could start.
int CheckConfig(const floatlm::config::DaemonConfig& cfg) {
  using namespace floatlm;
  // Every signature is checked here: nothing remembered by a running daemon is used.
  auto set = server::LoadLicenseSet(cfg.license_files, cfg.vendor_keys_dir, cfg.options_file,
                                    nullptr, cfg.strict_options);
  for (const auto& r : set.model.rejected) std::printf("rejected: %s\n", r.ToString().c_str());
  for (const auto& w : set.license_warnings) std::printf("%s\n", w.c_str());
  // Where the files mean something else under FlexLM (migration guide).
  for (const auto& file : cfg.license_files) {
    auto text = licenses::ReadTextFile(file);
    if (!text) continue;
    for (const auto& d : licenses::MigrationReport({licenses::ParseLicenseText(file, text.value())})) {
      std::printf("differs:  %s\n", d.ToString().c_str());
    }
  }
  if (!set.error.empty()) {
    std::printf("floatlmd would not start: %s\n", set.error.c_str());
    return 1;
  }
  for (const auto& p : set.model.pools) {
    int seats = 0;
    for (const auto& line : p.lines) seats += line.count;
    const std::string count = p.uncounted ? "uncounted" : std::to_string(seats) + " seats";
    std::printf("serves:   %s  vendor %s  %s  expires %s\n", engine::PoolLabel(p).c_str(),
                p.vendor.c_str(), count.c_str(), engine::ExpiryText(p.LastExpiry()).c_str());
  }
  for (const auto& note : set.option_notes) std::printf("note:     %s\n", note.c_str());
  for (const auto& w : set.option_warnings) std::printf("%s\n", w.c_str());
  for (const auto& e : set.option_skipped) std::printf("error:    %s\n", e.c_str());
  if (cfg.port_given) {
    std::printf("port:     %u (--port)\n", static_cast<unsigned>(cfg.port));
  } else if (set.model.server && set.model.server->port) {
    std::printf("port:     %d (SERVER line at %s)\n", *set.model.server->port,
                set.model.server->source.ToString().c_str());
  } else {
    std::printf("port:     %u (default)\n", static_cast<unsigned>(cfg.port));
  }
  if (!set.options_file.empty()) {
    std::printf("options:  %s in force (from %s)\n", set.options_file.c_str(),
                set.options_origin.c_str());
  }
  if (!set.option_skipped.empty()) {
    // The daemon would start, but the file is not what its author wrote.
    std::printf("options:  %s has %zu bad line(s); floatlmd would start without them "
                "(--strict-options would refuse the file)\n",
                set.options_file.c_str(), set.option_skipped.size());
  } else if (!set.options_file.empty()) {
    if (set.option_warnings.empty()) {
      std::printf("options:  %s is valid\n", set.options_file.c_str());
    } else {
      std::printf("options:  %s is valid, but %zu rule(s) apply to nothing\n",
                  set.options_file.c_str(), set.option_warnings.size());
    }
  }
  if (cfg.tls()) {
    server::TlsCertificateFacts facts;
    try {
      server::MakeServerTlsContext(cfg.tls_cert, cfg.tls_key, &facts);
    } catch (const std::exception& e) {
      std::printf("floatlmd would not start: %s\n", e.what());
      return 1;
    }
    std::printf("tls:      on (TLS 1.2 or later only): certificate %s, subject \"%s\", expires %s\n",
                cfg.tls_cert.c_str(), facts.subject.c_str(), facts.not_after.c_str());
  } else {
    std::printf("tls:      off (the client port speaks plain TCP)\n");
  }
  if (!set.option_skipped.empty()) {
    std::printf("configuration has errors: %zu pool(s), %zu rejected line(s), %zu bad options "
                "line(s)\n",
                set.model.pools.size(), set.model.rejected.size(), set.option_skipped.size());
    return 1;
  }
  if (!set.model.rejected.empty() && !cfg.allow_rejected) {
    // A reread with these files would be refused (admin guide, "Rereading").
    std::printf("configuration has errors: %zu pool(s), %zu rejected line(s); floatlmd would "
                "start without them, a reread would refuse them (--allow-rejected accepts)\n",
                set.model.pools.size(), set.model.rejected.size());
    return 1;
  }
  std::printf("configuration is valid: %zu pool(s), %zu rejected line(s)\n", set.model.pools.size(),
              set.model.rejected.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace floatlm;
  const auto process_start = engine::MonoTime::clock::now();
  config::DaemonConfig cfg;
  std::string message;
  switch (config::ParseDaemonConfig(argc, argv, cfg, message)) {
    case config::ParseOutcome::kExitOk:
      std::printf("%s\n", message.c_str());
      return 0;
    case config::ParseOutcome::kUsageError:
      std::fprintf(stderr, "floatlmd: %s\n", message.c_str());
      return 2;
    case config::ParseOutcome::kRun:
      break;
  }
  log::SetLevel(*log::ParseLevel(cfg.log_level));
  // In the foreground on a terminal, lines carry their time as they do in a log file.
  if (cfg.log_file.empty() && ::isatty(STDERR_FILENO) == 1) log::SetTimestamps(true);
  if (!cfg.log_file.empty()) {
    if (!log::OpenFile(cfg.log_file, message)) {
      std::fprintf(stderr, "floatlmd: %s\n", message.c_str());
      return 1;
    }
    log::SetTimestamps(true);
  }
  if (cfg.check_config) return CheckConfig(cfg);
  if (geteuid() == 0 && !cfg.allow_root) {
    std::fprintf(stderr,
                 "floatlmd: refusing to run as root; run as an unprivileged user (the systemd unit "
                 "uses 'floatlm') or pass --allow-root\n");
    return 1;
  }
  try {
    std::error_code ec;
    std::filesystem::create_directories(cfg.state_dir, ec);
    if (ec) throw std::runtime_error(cfg.state_dir + ": cannot create state directory: " + ec.message());
    server::asio::io_context io(1);
    server::Server server(io, cfg);
    server.Start(process_start);
    io.run();
  } catch (const std::exception& e) {
    FLOATLM_LOG(kError, "server.fatal", "reason=\"{}\"", e.what());
    std::fprintf(stderr, "floatlmd: %s\n", e.what());
    return 1;
  }
  return 0;
}
