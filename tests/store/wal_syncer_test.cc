// WalSyncer: its pass runs every interval on its own thread, SyncNow() writes the WAL
// to disk once the file exists, and the thread stops at once when asked.
#include "store/wal_syncer.h"

#include <atomic>
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

// Waits up to 5 s for `done`.
template <class Pred>
bool Within5s(Pred done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wal_syncer)

BOOST_AUTO_TEST_CASE(the_pass_syncs_the_file_once_it_exists) {
  TempDir dir;
  const std::string path = dir.path() + "/state.db-wal";
  std::atomic<int> passes{0}, synced{0}, missing{0};
  WalSyncer syncer(path, 5ms, [&](WalSyncer& s) {
    ++passes;
    (s.SyncNow() ? synced : missing)++;
  });
  BOOST_REQUIRE(Within5s([&] { return missing.load() >= 2; }));
  BOOST_TEST(synced.load() == 0);
  BOOST_TEST(syncer.syncs() == 0u);
  std::ofstream(path) << "frames";
  BOOST_TEST(Within5s([&] { return synced.load() >= 2; }), "no sync of the file within 5 s");
  BOOST_TEST(syncer.syncs() >= 2u);
  BOOST_TEST(passes.load() >= 4);
}

BOOST_AUTO_TEST_CASE(stops_promptly_with_a_long_interval) {
  TempDir dir;
  std::atomic<int> passes{0};
  const auto start = std::chrono::steady_clock::now();
  {
    WalSyncer syncer(dir.path() + "/state.db-wal", std::chrono::hours(1),
                     [&](WalSyncer&) { ++passes; });
  }
  const bool prompt = std::chrono::steady_clock::now() - start < 5s;
  BOOST_TEST(prompt, "the thread waited out its interval before stopping");
  BOOST_TEST(passes.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::store
