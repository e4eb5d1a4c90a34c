// floatlm-bench-journal: writes a usage journal of a busy site into a state directory,
// straight through the daemon's SQLite store, for scripts/bench's admin figures (report
// and backup at scale). Checkout and checkin pairs of 500 users on 4 features, spread
// evenly over the last --days days; the lease id mark is raised past them, so a daemon
// started on the directory issues fresh ids.
//
// Usage: floatlm-bench-journal --state DIR --entries N [--days D]
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "store/sqlite_lease_store.h"

namespace po = boost::program_options;
namespace st = floatlm::store;

int main(int argc, char** argv) try {
  std::string state;
  std::uint64_t entries = 0;
  int days = 30;
  po::options_description desc("floatlm-bench-journal options");
  desc.add_options()("state", po::value(&state)->required(), "state directory (must exist)")(
      "entries", po::value(&entries)->required(), "journal entries to write (pairs)")(
      "days", po::value(&days), "spread them over the last DAYS days (default 30)");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, desc), vm);
  po::notify(vm);
  if (days < 1 || entries < 2) throw std::runtime_error("--days >= 1 and --entries >= 2");

  st::SqliteStoreOptions options;
  options.state_dir = state;
  options.checkpoint_interval = std::chrono::milliseconds(0);  // commits checkpoint
  std::unique_ptr<st::SqliteLeaseStore> store;
  if (auto s = st::SqliteLeaseStore::Open(options, &store); !s.ok()) {
    throw std::runtime_error(s.message());
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::int64_t span = std::int64_t{days} * 86'400'000;
  const std::uint64_t pairs = entries / 2;
  const char* features[] = {"cad", "cam", "sim", "viz"};
  const auto began = std::chrono::steady_clock::now();
  st::Batch batch;
  for (std::uint64_t i = 0; i < pairs; ++i) {
    const std::uint64_t lease = 1'000'000'000ULL + i;
    const std::int64_t start =
        now - span + static_cast<std::int64_t>(static_cast<double>(span) * i / pairs);
    st::JournalEntry e;
    e.time = start;
    e.event = st::JournalEvent::kCheckout;
    e.user = fmt::format("user{:03}", i % 500);
    e.host = fmt::format("ws{:03}", i % 500);
    e.display = ":0";
    e.peer = "10.0.0.1";
    e.feature = features[i % 4];
    e.version = "2027.0";
    e.pool = fmt::format("{}/2027.0/SN-{}", e.feature, i % 4);
    e.lease_id = lease;
    batch.journal.push_back(e);
    e.event = st::JournalEvent::kCheckin;
    e.time = start + 45 * 60'000;  // 45 minutes each
    if (e.time >= now) e.time = now - 1;
    batch.journal.push_back(std::move(e));
    batch.highest_lease_id = lease;
    if (batch.journal.size() >= 10'000 || i + 1 == pairs) {
      if (auto s = store->Commit(batch); !s.ok()) throw std::runtime_error(s.message());
      batch = {};
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - began)
                      .count();
  std::printf("{\"entries\":%llu,\"ms\":%lld}\n", static_cast<unsigned long long>(pairs * 2),
              static_cast<long long>(ms));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "floatlm-bench-journal: %s\n", e.what());
  return 1;
}
