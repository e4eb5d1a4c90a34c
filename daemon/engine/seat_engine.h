// The seat engine: decides who holds which seat. The hardest logic of floatlm, kept pure.
//
// Owns no sockets, files, clocks or threads: every call takes `now` from the caller and
// random reattach tokens come from an injected source. Not thread-safe: one event loop
// (the daemon's server) owns the engine and calls it. Decisions that clients must hear
// about later (a queued waiter got its seat, a lease ended) are collected as Events that
// the caller drains with TakeEvents() after each call.
//
// The seat rules (cascading, collections, consolidation, cloud users, named users and the
// order of options checks) are described for admins and developers in README.md here.
#ifndef FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_
#define FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "floatlm/licenses/model.h"
#include "floatlm/proto/errc.h"
#include "options/options_policy.h"
#include "token/reattach_token.h"

namespace floatlm::engine {

using MonoTime = std::chrono::steady_clock::time_point;   // TTLs, windows, queue deadlines
using WallTime = std::chrono::system_clock::time_point;   // "since", journal times
using Millis = std::chrono::milliseconds;

// The caller's idea of the present. `today` is the local calendar date in the daemon's
// time zone, used for START and expiry (a license is valid through its expiry day).
struct Now {
  MonoTime mono;
  WallTime wall;
  licenses::Date today;
};

using LeaseId = std::uint64_t;
using ClientId = std::uint64_t;  // one per client connection, chosen by the caller
using PoolId = std::uint32_t;    // index into the engine's pool table (stable until Reload)

// Who asks, as the client states it (the peer address is the daemon's own observation).
struct Identity {
  std::string user;
  std::string host;
  std::string display;
  std::string peer;  // peer IP address as text
  // The host ids the client reported in HELLO (shared by every lease of the connection;
  // null when none). Node-locked pools serve only a client whose ids match; not stored.
  std::shared_ptr<const std::vector<licenses::HostId>> host_ids;
};

struct EngineConfig {
  Millis ttl{std::chrono::seconds(120)};             // lease lifetime without a heartbeat
  Millis reattach_window{std::chrono::seconds(30)};  // kept after a disconnect
  std::size_t max_queue_per_pool = 10'000;
  // Fairness: one user name may have at most this many checkouts of one feature waiting,
  // and one peer address this many waiting in all, so nobody fills a pool's queue.
  std::size_t max_queue_per_user = 16;
  std::size_t max_queue_per_address = 1'000;
  // A cloud-user slot its user has not used for this long is released (SweepCloudSlots);
  // none: a slot stays until an administrator releases it.
  std::optional<Millis> cloud_slot_idle;
  std::function<std::uint64_t()> token_source;  // random nonzero 64-bit tokens; required
};

struct CheckoutRequest {
  ClientId client = 0;
  std::uint64_t tag = 0;                      // caller's correlation id, echoed in events
  std::string feature;
  std::optional<licenses::Version> version;   // nullopt: any version
  Millis wait{0};                             // > 0: queue for up to this long if no seat is free
  // The application's duplicate grouping, for pools whose line has no DUP_GROUP= (as
  // FlexLM's LM_DUP_* checkout flags); nullopt: UH.
  std::optional<licenses::DupGroup> dup_group;
  // Seats wanted at once (lc_checkout's nlic), >= 1. More than one: all of them from one
  // pool, as one lease that shares nothing (no DUP_GROUP riding, no collection slots for
  // other products), granted whole or not at all, queued as one request.
  std::uint32_t seats = 1;
};

// A lease as the engine sees it. Values, safe to keep after the call.
struct LeaseView {
  LeaseId id = 0;
  // Reattach token: its digest always, the token itself only while the engine knows it
  // (0 for a restored lease until its client presents the token again).
  std::uint64_t token = 0;
  token::Digest token_digest{};
  PoolId pool = 0;          // pool whose seat it occupies (cloud lease: the collection's pool)
  std::uint32_t seat = 0;   // seat number in the pool, stable while held; 0 = seatless (cloud)
  std::string feature;
  licenses::Version version;  // version requested (0 when any)
  Identity who;
  ClientId client = 0;
  WallTime since;
  MonoTime expires;          // heartbeat deadline, or reattach deadline when detached
  bool detached = false;     // connection gone, inside the reattach window
  bool shared = false;       // rides on a seat another lease opened (DUP_GROUP, collection slot)
  bool cloud = false;        // a cloud-service lease: holds a cloud-user slot, no seat
  std::optional<licenses::DupGroup> dup_group;  // the application's, as asked at checkout
  std::uint32_t seats = 1;   // CheckoutRequest::seats: more than 1 only for a multi-seat lease
  // Why this seat, e.g. "own seat of cad", "rides on alice@ws1's collection seat 1 of pdc
  // (runs cad)", "further seat of pdc: seat 1 already runs cad and cam".
  std::string reason;
  // Set by Snapshot: the licensed version that serves the lease (the pool's, or for a
  // product on a collection seat the component's).
  std::optional<licenses::Version> licensed;
};

struct Denial {
  Errc code = Errc::kAllSeatsInUse;
  std::string message;  // one sentence naming the facts: pools tried, holders, dates, versions
};

// An admin change the engine made or found already made: `message` says what, in one
// sentence for the admin's reply; `changed` is false when nothing needed doing (then
// nothing is to be recorded).
struct Done {
  bool changed = true;
  std::string message;
};
using AdminResult = std::variant<Done, Denial>;

struct Queued {
  std::size_t position = 0;  // 1 = next in line
};

using CheckoutResult = std::variant<LeaseView, Queued, Denial>;

// Something the caller must tell a client about, produced outside the client's own call.
struct Event {
  enum class Kind : std::uint8_t {
    kQueuedGranted,  // a waiter got its seat: lease is set, tag = the checkout's tag
    kQueueTimeout,   // a waiter's wait ended without a seat: tag, reason (kQueueTimeout, or an
                     // options denial when SetPolicy closed the feature to it)
    kLeaseEnded,     // a lease ended without checkin: lease.id, reason (timed out, expired, ...)
    // A lease moved to another seat (consolidation): lease is the new view (same id, new
    // pool and seat), message says why. Persist the new pool; tell status. The client
    // need not be told: its lease id and token are unchanged.
    kLeaseMoved,
    // A user took a new cloud-user slot: lease.pool names the collection's pool,
    // lease.who.user the user, message the collection (package) name. Persist it.
    kCloudSlotGranted,
    // A REATTACH with the right token moved a lease away from a connection that was still
    // open: client is that connection, lease the lease (now held by the reattaching one),
    // reason kLeaseRemoved, message says where it went. Nothing to persist; tell the old
    // holder (LEASE_LOST) and warn: either the program restarted before its old
    // connection was seen to close, or someone else presented its token.
    kLeaseTaken,
    // A checkout got its seat at once: lease is the new lease as granted (a kLeaseMoved
    // may follow when consolidation moves it), client the connection that asked. The
    // caller answers the checkout from Checkout's result; persist it and log it.
    kGranted,
    // A lease was checked in by its holder: lease is the lease as it was held. Persist the
    // end; the caller answers the CHECKIN itself.
    kCheckedIn,
  };
  Kind kind;
  ClientId client = 0;
  std::uint64_t tag = 0;
  LeaseView lease;
  Errc reason = Errc::kOk;
  std::string message;
};

// Read-only views for status.
struct SeatView {
  std::uint32_t number = 0;        // stable per-pool seat number (LeaseView::seat)
  std::uint32_t weight = 1;        // seats it stands for: a multi-seat lease's N
  Identity holder;                 // identity of the lease that opened the seat
  std::vector<LeaseView> leases;   // every lease riding on the seat
  std::vector<std::string> products;  // features running on the seat (one for a product pool)
  WallTime since;                  // when the seat was opened
  bool continued = false;          // SeatsAfter: the seat's first leases came in an earlier part
};
// Where SeatEngine::SeatsAfter stopped: the seat (its opening serial) and lease last given.
struct SeatCursor {
  std::uint64_t seat = 0;
  LeaseId lease = 0;
};
struct WaiterView {
  ClientId client;
  Identity who;
  std::string feature;
  MonoTime deadline;
  std::uint32_t seats = 1;  // seats it waits for at once
};
struct PoolView {
  PoolId id = 0;
  const licenses::Pool* spec = nullptr;  // valid until the next Reload
  int total = 0;                         // seats in force today (0 for uncounted)
  int in_use = 0;                        // seats held (a multi-seat lease counts its N)
  std::vector<SeatView> seats;
  std::vector<WaiterView> queue;         // FIFO order
  const licenses::Package* collection = nullptr;  // set when the pool enables a suite PACKAGE
  std::vector<LeaseView> cloud_leases;   // seatless cloud-service leases of that collection
  // USER_BASED / HOST_BASED: the users (hosts) INCLUDE lines of the options file name, up
  // to the pool's limit, and those named past it (not served).
  std::vector<std::string> named_by_options;
  std::vector<std::string> named_over_limit;
  std::vector<options::ReserveLine> reservations;  // RESERVE lines of the options file for it
};

// A cloud-user slot: `user` may run the collection's cloud services until released.
struct CloudSlotView {
  std::string collection;  // package name
  std::string user;
  WallTime since;
  WallTime last_used{};  // last seen in use (a cloud lease granted or held); restore: 0 = since
};

// What SweepCloudSlots did: slots released for want of use, and slots whose last use
// moved on far enough to be worth storing.
struct CloudSweep {
  std::vector<CloudSlotView> released;
  std::vector<CloudSlotView> touched;
};

// A named-user (USER_BASED) assignment.
struct AssignmentView {
  std::string feature;
  std::string user;
  WallTime since;
};

// What a checkout would get now, and why: Checkout's decision without its effects
// (`floatlm diag`). The pools are the product's cascade in rank order.
struct PoolDiagnosis {
  PoolId pool = 0;
  std::string label;    // "cad 2027.0 (site.lic:3)"
  std::string role;     // "own pool", "collection pdc", "cloud service of pdc", "named users"
  std::string use;      // "1 of 2 seats in use", "cloud-user slots: 4 of 6 taken", ...
  std::string holding;  // the requester's seats here, e.g. "holds seat 1 (runs cad and cam)"
  enum class Verdict : std::uint8_t {
    kChosen,      // the checkout would go here; `why` is the grant's reason
    kRefused,     // passed over; `why` says why (full, dates, version, options, ...)
    kNotNeeded,   // serves it, but a seat the requester already holds comes first
    kNotReached,  // an earlier pool was chosen, or the product itself is refused
  };
  Verdict verdict = Verdict::kNotReached;
  std::string why;
};
struct Diagnosis {
  Errc outcome = Errc::kOk;  // kOk: a seat would be granted; else the denial's code
  std::string summary;       // the grant's reason, or the denial's sentence
  bool would_queue = false;  // denied only because seats are held: a waiting checkout queues
  std::vector<PoolDiagnosis> pools;
};

// What a Reload did.
struct ReloadReport {
  std::vector<std::string> added;      // pool descriptions
  std::vector<std::string> removed;
  std::vector<std::string> changed;    // e.g. "cad 2027.0: 10 -> 5 seats (7 in use)"
  std::vector<LeaseView> ended;        // leases whose pool is gone (also sent as events)
};

// A lease read back from the state store after a restart.
struct RestoredLease {
  LeaseId id = 0;
  token::Digest token_digest{};  // token::Of(id, token); the store never holds the token
  std::string pool_key;       // licenses::Pool::Key() of the pool it sat on (a collection's
                              // enabling pool for collection and cloud leases)
  std::string feature;
  licenses::Version version;  // version requested (0 = any)
  Identity who;
  WallTime since;
  std::optional<licenses::DupGroup> dup_group;  // the application's, as asked at checkout
  std::uint32_t seats = 1;                      // seats it holds (LeaseView::seats)
};

struct RestoreReport {
  std::size_t restored = 0;
  // Leases that could not come back, with why (pool gone, license no longer in force,
  // more leases than seats); the caller deletes them from the store.
  std::vector<std::pair<LeaseView, std::string>> dropped;
};

class SeatEngine {
 public:
  // `policy`: the options file's rules (nullptr: allow everything), as SetPolicy.
  SeatEngine(licenses::Model model, EngineConfig config,
             std::shared_ptr<const options::OptionsPolicy> policy = nullptr);
  ~SeatEngine();
  SeatEngine(const SeatEngine&) = delete;
  SeatEngine& operator=(const SeatEngine&) = delete;

