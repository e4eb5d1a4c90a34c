// floatlm-bench: measures floatlmd over the real protocol (throughput and a latency
// histogram), or serves as the framed echo server that is the reference round trip.
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "load.h"

namespace po = boost::program_options;
using floatlm::bench::LoadConfig;
using floatlm::bench::Mode;

namespace {

constexpr const char* kUsage =
    "usage: floatlm-bench [-c PORT@HOST] [--mode checkout|heartbeat|status|echo|hold]\n"
    "                     [--connections C] [--threads T] [--duration SECS] [--json]\n"
    "       floatlm-bench --echo-server [--bind ADDR] [--port N]";

bool ParseMode(const std::string& text, Mode& mode) {
  if (text == "checkout") mode = Mode::kCheckout;
  else if (text == "heartbeat") mode = Mode::kHeartbeat;
  else if (text == "status") mode = Mode::kStatus;
  else if (text == "echo") mode = Mode::kEcho;
  else if (text == "hold") mode = Mode::kHold;
  else return false;
  return true;
}

// Every connection is a file descriptor: lift the soft limit, and say when the hard
// limit is too low for what was asked.
void RaiseFileLimit(int connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
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
}

}  // namespace

int main(int argc, char** argv) {
  LoadConfig cfg;
  std::string server, mode = "checkout", bind = "127.0.0.1";
  double duration = 5, warmup = 0.5;
  int heartbeat_ms = 0;
  std::uint16_t echo_port = 0;
  po::options_description desc("floatlm-bench options");
  desc.add_options()
      ("help,h", "show this help")
      ("server,c", po::value(&server)->value_name("PORT@HOST"), "daemon (or echo server) to load (default $FLOATLM_LICENSE, else 27000@127.0.0.1)")
      ("mode", po::value(&mode), "checkout (checkout+checkin pairs), heartbeat, status, echo, hold")
      ("feature,f", po::value(&cfg.feature), "feature to check out (default bench)")
      ("connections", po::value(&cfg.connections), "client connections (default 50)")
      ("threads", po::value(&cfg.threads), "client threads (default 2)")
      ("duration", po::value(&duration), "measured seconds (default 5)")
      ("warmup", po::value(&warmup), "seconds before measuring (default 0.5)")
      ("source-addresses", po::value(&cfg.source_addresses), "spread connections over 127.0.0.1..N")
      ("heartbeat-ms", po::value(&heartbeat_ms), "hold mode: heartbeat interval (default: the daemon's)")
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
  if (vm.count("echo-server")) return floatlm::bench::RunEchoServer(bind, echo_port);
  if (!ParseMode(mode, cfg.mode)) {
    std::fprintf(stderr, "floatlm-bench: --mode: '%s' is not one of checkout, heartbeat, status, echo, hold\n",
                 mode.c_str());
    return 2;
  }
  if (server.empty()) {
    const char* env = std::getenv("FLOATLM_LICENSE");
    server = env && *env ? env : "27000@127.0.0.1";
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
  if (cfg.connections < 1 || cfg.threads < 1 || duration <= 0 || warmup < 0) {
    std::fprintf(stderr, "floatlm-bench: connections, threads and duration must be positive\n");
    return 2;
  }
  cfg.duration = std::chrono::milliseconds(static_cast<long>(duration * 1000));
  cfg.warmup = std::chrono::milliseconds(static_cast<long>(warmup * 1000));
  cfg.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  RaiseFileLimit(cfg.connections);

  const auto r = floatlm::bench::RunLoad(cfg);
  const std::string label = vm.count("label") ? vm["label"].as<std::string>() : mode;
  const auto& h = r.latency;
  if (vm.count("json")) {
    std::printf(
        "{\"label\":\"%s\",\"mode\":\"%s\",\"connections\":%d,\"connected\":%d,\"threads\":%d,"
        "\"seconds\":%.3f,\"requests\":%llu,\"throughput\":%.1f,\"denials\":%llu,\"errors\":%llu,"
        "\"latency_us\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}}\n",
        label.c_str(), mode.c_str(), cfg.connections, r.connected, cfg.threads, r.seconds,
        static_cast<unsigned long long>(r.requests), r.throughput(),
        static_cast<unsigned long long>(r.denials), static_cast<unsigned long long>(r.errors),
        static_cast<unsigned long long>(h.Quantile(0.5)), static_cast<unsigned long long>(h.Quantile(0.9)),
        static_cast<unsigned long long>(h.Quantile(0.99)), static_cast<unsigned long long>(h.Quantile(0.999)),
        static_cast<unsigned long long>(h.max()));
  } else {
    std::printf("%-12s %6s %6s %10s %12s %8s %8s %8s %8s %8s %8s %7s\n", "run", "conns", "ok",
                "requests", "req/s", "p50 us", "p90 us", "p99 us", "p99.9", "max us", "denied",
                "errors");
    std::printf("%-12s %6d %6d %10llu %12.0f %8llu %8llu %8llu %8llu %8llu %8llu %7llu\n",
                label.c_str(), cfg.connections, r.connected,
                static_cast<unsigned long long>(r.requests), r.throughput(),
                static_cast<unsigned long long>(h.Quantile(0.5)),
                static_cast<unsigned long long>(h.Quantile(0.9)),
                static_cast<unsigned long long>(h.Quantile(0.99)),
                static_cast<unsigned long long>(h.Quantile(0.999)),
                static_cast<unsigned long long>(h.max()), static_cast<unsigned long long>(r.denials),
                static_cast<unsigned long long>(r.errors));
  }
  // A run in which no connection got through measured nothing: say so in the exit code.
  return r.connected == 0 || r.requests == 0 ? 1 : 0;
}
