// kill -9 while floatlm-bench drives load: storm clients hold most seats of a pool and
// reattach after the restart, a checkout bench churns the rest, and status is sampled
// all along. No sample may show the pool above its count, every lease the storm held
// comes back under its own id, and no lease id appears twice.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "daemon_fixture.h"
#include "raw_client.h"

using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::JsonNumber;
using floatlm::testing::RawClient;
using floatlm::testing::ReadWholeFile;
using floatlm::testing::SpawnToFiles;
using floatlm::testing::WaitExitCode;
using namespace std::chrono_literals;

namespace {

constexpr int kSeats = 50;
constexpr int kStormConnections = 10;
constexpr int kStormLeases = 4;  // per connection: 40 of the 50 seats

// Lease ids in a status JSON document.
std::multiset<long> LeaseIds(const std::string& json) {
  std::multiset<long> ids;
  const std::regex re("\\{\"lease\":(\\d+)");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator();
       ++it) {
    ids.insert(std::stol((*it)[1]));
  }
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kill_under_load)

BOOST_AUTO_TEST_CASE(kill_9_under_bench_load_keeps_every_acknowledged_lease) {
  DaemonFixture d("VENDOR demo\nFEATURE load demo 1.0 permanent " + std::to_string(kSeats) +
                  " DUP_GROUP=NONE SN=L-1\n");
  const std::string server = std::to_string(d.port()) + "@127.0.0.1";
  const auto storm_out = d.dir() / "storm.json", storm_err = d.dir() / "storm.err";
  const pid_t storm = SpawnToFiles({BinPath("floatlm-bench"), "-c", server, "--mode", "storm", "-f",
                             "load", "--connections", std::to_string(kStormConnections),
                             "--leases", std::to_string(kStormLeases), "--threads", "1",
                             "--heartbeat-ms", "100", "--duration", "30", "--storm-timeout",
                             "20", "--warmup", "0", "--json"},
                            storm_out, storm_err);
  BOOST_REQUIRE(storm > 0);
  const std::string filled =
      "event=bench.filled leases=" + std::to_string(kStormConnections * kStormLeases);
  bool is_filled = false;
  for (int i = 0; i < 400 && !is_filled; ++i) {
    std::this_thread::sleep_for(25ms);
    is_filled = ReadWholeFile(storm_err).find(filled) != std::string::npos;
  }
  BOOST_REQUIRE_MESSAGE(is_filled, ReadWholeFile(storm_err));

  // Status sampled every 50 ms from here to the end, through the kill and the restart.
  std::atomic<bool> sampling{true};
  std::atomic<int> samples{0}, down{0}, above{0}, duplicated{0}, max_in_use{0};
  std::thread sampler([&] {
    while (sampling) {
      try {
        const std::string json = RawClient::StatusOf(d.port(), /*json=*/true);
        const long in_use = JsonNumber(json, "in_use");
        if (in_use < 0) {
          ++down;  // the connection closed mid-answer: the daemon was killed
        } else {
          ++samples;
          max_in_use = std::max(max_in_use.load(), static_cast<int>(in_use));
          if (in_use > kSeats) ++above;
          const auto ids = LeaseIds(json);
          if (std::set<long>(ids.begin(), ids.end()).size() != ids.size()) ++duplicated;
        }
      } catch (const std::exception&) {
        ++down;  // refused while the daemon is down
      }
      std::this_thread::sleep_for(50ms);
    }
  });

  // The churn: 4 clients check seats out and in as fast as they can.
  const auto churn_out = d.dir() / "churn.json", churn_err = d.dir() / "churn.err";
  const pid_t churn = SpawnToFiles({BinPath("floatlm-bench"), "-c", server, "--mode", "checkout", "-f",
                             "load", "--connections", "4", "--threads", "1", "--duration", "3",
                             "--warmup", "0", "--json"},
                            churn_out, churn_err);
  BOOST_REQUIRE(churn > 0);
  std::this_thread::sleep_for(1s);
  const int before_kill = samples.load();
  d.Kill();
  d.Start();  // same port, same state directory

  const int storm_rc = WaitExitCode(storm);
  WaitExitCode(churn);  // its connections die with the daemon; only the storm must recover
  std::this_thread::sleep_for(300ms);
  sampling = false;
  sampler.join();

  const std::string json = ReadWholeFile(storm_out);
  BOOST_TEST_MESSAGE("storm: " << json);
  BOOST_TEST_MESSAGE("churn: " << ReadWholeFile(churn_out));
  BOOST_TEST_MESSAGE("status samples " << samples << " (before the kill " << before_kill
                                       << "), refused or cut " << down << ", max in use "
                                       << max_in_use);
  BOOST_TEST(storm_rc == 0, ReadWholeFile(storm_err));
  BOOST_TEST(before_kill > 0);
  BOOST_TEST(samples > before_kill, "no status sample after the restart");
  BOOST_TEST(above == 0, "a status sample showed the pool above its count");
  BOOST_TEST(duplicated == 0, "a status sample listed a lease id twice");
  BOOST_TEST(JsonNumber(json, "reattached") == kStormConnections * kStormLeases, json);
  BOOST_TEST(JsonNumber(json, "refused") == 0, json);
  BOOST_TEST(JsonNumber(json, "unresolved") == 0, json);

  // After the storm: its 40 leases are held once each, and the pool is within its count.
  const std::string after = RawClient::StatusOf(d.port(), /*json=*/true);
  const auto ids = LeaseIds(after);
  BOOST_TEST(std::set<long>(ids.begin(), ids.end()).size() == ids.size());
  BOOST_TEST(JsonNumber(after, "in_use") <= kSeats);
  BOOST_TEST(ids.size() >= static_cast<std::size_t>(kStormConnections * kStormLeases), after);
}

BOOST_AUTO_TEST_SUITE_END()
