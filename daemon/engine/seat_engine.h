// The seat engine: decides who holds which seat. The hardest logic of floatlm, kept pure.
//
// Owns no sockets, files, clocks or threads: every call takes `now` from the caller and
// random reattach tokens come from an injected source. Not thread-safe: one event loop
// (the daemon's server) owns the engine and calls it. Decisions that clients must hear
// about later (a queued waiter got its seat, a lease ended) are collected as Events that
// the caller drains with TakeEvents() after each call.
#ifndef FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_
#define FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "floatlm/licenses/model.h"
#include "floatlm/proto/errc.h"

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
};

struct EngineConfig {
  Millis ttl{std::chrono::seconds(120)};             // lease lifetime without a heartbeat
  Millis reattach_window{std::chrono::seconds(30)};  // kept after a disconnect
  std::size_t max_queue_per_pool = 10'000;
  std::function<std::uint64_t()> token_source;       // random 64-bit tokens; required
};

struct CheckoutRequest {
  ClientId client = 0;
  std::uint64_t tag = 0;                      // caller's correlation id, echoed in events
  std::string feature;
  std::optional<licenses::Version> version;   // nullopt: any version
  Millis wait{0};                             // > 0: queue for up to this long if no seat is free
};

// A lease as the engine sees it. Values, safe to keep after the call.
struct LeaseView {
  LeaseId id = 0;
  std::uint64_t token = 0;  // reattach token
  PoolId pool = 0;
  std::string feature;
  licenses::Version version;  // version requested (0 when any)
  Identity who;
  ClientId client = 0;
  WallTime since;
  MonoTime expires;          // heartbeat deadline, or reattach deadline when detached
  bool detached = false;     // connection gone, inside the reattach window
  bool shared = false;       // rides on a seat another lease opened (DUP_GROUP)
};

struct Denial {
  Errc code = Errc::kAllSeatsInUse;
  std::string message;  // one sentence naming the facts: pools tried, holders, dates, versions
};

struct Queued {
  std::size_t position = 0;  // 1 = next in line
};

using CheckoutResult = std::variant<LeaseView, Queued, Denial>;

// Something the caller must tell a client about, produced outside the client's own call.
struct Event {
  enum class Kind : std::uint8_t {
    kQueuedGranted,  // a waiter got its seat: lease is set, tag = the checkout's tag
    kQueueTimeout,   // a waiter's wait ran out: tag, reason
    kLeaseEnded,     // a lease ended without checkin: lease.id, reason (timed out, expired, ...)
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
  Identity holder;                 // identity of the lease that opened the seat
  std::vector<LeaseView> leases;   // every lease riding on the seat
  std::vector<std::string> products;  // features running on the seat (one for a product pool)
  WallTime since;                  // when the seat was opened
};
struct WaiterView {
  ClientId client;
  Identity who;
  std::string feature;
  MonoTime deadline;
};
struct PoolView {
  PoolId id = 0;
  const licenses::Pool* spec = nullptr;  // valid until the next Reload
  int total = 0;                         // seats in force today (0 for uncounted)
  int in_use = 0;                        // seats held
  std::vector<SeatView> seats;
  std::vector<WaiterView> queue;         // FIFO order
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
  std::uint64_t token = 0;
  std::string pool_key;       // licenses::Pool::Key() of the pool it sat on
  std::string feature;
  licenses::Version version;  // version requested (0 = any)
  Identity who;
  WallTime since;
};

struct RestoreReport {
  std::size_t restored = 0;
  // Leases that could not come back, with why (pool gone, license no longer in force,
  // more leases than seats); the caller deletes them from the store.
  std::vector<std::pair<LeaseView, std::string>> dropped;
};

class SeatEngine {
 public:
  SeatEngine(licenses::Model model, EngineConfig config);
  ~SeatEngine();
  SeatEngine(const SeatEngine&) = delete;
  SeatEngine& operator=(const SeatEngine&) = delete;

  // Grants a seat (or shares one per DUP_GROUP), queues, or denies with the reason.
  CheckoutResult Checkout(const Identity& who, const CheckoutRequest& req, const Now& now);

  // Frees the lease at once. kNoSuchLease if it is unknown or not owned by `client`.
  Errc Checkin(ClientId client, LeaseId lease, const Now& now);

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
  void Tick(const Now& now);

  // Admin removal; the holder is told through a kLeaseEnded event with kLeaseRemoved.
  Errc Remove(LeaseId lease, const Now& now);

  // Swaps in a new model. Live leases stay where a pool with the same Key() still exists
  // (even if its count dropped below use); the others end with kPoolRemoved.
  ReloadReport Reload(licenses::Model model, const Now& now);

  // Start-up only, before any client is served: puts leases from the store back on their
  // seats, detached, each waiting the reattach window for its client. Never more seats
  // than a pool has today: surplus leases (in id order) are dropped and reported.
  RestoreReport Restore(std::vector<RestoredLease> leases, const Now& now);

  // New lease ids start above `highest` (ids are never reused across restarts).
  void ReserveLeaseIds(LeaseId highest);

  std::vector<Event> TakeEvents();

  const licenses::Model& model() const;
  std::vector<PoolView> Snapshot(const Now& now) const;
  std::optional<LeaseView> FindLease(LeaseId lease) const;
  std::size_t lease_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_SEAT_ENGINE_H_
