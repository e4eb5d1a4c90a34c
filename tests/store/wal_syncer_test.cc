// WalSyncer: a background fdatasync of a WAL file each time it changed, none otherwise,
// and patience with a file that does not exist yet.
#include "store/wal_syncer.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "store_backends.h"

namespace floatlm::store {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// Waits up to 5 s for the syncer to have synced more than `than` times.
bool SyncedMoreThan(const WalSyncer& syncer, std::uint64_t than) {
  for (int i = 0; i < 500; ++i) {
    if (syncer.syncs() > than) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

void Append(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::app | std::ios::binary) << bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wal_syncer)

BOOST_AUTO_TEST_CASE(syncs_each_time_the_file_changed_and_not_otherwise) {
  TempDir dir;
  const std::string path = dir.path() + "/state.db-wal";
  Append(path, std::string(4096, 'a'));
  WalSyncer syncer(path, 5ms);
  BOOST_REQUIRE(SyncedMoreThan(syncer, 0));
  // Unchanged for twenty intervals: no sync.
  std::this_thread::sleep_for(30ms);  // a pass that started before the first check ends
  const std::uint64_t settled = syncer.syncs();
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(syncer.syncs() == settled);
  Append(path, std::string(4096, 'b'));
  BOOST_TEST(SyncedMoreThan(syncer, settled));
}

BOOST_AUTO_TEST_CASE(waits_for_a_file_that_does_not_exist_yet) {
  TempDir dir;
  const std::string path = dir.path() + "/state.db-wal";
  WalSyncer syncer(path, 5ms);
  std::this_thread::sleep_for(50ms);
  BOOST_TEST(syncer.syncs() == 0u);
  Append(path, "frames");
  BOOST_TEST(SyncedMoreThan(syncer, 0));
}

BOOST_AUTO_TEST_CASE(stops_promptly_with_a_long_interval) {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  { WalSyncer syncer(dir.path() + "/state.db-wal", std::chrono::hours(1)); }
  const bool prompt = std::chrono::steady_clock::now() - start < 5s;
  BOOST_TEST(prompt, "the syncer waited out its interval before stopping");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::store
