// floatlm-bench: measures floatlmd over the real protocol (throughput and a latency
// histogram), or serves as the framed echo server that is the reference round trip.
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>
#include <string>
#include <vector>

#include "floatlm/licenses/ed25519.h"
#include "load.h"

namespace po = boost::program_options;
using floatlm::bench::IsSteady;
using floatlm::bench::LoadConfig;
using floatlm::bench::LoadResult;
using floatlm::bench::Mode;

namespace {

constexpr const char* kUsage =
    "usage: floatlm-bench [-c PORT@HOST] [--mode MODE] [--connections C] [--threads T]\n"
    "                     [--duration SECS] [--json] [mode options]\n"
    "       floatlm-bench --echo-server [--bind ADDR] [--port N]\n"
    "\n"
    "modes (every connection is its own user bench<i>@benchhost, one request in flight):\n"
    "  checkout   checkout + checkin pairs of -f FEATURE; every request is a sample\n"
    "  heartbeat  hold one lease, heartbeat as fast as replies come back\n"
    "  status     text status requests\n"
    "  echo       framed echo against --echo-server: the reference round trip\n"
    "  cascade    check out each of --features A,B,C in order, then check them all in\n"
    "  hold       check out --leases N, then heartbeat every --heartbeat-ms\n"
    "  idle       HELLO, then heartbeat every --heartbeat-ms, holding nothing\n"
    "  storm      hold; when the daemon goes away, reconnect and REATTACH every lease\n"
    "\n"
    "hold, idle and storm measure heartbeats once every connection has filled, and print\n"
    "`info event=bench.filled leases=N connections=C` on stderr at that moment; each\n"
    "connection's first heartbeat comes at a random point of its interval, as clients that\n"
    "started at different times would send them. storm then\n"
    "waits up to --duration for the connections to drop (the daemon killed and started\n"
    "again on the same port), reconnects as the client library does (after a random part of\n"
    "a delay that doubles from 100 ms to 5 s) until --storm-timeout, and prints\n"
    "`info event=bench.reattached leases=N ms=T refused=R unresolved=U` (T: first disconnect\n"
    "seen to last lease answered) before its result.";

bool ParseMode(const std::string& text, Mode& mode) {
  if (text == "checkout") mode = Mode::kCheckout;
  else if (text == "heartbeat") mode = Mode::kHeartbeat;
  else if (text == "status") mode = Mode::kStatus;
  else if (text == "echo") mode = Mode::kEcho;
  else if (text == "hold") mode = Mode::kHold;
  else if (text == "cascade") mode = Mode::kCascade;
  else if (text == "idle") mode = Mode::kIdle;
  else if (text == "storm") mode = Mode::kStorm;
  else return false;
  return true;
}

// Every connection is a file descriptor: lift the soft limit, and say when the hard
// limit is too low for what was asked. Returns the limit in force.
unsigned long long RaiseFileLimit(int connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  const auto need = static_cast<rlim_t>(connections) + 64;
  if (rl.rlim_cur < need) {
    std::fprintf(stderr,
                 "floatlm-bench: the open-file limit is %llu but %d connections need about %llu; "
                 "raise it (ulimit -n, LimitNOFILE) or lower --connections\n",
                 static_cast<unsigned long long>(rl.rlim_cur), connections,
                 static_cast<unsigned long long>(need));
  }
  return static_cast<unsigned long long>(rl.rlim_cur);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

using ull = unsigned long long;

void PrintJson(const std::string& label, const std::string& mode, const LoadConfig& cfg,
               const LoadResult& r) {
  const auto& h = r.latency;
  std::string json = fmt::format(
      "{{\"label\":\"{}\",\"mode\":\"{}\",\"connections\":{},\"connected\":{},\"threads\":{},"
      "\"seconds\":{:.3f},\"requests\":{},\"throughput\":{:.1f},\"denials\":{},\"errors\":{},"
      "\"file_limited\":{},\"leases_held\":{},"
      "\"latency_us\":{{\"p50\":{},\"p90\":{},\"p99\":{},\"p999\":{},\"max\":{}}}",
      label, mode, cfg.connections, r.connected, cfg.threads, r.seconds, r.requests,
      r.throughput(), r.denials, r.errors, r.file_limited, r.leases_held, h.Quantile(0.5),
      h.Quantile(0.9), h.Quantile(0.99), h.Quantile(0.999), h.max());
  if (r.storm.disconnected) {
    const auto& s = r.storm;
    json += fmt::format(
        ",\"storm\":{{\"leases\":{},\"reattached\":{},\"refused\":{},\"unresolved\":{},"
        "\"ms\":{:.0f},\"after_reconnect_ms\":{:.0f}}}",
        s.leases, s.reattached, s.refused, s.unresolved, s.ms, s.after_reconnect_ms);
  }
  if (cfg.window.count() > 0) {
    json += fmt::format(
        ",\"windows\":{{\"ms\":{},\"start_unix_ms\":{},\"p99_us\":[{}],\"requests\":[{}]}}",
        cfg.window.count(), r.window_start_unix_ms, fmt::join(r.window_p99, ","),
        fmt::join(r.window_requests, ","));
  }
  std::printf("%s}\n", json.c_str());
}

void PrintTable(const std::string& label, const LoadConfig& cfg, const LoadResult& r) {
  const auto& h = r.latency;
  std::printf("%-12s %6s %6s %10s %12s %8s %8s %8s %8s %8s %8s %7s\n", "run", "conns", "ok",
              "requests", "req/s", "p50 us", "p90 us", "p99 us", "p99.9", "max us", "denied",
              "errors");
  std::printf("%-12s %6d %6d %10llu %12.0f %8llu %8llu %8llu %8llu %8llu %8llu %7llu\n",
              label.c_str(), cfg.connections, r.connected, static_cast<ull>(r.requests),
              r.throughput(), static_cast<ull>(h.Quantile(0.5)), static_cast<ull>(h.Quantile(0.9)),
              static_cast<ull>(h.Quantile(0.99)), static_cast<ull>(h.Quantile(0.999)),
              static_cast<ull>(h.max()), static_cast<ull>(r.denials), static_cast<ull>(r.errors));
  if (IsSteady(cfg.mode)) std::printf("leases held: %llu\n", static_cast<ull>(r.leases_held));
  if (r.storm.disconnected) {
    const auto& s = r.storm;
    std::printf(
        "storm: %llu lease(s) reattached, %llu refused, %llu unanswered; %.0f ms from the first "
        "disconnect, %.0f ms from the first reconnect\n",
        static_cast<ull>(s.reattached), static_cast<ull>(s.refused),
        static_cast<ull>(s.unresolved), s.ms, s.after_reconnect_ms);
  }
  if (cfg.window.count() > 0) {
    std::printf("p99 us per %lld ms window: %s\n", static_cast<long long>(cfg.window.count()),
                fmt::format("{}", fmt::join(r.window_p99, " ")).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  LoadConfig cfg;
  std::string server, mode = "checkout", bind = "127.0.0.1", features;
  std::vector<std::string> vendor_keys;
  std::string tls_cert, tls_key;
  double duration = 5, warmup = 0.5, storm_timeout = 30, fill_timeout = 60;
  int heartbeat_ms = 0, window_ms = 0;
  std::uint16_t echo_port = 0;
  po::options_description desc("floatlm-bench options");
  desc.add_options()
      ("help,h", "show this help")
      ("server,c", po::value(&server)->value_name("PORT@HOST"), "daemon (or echo server) to load (default $FLOATLM_LICENSE, else 27000@127.0.0.1)")
      ("mode", po::value(&mode), "checkout, heartbeat, status, echo, cascade, hold, idle, storm (default checkout)")
      ("feature,f", po::value(&cfg.feature), "feature to check out (default bench)")
      ("features", po::value(&features)->value_name("A,B,C"), "cascade: features checked out in this order")
      ("leases", po::value(&cfg.leases), "hold, storm: leases per connection (default 1); the feature must allow it, e.g. DUP_GROUP=NONE")
      ("connections", po::value(&cfg.connections), "client connections (default 50)")
      ("threads", po::value(&cfg.threads), "client threads (default 2)")
      ("duration", po::value(&duration), "measured seconds (default 5); storm: longest wait for the disconnect")
      ("warmup", po::value(&warmup), "seconds before measuring (default 0.5); hold, idle, storm: after filling")
      ("fill-timeout", po::value(&fill_timeout), "hold, idle, storm: longest wait for every connection to fill (default 60)")
      ("storm-timeout", po::value(&storm_timeout), "storm: seconds after the first disconnect to keep reconnecting (default 30)")
      ("source-addresses", po::value(&cfg.source_addresses), "spread connections over 127.0.0.1..N (one address: ~28,000 connections)")
      ("heartbeat-ms", po::value(&heartbeat_ms), "hold, idle, storm: heartbeat interval (default: the daemon's)")
      ("windows-ms", po::value(&window_ms), "also report the p99 of each window of this many ms")
      ("stop-file", po::value(&cfg.stop_file)->value_name("PATH"), "steady modes: end the measurement early once PATH exists")
      ("vendor-key", po::value(&vendor_keys)->value_name("VENDOR=FILE.pub"), "checkout: ask for license lines and check every grant with this key, as an application would (repeatable)")
      ("tls", "the server speaks TLS (tls:PORT@HOST may also be given to -c)")
      ("tls-ca", po::value(&cfg.tls_ca)->value_name("FILE"), "CA certificates for --tls (default $FLOATLM_TLS_CA, else the system store)")
      ("tls-cert", po::value(&tls_cert)->value_name("FILE"), "echo server: speak TLS with this certificate chain")
      ("tls-key", po::value(&tls_key)->value_name("FILE"), "echo server: the certificate's private key")
      ("json", "print one JSON object instead of a table")
      ("label", po::value<std::string>(), "name for this run in the output")
      ("echo-server", "run the framed echo server instead")
      ("bind", po::value(&bind), "echo server address (default 127.0.0.1)")
      ("port", po::value(&echo_port), "echo server port (default 0: any free port)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "floatlm-bench: %s\n%s\n", e.what(), kUsage);
    return 2;
  }
  if (vm.count("help")) {
    std::printf("%s\n\n", kUsage);
    desc.print(std::cout);
    return 0;
  }
  if (vm.count("echo-server")) {
    if (tls_cert.empty() != tls_key.empty()) {
      std::fprintf(stderr, "floatlm-bench: --tls-cert and --tls-key go together\n");
      return 2;
    }
    return floatlm::bench::RunEchoServer(bind, echo_port, tls_cert, tls_key);
  }
  if (!ParseMode(mode, cfg.mode)) {
    std::fprintf(stderr,
                 "floatlm-bench: --mode: '%s' is not one of checkout, heartbeat, status, echo, "
                 "cascade, hold, idle, storm\n",
                 mode.c_str());
    return 2;
  }
  cfg.features = SplitList(features);
  for (const std::string& spec : vendor_keys) {
    const auto eq = spec.find('=');
    std::string pem;
    if (eq != std::string::npos && eq > 0) {
      std::ifstream in(spec.substr(eq + 1));
      pem.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (pem.empty() || !floatlm::licenses::PublicKey::FromPem(pem)) {
      std::fprintf(stderr, "floatlm-bench: --vendor-key: '%s' is not VENDOR=FILE.pub with an "
                           "Ed25519 public key\n", spec.c_str());
      return 2;
    }
    cfg.vendor_keys.emplace_back(spec.substr(0, eq), pem);
  }
  if (cfg.mode == Mode::kCascade && cfg.features.empty()) {
    std::fprintf(stderr, "floatlm-bench: --mode cascade needs --features A,B,...\n");
    return 2;
  }
  if (server.empty()) {
    const char* env = std::getenv("FLOATLM_LICENSE");
    server = env && *env ? env : "27000@127.0.0.1";
  }
  if (server.rfind("tls:", 0) == 0) {
    cfg.tls = true;
    server = server.substr(4);
  }
  if (vm.count("tls")) cfg.tls = true;
  if (cfg.tls && cfg.tls_ca.empty()) {
    if (const char* env = std::getenv("FLOATLM_TLS_CA")) cfg.tls_ca = env;
  }
  const auto at = server.find('@');
  if (at == std::string::npos) {
    std::fprintf(stderr, "floatlm-bench: -c: '%s' is not PORT@HOST\n", server.c_str());
    return 2;
  }
  try {
    cfg.port = static_cast<std::uint16_t>(std::stoi(server.substr(0, at)));
  } catch (const std::exception&) {
    std::fprintf(stderr, "floatlm-bench: -c: '%s' has no port number\n", server.c_str());
    return 2;
  }
  cfg.host = server.substr(at + 1);
  if (cfg.host == "localhost") cfg.host = "127.0.0.1";
  if (cfg.connections < 1 || cfg.threads < 1 || cfg.leases < 1 || duration <= 0 || warmup < 0 ||
      storm_timeout <= 0 || fill_timeout <= 0 || heartbeat_ms < 0 || window_ms < 0) {
    std::fprintf(stderr, "floatlm-bench: connections, threads, leases and durations must be "
                         "positive\n");
    return 2;
  }
  const auto ms = [](double secs) {
    return std::chrono::milliseconds(static_cast<long>(secs * 1000));
  };
  cfg.duration = ms(duration);
  cfg.warmup = ms(warmup);
  cfg.storm_timeout = ms(storm_timeout);
  cfg.fill_timeout = ms(fill_timeout);
  cfg.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  cfg.window = std::chrono::milliseconds(window_ms);
  const auto file_limit = RaiseFileLimit(cfg.connections);

  const auto r = floatlm::bench::RunLoad(cfg);
  if (r.file_limited > 0) {
    std::fprintf(stderr,
                 "floatlm-bench: %llu of %d connections were not opened: the open-file limit "
                 "(%llu) was reached; %d connected. Raise it (ulimit -n, LimitNOFILE) or lower "
                 "--connections\n",
                 static_cast<ull>(r.file_limited), cfg.connections, file_limit, r.connected);
  }
  const std::string label = vm.count("label") ? vm["label"].as<std::string>() : mode;
  if (vm.count("json")) {
    PrintJson(label, mode, cfg, r);
  } else {
    PrintTable(label, cfg, r);
  }
  // A run in which no connection got through measured nothing: say so in the exit code.
  // A storm measures its reattaches even when no heartbeat fell inside it.
  const bool measured = r.requests > 0 || r.storm.disconnected;
  return r.connected == 0 || !measured ? 1 : 0;
}