  // Grants a seat (or shares one per DUP_GROUP), queues, or denies with the reason.
  // req.seats must be >= 1 (std::invalid_argument otherwise). A multi-seat request that
  // waits holds back seats of the pools it waits on from later requests, queued or not,
  // until it has enough or its wait ends, so that single seats cannot starve it.
  CheckoutResult Checkout(const Identity& who, const CheckoutRequest& req, const Now& now);

  // Frees the lease at once; nullopt when done. A Denial (kNoSuchLease) if it is unknown
  // or not owned by `client`.
  std::optional<Denial> Checkin(ClientId client, LeaseId lease, const Now& now);

  // Extends every lease of `client` to now + ttl. Returns how many leases it holds.
  // A lease whose deadline has passed is not revived, even before Tick ends it.
  std::size_t Heartbeat(ClientId client, const Now& now);

  // The client's connection closed: its leases stay for the reattach window, its
  // queued requests are dropped.
  void Disconnect(ClientId client, const Now& now);

  // A (re)connected client claims a lease it held: same lease back, never a second seat.
  std::variant<LeaseView, Denial> Reattach(ClientId client, const Identity& who, LeaseId lease,
                                           std::uint64_t token, const Now& now);

  // Ends leases whose heartbeat or reattach deadline passed or whose license expired,
  // and queued requests whose wait ran out; serves waiters from freed seats.
  // A bounded sweep: at most `max_ends` leases and waiters end per call, earliest deadline
  // first, so thousands lapsing at once do not hold the caller's loop. Returns true when
  // more are due already: call again soon (after serving clients). A lease past its
  // deadline is final while it waits its turn (no heartbeat or reattach saves it).
  bool Tick(const Now& now, std::size_t max_ends = SIZE_MAX);

