// The LeaseStore contract, one suite run against every backend (kea's habit): a new
// backend joins by adding its class to Backends. The backup cases split the backends by
// their kKeepsFiles trait (store_backends.h).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/mpl/bool.hpp>
#include <boost/mpl/list.hpp>
#include <boost/mpl/remove_if.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "store/lease_store.h"
#include "store_backends.h"

namespace floatlm::store {
namespace {

using testing::MemoryBackend;
using testing::SqliteBackend;
using testing::TempDir;
using Backends = boost::mpl::list<MemoryBackend, SqliteBackend>;

struct KeepsFiles {
  template <class B>
  struct apply : boost::mpl::bool_<B::kKeepsFiles> {};
};
struct KeepsNoFiles {
  template <class B>
  struct apply : boost::mpl::bool_<!B::kKeepsFiles> {};
};
using FileBackends = boost::mpl::remove_if<Backends, KeepsNoFiles>::type;
using FilelessBackends = boost::mpl::remove_if<Backends, KeepsFiles>::type;

LeaseRecord Lease(std::uint64_t id, std::string user = "alice") {
  LeaseRecord lease;
  lease.id = id;
  lease.token_digest = token::Of(id, 0xfedcba9876543210ull + id);
  lease.pool_key = "cad/1.0/SN-0001";
  lease.feature = "cad";
  lease.version = "2024.1";
  lease.user = std::move(user);
  lease.host = "ws-17";
  lease.display = "ws-17:0";
  lease.peer = "192.0.2.17";
  lease.client_pid = 4242;
  lease.app = "cad-studio";
  lease.since = 1'710'234'000'000 + static_cast<std::int64_t>(id);
  lease.seat = 3;
  lease.shared = false;
  return lease;
}

JournalEntry Entry(UnixMillis time, JournalEvent event, std::string detail = "") {
  JournalEntry e;
  e.time = time;
  e.event = event;
  e.user = "alice";
  e.host = "ws-17";
  e.display = ":0";
  e.peer = "192.0.2.17";
  e.feature = "cad";
  e.version = "2024.1";
  e.pool = "cad/1.0/SN-0001";
  e.lease_id = 7;
  e.reason = event == JournalEvent::kDenial ? "all_seats_in_use" : "";
  e.detail = std::move(detail);
  return e;
}

// A batch of `n` checkouts, one every `step` ms from `first` on, each with `detail`.
Batch Checkouts(int n, UnixMillis first, UnixMillis step = 1, const std::string& detail = "") {
  Batch batch;
  for (int i = 0; i < n; ++i) {
    batch.journal.push_back(Entry(first + step * i, JournalEvent::kCheckout, detail));
  }
  return batch;
}

void Commit(LeaseStore& store, const Batch& batch) {
  const Status s = store.Commit(batch);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
}

StoredState Load(LeaseStore& store) {
  StoredState state;
  const Status s = store.Load(&state);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  return state;
}

std::vector<JournalEntry> Journal(LeaseStore& store, UnixMillis from, UnixMillis to) {
  std::vector<JournalEntry> entries;
  const Status s = store.ReadJournal(from, to, &entries);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  return entries;
}

std::vector<std::string> Digests(LeaseStore& store) {
  std::vector<std::string> digests;
  const Status s = store.LoadSignatureDigests(&digests);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  return digests;
}

void ReplaceDigests(LeaseStore& store, const std::vector<std::string>& digests) {
  const Status s = store.ReplaceSignatureDigests(digests);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
}

// A digest as the daemon keeps them: 32 bytes, any of them.
std::string Digest(char fill) { return std::string(32, fill); }

void CheckSameState(const StoredState& got, const StoredState& want) {
  BOOST_CHECK(got.leases == want.leases);
  BOOST_CHECK(got.cloud_slots == want.cloud_slots);
  BOOST_CHECK(got.assignments == want.assignments);
  BOOST_TEST(got.highest_lease_id == want.highest_lease_id);
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A store with something of every kind in it, the journal pruned once and a refused
// batch on top (which must not show anywhere).
void Fill(LeaseStore& store) {
  LeaseRecord collection_seat = Lease(2, "bob");
  collection_seat.products = {"cad", "cam"};
  collection_seat.shared = true;
  Batch batch;
  batch.upsert_leases = {Lease(1), collection_seat, Lease(3, "carol")};
  batch.add_slots = {CloudSlot{"PDCOLL", "carol", 500, 700}};
  batch.add_assignments = {Assignment{"inv/USER_BASED", "dave", 600}};
  batch.journal = {Entry(100, JournalEvent::kStart, "gone"), Entry(900, JournalEvent::kCheckout),
                   Entry(900, JournalEvent::kDenial, "same time, later"),
                   Entry(1'000, JournalEvent::kCheckin)};
  batch.highest_lease_id = 40;
  Commit(store, batch);
  Commit(store, Batch{.delete_leases = {3}});
  std::size_t removed = 0;
  BOOST_REQUIRE(store.PruneJournal(500, 10, &removed).ok());
  BOOST_REQUIRE_EQUAL(removed, 1u);
  ReplaceDigests(store, {Digest('\x01'), Digest('\xfe')});
  BOOST_REQUIRE(!store.Commit(Batch{.upsert_leases = {Lease(0)}, .highest_lease_id = 99}).ok());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lease_store_conformance)

BOOST_AUTO_TEST_CASE_TEMPLATE(empty_store_loads_nothing, B, Backends) {
  B backend;
  const StoredState state = Load(backend.Store());
  BOOST_TEST(state.leases.empty());
  BOOST_TEST(state.cloud_slots.empty());
  BOOST_TEST(state.assignments.empty());
  BOOST_TEST(state.highest_lease_id == 0u);
  BOOST_TEST(Journal(backend.Store(), INT64_MIN, INT64_MAX).empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(every_record_kind_round_trips, B, Backends) {
  B backend;
  LeaseRecord collection_seat = Lease(2, "bob");
  collection_seat.shared = true;
  collection_seat.seat = 0;
  collection_seat.products = {"cad", "cam"};
  collection_seat.token_digest.fill(0xff);  // every byte of the digest survives
  collection_seat.client_pid = -1;  // whatever the client claimed, stored as given
  collection_seat.dup_group = "UHD";  // the grouping its application asked for
  LeaseRecord job = Lease(3, "carol");
  job.seats = 16;  // a checkout of 16 seats at once
  JournalEntry job_checkout = Entry(950, JournalEvent::kCheckout);
  job_checkout.lease_id = 3;
  job_checkout.seats = 16;
  JournalEntry denial = Entry(1'000, JournalEvent::kDenial, "2 of 2 seats held by alice, bob");
  denial.lease_id = 0;
  denial.count = 4'000'000'000u;  // repeats folded into one entry: the count survives whole
  Batch batch;
  batch.upsert_leases = {Lease(1), collection_seat, job};
  batch.add_slots = {CloudSlot{"PDCOLL", "carol", 500}};
  batch.add_assignments = {Assignment{"inv/USER_BASED", "dave", 600}};
  batch.journal = {Entry(900, JournalEvent::kCheckout), job_checkout, denial};
  Commit(backend.Store(), batch);
  backend.Reopen();

  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 3u);
  BOOST_CHECK(state.leases[0] == Lease(1));
  BOOST_CHECK(state.leases[1] == collection_seat);
  BOOST_CHECK(state.leases[2] == job);
  BOOST_REQUIRE_EQUAL(state.cloud_slots.size(), 1u);
  BOOST_CHECK((state.cloud_slots[0] == CloudSlot{"PDCOLL", "carol", 500}));
  BOOST_REQUIRE_EQUAL(state.assignments.size(), 1u);
  BOOST_CHECK((state.assignments[0] == Assignment{"inv/USER_BASED", "dave", 600}));
  BOOST_TEST(state.highest_lease_id == 3u);
  const std::vector<JournalEntry> journal = Journal(backend.Store(), 0, 2'000);
  BOOST_REQUIRE_EQUAL(journal.size(), 3u);
  BOOST_CHECK(journal[0] == Entry(900, JournalEvent::kCheckout));
  BOOST_CHECK(journal[1] == job_checkout);
  BOOST_CHECK(journal[2] == denial);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(every_journal_event_kind_round_trips, B, Backends) {
  B backend;
  Batch batch;
  for (int kind = 0; kind <= static_cast<int>(JournalEvent::kCloudRelease); ++kind) {
    batch.journal.push_back(Entry(kind, static_cast<JournalEvent>(kind)));
  }
  Commit(backend.Store(), batch);
  backend.Reopen();
  BOOST_CHECK(Journal(backend.Store(), 0, 100) == batch.journal);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(deleted_lease_is_gone, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(1), Lease(2), Lease(3)}});
  Commit(backend.Store(), Batch{.delete_leases = {2, 99}});  // 99 never existed: ignored
  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 2u);
  BOOST_TEST(state.leases[0].id == 1u);
  BOOST_TEST(state.leases[1].id == 3u);
}

// TryCommit is Commit when the backend is not busy (the SQLite store defers only while
// its own thread checkpoints, sqlite_lease_store_test.cc).
BOOST_AUTO_TEST_CASE_TEMPLATE(try_commit_commits_when_not_busy, B, Backends) {
  B backend;
  BOOST_REQUIRE(backend.Store().TryCommit(Batch{.upsert_leases = {Lease(7, "carol")}}).ok());
  BOOST_REQUIRE(backend.Store().TryCommit(Batch{}).ok());
  const StoredState state = Load(backend.Store());
  BOOST_TEST_REQUIRE(state.leases.size() == 1u);
  BOOST_TEST(state.leases[0].id == 7u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(upsert_replaces_the_whole_lease, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(5)}});
  LeaseRecord moved = Lease(5);
  moved.pool_key = "PDCOLL/2024/SN-0002";  // consolidation moved it onto a collection seat
  moved.seat = 9;
  moved.products = {"cad"};
  moved.host.clear();
  Commit(backend.Store(), Batch{.upsert_leases = {moved}});
  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 1u);
  BOOST_CHECK(state.leases[0] == moved);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(lease_granted_and_freed_in_one_batch_ends_deleted, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(4)}, .delete_leases = {4}});
  const StoredState state = Load(backend.Store());
  BOOST_TEST(state.leases.empty());
  BOOST_TEST(state.highest_lease_id == 4u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(failed_batch_applies_nothing, B, Backends) {
  B backend;
  Commit(backend.Store(),
         Batch{.upsert_leases = {Lease(1)}, .journal = {Entry(1, JournalEvent::kCheckout)}});

  // Valid changes of every kind, then one bad journal entry last: the SQLite backend has
  // written everything else when it meets it, so only a rollback keeps the store clean.
  JournalEntry bad = Entry(3, JournalEvent::kCheckin);
  bad.event = static_cast<JournalEvent>(200);
  LeaseRecord changed = Lease(1);
  changed.user = "mallory";
  Batch batch;
  batch.upsert_leases = {changed, Lease(2)};
  batch.delete_leases = {1};
  batch.add_slots = {CloudSlot{"PDCOLL", "carol", 5}};
  batch.add_assignments = {Assignment{"inv", "dave", 6}};
  batch.journal = {Entry(2, JournalEvent::kCheckout), bad};
  batch.highest_lease_id = 1000;
  const Status s = backend.Store().Commit(batch);
  BOOST_TEST(!s.ok());
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kInvalidArgument));
  BOOST_TEST_MESSAGE("refused: " << s.message());

  // A bad lease id fails the same way.
  const Status zero = backend.Store().Commit(Batch{.upsert_leases = {Lease(3), Lease(0)}});
  BOOST_TEST(!zero.ok());
  BOOST_TEST_MESSAGE("refused: " << zero.message());

  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 1u);
  BOOST_CHECK(state.leases[0] == Lease(1));
  BOOST_TEST(state.cloud_slots.empty());
  BOOST_TEST(state.assignments.empty());
  BOOST_TEST(state.highest_lease_id == 1u);
  BOOST_TEST(Journal(backend.Store(), 0, 100).size() == 1u);

  // The store stays usable after a refused batch.
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(2)}});
  BOOST_TEST(Load(backend.Store()).leases.size() == 2u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(lease_id_mark_survives_and_never_goes_down, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(41)}});
  Commit(backend.Store(), Batch{.delete_leases = {41}});
  backend.Reopen();
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 41u);  // no lease left, mark kept

  Commit(backend.Store(), Batch{.highest_lease_id = 100});  // ids reserved ahead of use
  Commit(backend.Store(), Batch{.highest_lease_id = 50});   // lower: ignored
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(60)}});
  backend.Reopen();
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 100u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(journal_reads_in_time_order_within_half_open_range, B, Backends) {
  B backend;
  // Committed out of time order over two batches (a late denial, a clock step back).
  Commit(backend.Store(), Batch{.journal = {Entry(300, JournalEvent::kCheckin, "a"),
                                            Entry(100, JournalEvent::kCheckout, "b"),
                                            Entry(200, JournalEvent::kDenial, "c")}});
  Commit(backend.Store(), Batch{.journal = {Entry(200, JournalEvent::kDenial, "d"),
                                            Entry(50, JournalEvent::kStart, "e"),
                                            Entry(400, JournalEvent::kStop, "f")}});
  backend.Reopen();
  const auto details = [](const std::vector<JournalEntry>& entries) {
    std::string text;
    for (const JournalEntry& e : entries) text += e.detail;
    return text;
  };
  // Equal times (200) keep commit order: c before d.
  BOOST_TEST(details(Journal(backend.Store(), INT64_MIN, INT64_MAX)) == "ebcdaf");
  BOOST_TEST(details(Journal(backend.Store(), 100, 300)) == "bcd");  // 300 excluded
  BOOST_TEST(details(Journal(backend.Store(), 201, 300)) == "");
  BOOST_TEST(details(Journal(backend.Store(), 300, 301)) == "a");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cloud_slots_add_and_remove_idempotently, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.add_slots = {{"PDCOLL", "carol", 10}, {"PDCOLL", "alice", 11}}});
  // Adding a held slot again keeps the first grant time: the user keeps the slot.
  Commit(backend.Store(), Batch{.add_slots = {{"PDCOLL", "carol", 99}, {"AECCOLL", "carol", 12}}});
  Commit(backend.Store(), Batch{.remove_slots = {{"PDCOLL", "alice", 0}, {"PDCOLL", "nobody", 0}}});
  Commit(backend.Store(), Batch{.remove_slots = {{"PDCOLL", "alice", 0}}});  // again: no error
  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.cloud_slots.size(), 2u);
  BOOST_CHECK((state.cloud_slots[0] == CloudSlot{"AECCOLL", "carol", 12}));
  BOOST_CHECK((state.cloud_slots[1] == CloudSlot{"PDCOLL", "carol", 10}));
}