  // Admin removal; the holder is told through a kLeaseEnded event with kLeaseRemoved.
  // Done says which lease of whom went; a Denial (kNoSuchLease) when there is no such lease.
  AdminResult Remove(LeaseId lease, const Now& now);

  // The options file's rules (nullptr: allow everything). May be swapped at any time
  // (reread); leases already granted are kept, the rules apply to new seats and waiters.
  void SetPolicy(std::shared_ptr<const options::OptionsPolicy> policy);

  // Whether `name` is a collection this model serves (a suite PACKAGE with its enabling
  // pool).
  bool IsCollection(const std::string& name) const;
  // Cloud-user slots of a collection (package name), oldest first.
  std::vector<CloudSlotView> CloudSlots(const std::string& collection) const;
  // Admin release of a slot. The user's live cloud leases of that collection end
  // (kLeaseEnded, kLeaseRemoved). Denial kNoSuchFeature: no such collection;
  // kNoSuchLease: the user holds no slot there.
  AdminResult ReleaseCloudSlot(const std::string& collection, const std::string& user,
                               const Now& now);
  // Start-up, before Restore: slots read back from the store. Slots of collections that
  // are no longer licensed are ignored; slots beyond today's limit are kept (a user keeps
  // a slot) but no new user gets one until the count is below the limit again.
  void RestoreCloudSlots(std::vector<CloudSlotView> slots);
  // Call about once a minute. A slot whose user holds a cloud lease of the collection is
  // in use now; with EngineConfig::cloud_slot_idle set, a slot not in use whose last use
  // is at least that long ago is released (its user holds no lease of it, so nothing
  // ends). `touched` lists slots whose last use is an hour or more past what the store
  // was last told.
  CloudSweep SweepCloudSlots(const Now& now);