// A slot's last use only ever moves forward; its grant time never changes.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_cloud_slot_remembers_its_latest_use, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.add_slots = {{"PDCOLL", "carol", 10, 10}}});
  Commit(backend.Store(), Batch{.add_slots = {{"PDCOLL", "carol", 70, 5'000}}});
  Commit(backend.Store(), Batch{.add_slots = {{"PDCOLL", "carol", 80, 400}}});  // older news
  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.cloud_slots.size(), 1u);
  BOOST_CHECK((state.cloud_slots[0] == CloudSlot{"PDCOLL", "carol", 10, 5'000}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(assignments_add_and_remove_idempotently, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{.add_assignments = {{"inv", "dave", 1}, {"inv", "erin", 2}}});
  Commit(backend.Store(), Batch{.add_assignments = {{"inv", "dave", 50}}});
  Commit(backend.Store(), Batch{.remove_assignments = {{"inv", "erin", 0}, {"inv", "zed", 0}}});
  Commit(backend.Store(), Batch{.remove_assignments = {{"inv", "erin", 0}}});
  backend.Reopen();
  const StoredState state = Load(backend.Store());
  BOOST_REQUIRE_EQUAL(state.assignments.size(), 1u);
  BOOST_CHECK((state.assignments[0] == Assignment{"inv", "dave", 1}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(empty_batch_changes_nothing, B, Backends) {
  B backend;
  Commit(backend.Store(), Batch{});
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_entry_counting_no_event_is_refused, B, Backends) {
  B backend;
  JournalEntry none = Entry(1'000, JournalEvent::kDenial);
  none.count = 0;
  Batch batch;
  batch.upsert_leases = {Lease(1)};
  batch.journal = {none};
  BOOST_TEST((backend.Store().Commit(batch).code() == Status::Code::kInvalidArgument));
  BOOST_TEST(Load(backend.Store()).leases.empty());  // nothing of the batch applied
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_lease_of_no_seats_is_refused, B, Backends) {
  B backend;
  LeaseRecord none = Lease(1);
  none.seats = 0;
  BOOST_TEST((backend.Store().Commit(Batch{.upsert_leases = {none}}).code() ==
              Status::Code::kInvalidArgument));
  JournalEntry entry = Entry(1'000, JournalEvent::kCheckout);
  entry.seats = 0;
  BOOST_TEST((backend.Store().Commit(Batch{.upsert_leases = {Lease(2)}, .journal = {entry}}).code() ==
              Status::Code::kInvalidArgument));
  BOOST_TEST(Load(backend.Store()).leases.empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pruning_removes_the_oldest_entries_in_slices, B, Backends) {
  B backend;
  Batch batch;
  batch.upsert_leases = {Lease(1)};
  for (int i = 0; i < 10; ++i) batch.journal.push_back(Entry(1'000 + i * 100, JournalEvent::kCheckout, std::to_string(i)));
  // Two entries at the cut-off's own time: the one before it goes, these stay.
  batch.journal.push_back(Entry(1'500, JournalEvent::kCheckin, "at the cut-off"));
  Commit(backend.Store(), batch);

  std::size_t removed = 99;
  BOOST_REQUIRE(backend.Store().PruneJournal(1'500, 3, &removed).ok());
  BOOST_TEST(removed == 3u);  // a slice: 1000, 1100, 1200
  BOOST_REQUIRE(backend.Store().PruneJournal(1'500, 3, &removed).ok());
  BOOST_TEST(removed == 2u);  // 1300, 1400: fewer than asked, so pruning is done
  BOOST_REQUIRE(backend.Store().PruneJournal(1'500, 3, &removed).ok());
  BOOST_TEST(removed == 0u);
  BOOST_REQUIRE(backend.Store().PruneJournal(1'500, 0, &removed).ok());
  BOOST_TEST(removed == 0u);
  backend.Reopen();

  const auto left = Journal(backend.Store(), INT64_MIN, INT64_MAX);
  BOOST_REQUIRE_EQUAL(left.size(), 6u);
  BOOST_TEST(left.front().detail == "5");
  BOOST_TEST(left[1].detail == "at the cut-off");
  BOOST_TEST(left.back().detail == "9");
  BOOST_TEST(Load(backend.Store()).leases.size() == 1u);  // leases are never pruned
}

// Admin work: a scan reads in slices, yet sees exactly what was committed when it began,
// in order, though commits go on meanwhile (here from inside the sink, between slices).
BOOST_AUTO_TEST_CASE_TEMPLATE(a_journal_scan_sees_what_was_committed_when_it_began, B, Backends) {
  B backend;
  LeaseStore& store = backend.Store();
  const Batch first = Checkouts(2'500, 10'000, 2);
  Commit(store, first);
  std::vector<JournalEntry> seen;
  bool added = false;
  const Status s = store.ScanJournal(
      0, 1'000'000,
      [&](JournalEntry& e) {
        seen.push_back(e);
        if (!added) {
          added = true;
          // Before, among and after the entries still to come: none of them is seen.
          Commit(store, Batch{.journal = {Entry(10'001, JournalEvent::kCheckin),
                                          Entry(12'001, JournalEvent::kCheckin),
                                          Entry(900'000, JournalEvent::kCheckin)}});
        }
      },
      AdminWork{});
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST_REQUIRE(seen.size() == first.journal.size());
  BOOST_CHECK(seen == first.journal);
  BOOST_TEST(Journal(store, 0, 1'000'000).size() == first.journal.size() + 3);
}

// The scan's progress counts the entries handed over; a cancelled scan stops early with
// kCancelled and the store goes on as before.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_cancelled_journal_scan_stops_early, B, Backends) {
  B backend;
  LeaseStore& store = backend.Store();
  const Batch batch = Checkouts(3'000, 5'000);
  Commit(store, batch);
  std::atomic<bool> cancel{false};
  std::uint64_t handed = 0, reported = 0;
  AdminWork work;
  work.cancel = &cancel;
  work.progress = [&](std::uint64_t done, std::uint64_t) {
    BOOST_TEST(done >= reported);
    reported = done;
  };
  const Status s = store.ScanJournal(
      0, 1'000'000,
      [&](JournalEntry&) {
        if (++handed == 10) cancel = true;
      },
      work);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCancelled), s.message());
  BOOST_TEST(handed < batch.journal.size());
  BOOST_TEST(reported <= handed);
  Commit(store, Batch{.upsert_leases = {Lease(8)}});
  BOOST_TEST(Journal(store, 0, 1'000'000).size() == batch.journal.size());
}

// A scan on another thread beside commits on the owner's (the daemon's admin worker and
// event loop): everything committed before it began is seen once, in order.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_journal_scan_on_another_thread_runs_beside_commits, B, Backends) {
  B backend;
  LeaseStore& store = backend.Store();
  const Batch first = Checkouts(5'000, 1'000);
  Commit(store, first);
  std::vector<JournalEntry> seen;
  Status scanned;
  std::thread scanner([&] {
    scanned = store.ScanJournal(
        0, INT64_MAX, [&](JournalEntry& e) { seen.push_back(std::move(e)); }, AdminWork{});
  });
  for (int i = 0; i < 200; ++i) {
    const Status s =
        store.Commit(Batch{.upsert_leases = {Lease(100 + static_cast<std::uint64_t>(i))},
                           .journal = {Entry(1'000 + i, JournalEvent::kCheckin)}});
    BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  }
  scanner.join();
  BOOST_REQUIRE_MESSAGE(scanned.ok(), scanned.message());
  BOOST_TEST(seen.size() >= first.journal.size());
  BOOST_TEST(
      std::is_sorted(seen.begin(), seen.end(),
                     [](const JournalEntry& a, const JournalEntry& b) { return a.time < b.time; }));
  const auto checkouts = std::count_if(seen.begin(), seen.end(), [](const JournalEntry& e) {
    return e.event == JournalEvent::kCheckout;
  });
  BOOST_TEST(checkouts == static_cast<std::ptrdiff_t>(first.journal.size()));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_new_store_remembers_no_signatures, B, Backends) {
  B backend;
  std::vector<std::string> digests = {"left over from the caller"};
  BOOST_REQUIRE(backend.Store().LoadSignatureDigests(&digests).ok());
  BOOST_TEST(digests.empty());
}

// Whatever order and repeats they came in, the digests load sorted by their bytes (high
// bytes after low ones, a prefix before what it begins), each once, and every byte
// (zero included) survives.
BOOST_AUTO_TEST_CASE_TEMPLATE(signature_digests_load_sorted_and_once, B, Backends) {
  B backend;
  const std::string zeros = Digest('\0');
  const std::string low = Digest('\x01');
  const std::string high = Digest('\xff');
  const std::string prefix = "ab";
  const std::string longer = "abc";
  ReplaceDigests(backend.Store(), {high, longer, zeros, low, prefix, high, zeros});
  backend.Reopen();
  BOOST_TEST(
      Digests(backend.Store()) == (std::vector<std::string>{zeros, low, prefix, longer, high}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(replacing_with_fewer_signature_digests_drops_the_rest, B, Backends) {
  B backend;
  ReplaceDigests(backend.Store(), {Digest('a'), Digest('b'), Digest('c')});
  ReplaceDigests(backend.Store(), {Digest('b'), Digest('d')});
  backend.Reopen();
  BOOST_TEST(Digests(backend.Store()) == (std::vector<std::string>{Digest('b'), Digest('d')}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(replacing_with_no_signature_digests_leaves_none, B, Backends) {
  B backend;
  ReplaceDigests(backend.Store(), {Digest('a'), Digest('b')});
  ReplaceDigests(backend.Store(), {});
  backend.Reopen();
  BOOST_TEST(Digests(backend.Store()).empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_empty_signature_digest_is_refused_and_the_old_set_stays, B,
                              Backends) {
  B backend;
  ReplaceDigests(backend.Store(), {Digest('a')});
  const Status s = backend.Store().ReplaceSignatureDigests({Digest('b'), ""});
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kInvalidArgument));
  BOOST_TEST(!s.message().empty());
  BOOST_TEST_MESSAGE("refused: " << s.message());
  backend.Reopen();
  BOOST_TEST(Digests(backend.Store()) == std::vector<std::string>{Digest('a')});
  ReplaceDigests(backend.Store(), {Digest('c')});  // still usable
  BOOST_TEST(Digests(backend.Store()) == std::vector<std::string>{Digest('c')});
}

// The digests and the lease state are apart: a commit keeps the digests, a replace
// keeps the leases and the journal.
BOOST_AUTO_TEST_CASE_TEMPLATE(signature_digests_and_lease_state_leave_each_other_alone, B,
                              Backends) {
  B backend;
  ReplaceDigests(backend.Store(), {Digest('a')});
  Commit(backend.Store(),
         Batch{.upsert_leases = {Lease(1)}, .journal = {Entry(10, JournalEvent::kCheckout)}});
  ReplaceDigests(backend.Store(), {Digest('b')});
  backend.Reopen();
  BOOST_TEST(Digests(backend.Store()) == std::vector<std::string>{Digest('b')});
  BOOST_TEST(Load(backend.Store()).leases.size() == 1u);
  BOOST_TEST(Journal(backend.Store(), 0, 100).size() == 1u);
}

// The copy opens as a store of its own, holding exactly what the original held when it
// was made, and nothing the original did afterwards.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_backup_opens_as_a_store_with_the_same_state, B, FileBackends) {
  B backend;
  Fill(backend.Store());
  const StoredState state = Load(backend.Store());
  const std::vector<JournalEntry> journal = Journal(backend.Store(), INT64_MIN, INT64_MAX);
  const std::vector<std::string> digests = Digests(backend.Store());
  BOOST_REQUIRE_EQUAL(journal.size(), 3u);

  TempDir elsewhere;
  const std::string copy = B::CopyPath(elsewhere.path());
  BackupInfo info{7, 7};
  const Status s = backend.Store().Backup(copy, &info);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST(info.bytes == std::filesystem::file_size(copy));
  BOOST_TEST(FilesIn(elsewhere.path()) ==
                 std::vector<std::string>{std::filesystem::path(copy).filename().string()},
             "nothing is left beside the copy");
  struct stat st {};
  BOOST_REQUIRE(::stat(copy.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u, "owner only: " << std::oct << (st.st_mode & 0777));

  // The original keeps working; what it does now does not reach the copy.
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(50)},
                                .delete_leases = {1},
                                .journal = {Entry(2'000, JournalEvent::kCheckout)}});
  ReplaceDigests(backend.Store(), {});
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 50u);

  auto restored = B::OpenCopy(elsewhere.path());
  CheckSameState(Load(*restored), state);
  BOOST_CHECK(Journal(*restored, INT64_MIN, INT64_MAX) == journal);
  BOOST_TEST(Digests(*restored) == digests, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_backup_never_overwrites_an_existing_path, B, FileBackends) {
  B backend;
  Fill(backend.Store());
  const StoredState state = Load(backend.Store());
  TempDir elsewhere;
  const std::string taken = B::CopyPath(elsewhere.path());
  std::ofstream(taken) << "keep me";
  BackupInfo info{7, 7};
  const Status s = backend.Store().Backup(taken, &info);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kInvalidArgument));
  BOOST_TEST(Contains(s.message(), taken), s.message());
  BOOST_TEST(info.bytes == 0u);
  BOOST_TEST_MESSAGE("refused: " << s.message());
  std::ifstream in(taken);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text == "keep me");
  BOOST_TEST(FilesIn(elsewhere.path()).size() == 1u);

  // The store is as it was, and usable.
  CheckSameState(Load(backend.Store()), state);
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(60)}});
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 60u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_backup_where_nothing_can_be_written_fails_naming_the_path, B,
                              FileBackends) {
  B backend;
  Fill(backend.Store());
  const StoredState state = Load(backend.Store());
  TempDir scratch;
  for (const std::string& dir :
       {scratch.path() + "/no/such/dir", testing::UnwritableDir(scratch)}) {
    const std::string path = B::CopyPath(dir);
    BackupInfo info{7, 7};
    const Status s = backend.Store().Backup(path, &info);
    BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kIoError), s.message());
    BOOST_TEST(Contains(s.message(), path), s.message());
    BOOST_TEST(info.bytes == 0u);
    BOOST_TEST(!std::filesystem::exists(path));
    BOOST_TEST_MESSAGE("failed: " << s.message());
  }
  CheckSameState(Load(backend.Store()), state);
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(60)}});
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 60u);
}

// A backend that keeps no files has no copy to give: it says so and writes nothing.
// A backup of a store that keeps committing on another thread meanwhile (the daemon's
// loop, while its admin worker copies) finishes, reports its progress in pages, and
// holds everything committed before it began plus a whole prefix of what came after.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_backup_finishes_while_commits_go_on, B, FileBackends) {
  B backend;
  LeaseStore& store = backend.Store();
  // Several megabytes: many steps of the copy.
  for (int b = 0; b < 10; ++b) {
    Batch batch;
    for (int i = 0; i < 2'000; ++i) {
      batch.journal.push_back(Entry(1'000 + b * 2'000 + i, JournalEvent::kCheckout,
                                    std::string(200, static_cast<char>('a' + b))));
    }
    Commit(store, batch);
  }
  Commit(store, Batch{.upsert_leases = {Lease(1)}});
  TempDir elsewhere;
  const std::string copy = B::CopyPath(elsewhere.path());
  std::atomic<bool> done{false};
  std::atomic<int> committed{0};
  // Boost.Test's macros are for the main thread only: the owner's failure is read after
  // the join.
  std::string owner_failure;
  std::atomic<bool> owner_failed{false};
  std::thread owner([&] {
    for (std::uint64_t id = 2; !done.load(); ++id) {
      const Status s = store.Commit(Batch{.upsert_leases = {Lease(id)}});
      if (!s.ok()) {
        owner_failure = s.message();
        owner_failed = true;
        return;
      }
      committed = static_cast<int>(id);
    }
  });
  std::uint64_t last_done = 0, last_total = 0, calls = 0;
  AdminWork work;
  work.progress = [&](std::uint64_t pages, std::uint64_t total) {
    BOOST_TEST(pages <= total);
    last_done = pages;
    last_total = total;
    ++calls;
  };
  while (committed.load() < 20 && !owner_failed.load()) std::this_thread::yield();
  const int before_start = committed.load();
  BackupInfo info;
  const Status s = store.WriteBackup(copy, work, &info);
  done = true;
  owner.join();
  BOOST_REQUIRE_MESSAGE(owner_failure.empty(), owner_failure);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST(calls > 2u);
  BOOST_TEST(last_done == last_total);
  BOOST_TEST(info.pages == last_total);

  auto restored = B::OpenCopy(elsewhere.path());
  const StoredState state = Load(*restored);
  BOOST_TEST_REQUIRE(!state.leases.empty());
  for (std::size_t i = 0; i < state.leases.size(); ++i) {
    BOOST_TEST_REQUIRE(state.leases[i].id == i + 1, "not a prefix of the commits");
  }
  BOOST_TEST(state.leases.size() >= static_cast<std::size_t>(before_start));
  BOOST_TEST(Journal(*restored, INT64_MIN, INT64_MAX).size() == 20'000u);
}

// A cancelled backup leaves no file behind, and the store goes on.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_cancelled_backup_leaves_nothing, B, FileBackends) {
  B backend;
  LeaseStore& store = backend.Store();
  Commit(store, Checkouts(5'000, 1'000, 1, std::string(300, 'x')));
  TempDir elsewhere;
  std::atomic<bool> cancel{false};
  AdminWork work;
  work.cancel = &cancel;
  work.progress = [&](std::uint64_t, std::uint64_t) { cancel = true; };
  BackupInfo info;
  const Status s = store.WriteBackup(B::CopyPath(elsewhere.path()), work, &info);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCancelled), s.message());
  BOOST_TEST(FilesIn(elsewhere.path()).empty());
  Commit(store, Batch{.upsert_leases = {Lease(9)}});
  BOOST_TEST(Load(store).leases.size() == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_backend_without_files_refuses_a_backup, B, FilelessBackends) {
  B backend;
  Fill(backend.Store());
  const StoredState state = Load(backend.Store());
  TempDir elsewhere;
  const std::string path = elsewhere.path() + "/copy";
  BackupInfo info{7, 7};
  const Status s = backend.Store().Backup(path, &info);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kNotSupported));
  BOOST_TEST(Contains(s.message(), path), s.message());
  BOOST_TEST(info.bytes == 0u);
  BOOST_TEST(info.pages == 0u);
  BOOST_TEST(FilesIn(elsewhere.path()).empty());
  BOOST_TEST_MESSAGE("refused: " << s.message());

  CheckSameState(Load(backend.Store()), state);
  BOOST_TEST(Digests(backend.Store()).size() == 2u);
  Commit(backend.Store(), Batch{.upsert_leases = {Lease(60)}});
  BOOST_TEST(Load(backend.Store()).highest_lease_id == 60u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::store