  // Named users. Assign: Done (unchanged when the user is assigned already, or named by
  // the options file); denied kNoSuchFeature if no USER_BASED pool of `feature` exists,
  // kAssignmentsFull when every seat in force today is assigned (the message names the
  // assignees). Unassign ends the user's live leases on the feature's USER_BASED pools
  // (kLeaseEnded, kLeaseRemoved); denied kNotAssigned if there was no assignment.
  AdminResult Assign(const std::string& feature, const std::string& user, const Now& now);
  AdminResult Unassign(const std::string& feature, const std::string& user, const Now& now);
  std::vector<AssignmentView> Assignments() const;
  // Start-up, before Restore: assignments read back from the store, kept as they are.
  void RestoreAssignments(std::vector<AssignmentView> assignments);

  // Swaps in a new model and the options rules that come with it, in one step: waiters
  // are served once, under the new rules and from the new pools (a waiter the new rules
  // refuse gets no seat the new model adds). Live leases stay where a pool with the same
  // Key() still exists (even if its count dropped below use); the others end with
  // kPoolRemoved.
  ReloadReport Reload(licenses::Model model, std::shared_ptr<const options::OptionsPolicy> policy,
                      const Now& now);
  // The same, keeping the rules in force.
  ReloadReport Reload(licenses::Model model, const Now& now);
  // What Reload(model) would report, computed without changing anything: pools added,
  // removed and changed, and the leases on removed pools (`ended`), which Reload would end.
  // (Leases a renewal takes out of a collection are ended by Reload but not listed here.)
  ReloadReport PreviewReload(const licenses::Model& model, const Now& now) const;

  // Start-up only, before any client is served: puts leases from the store back on their
  // seats, detached, each waiting the reattach window for its client. Never more seats
  // than a pool has today: surplus leases (in id order) are dropped and reported.
  RestoreReport Restore(std::vector<RestoredLease> leases, const Now& now);

  // New lease ids start above `highest` (ids are never reused across restarts).
  void ReserveLeaseIds(LeaseId highest);

  // Explains what Checkout(who, {feature, version, seats}) would do now. Changes nothing.
  Diagnosis Explain(const Identity& who, const std::string& feature,
                    const std::optional<licenses::Version>& version, const Now& now,
                    std::uint32_t seats = 1) const;

  std::vector<Event> TakeEvents();

  const licenses::Model& model() const;
  std::vector<PoolView> Snapshot(const Now& now) const;
  // Snapshot without the seats (`seats` empty; `in_use` set): O(pools + waiters), for a
  // status written a slice at a time, which reads the seats page by page with SeatsAfter.
  std::vector<PoolView> PoolSummaries(const Now& now) const;
  // The next part of `pool`'s seats in listing order (oldest seat first, a seat's leases
  // by id), after where `*cursor` stands (a new cursor: from the start), and advances it.
  // with_leases: at most `max` leases, so a seat with 100,000 leases comes over many
  // calls (SeatView::continued on the later ones); else at most `max` seats, without
  // their leases. A seat opened or a lease added meanwhile comes after those listed
  // before it; one closed meanwhile is not there. Empty once the pool is done. Pool ids
  // and cursors mean something only while generation() is unchanged.
  std::vector<SeatView> SeatsAfter(PoolId pool, SeatCursor* cursor, std::size_t max,
                                   bool with_leases) const;
  // Changes with every Reload and Restore, which renumber pools.
  std::uint64_t generation() const;
  std::optional<LeaseView> FindLease(LeaseId lease) const;
  std::size_t lease_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_
