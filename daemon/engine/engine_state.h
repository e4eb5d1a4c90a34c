// Internal to the seat engine: the tables behind SeatEngine and the helpers the engine's
// .cc files share. Not part of the contract; only daemon/engine/*.cc include it.
//
// Ownership: SeatEngine owns one State; State owns the model and every table below.
// Not thread-safe, like SeatEngine itself.
#ifndef FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_
#define FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/seat_engine.h"

namespace floatlm::engine {

struct Selection;  // pool_selection.h

// One seat of a pool. A product seat runs one product; the map is there so that a
// collection seat can later run up to PRODUCTS_PER_SEAT of them.
struct Seat {
  Identity holder;  // who opened it
  WallTime since;
  std::uint64_t serial = 0;             // opening order, for stable listings
  std::map<std::string, int> products;  // product -> leases running it
  std::set<LeaseId> leases;             // ordered: O(log n) even for a SITE seat with 100k leases
};

struct PoolState {
  const licenses::Pool* spec = nullptr;         // points into State::model.pools
  std::unordered_map<std::string, Seat> seats;  // keyed by the DUP_GROUP holder key
  // The same seats oldest first (unordered_map nodes do not move), so that a denial
  // names the first ten holders without sorting a large pool.
  std::map<std::uint64_t, const Seat*> by_age;
  std::size_t waiting = 0;  // waiters that list this pool
};

struct Lease {
  LeaseView view;
  std::string seat_key;
  // The deadline index holds exactly one live entry per lease, at `scheduled` <= view.expires.
  // Heartbeats only move view.expires; the entry re-files itself when it comes due.
  MonoTime scheduled;
  std::uint32_t generation = 0;
};

struct Waiter {
  std::uint64_t id = 0;  // also its FIFO sequence number
  ClientId client = 0;
  std::uint64_t tag = 0;
  Identity who;
  std::string feature;
  std::optional<licenses::Version> version;
  MonoTime deadline;
  std::vector<PoolId> pools;  // pools it waits on: version fits and not named-user
};

// An entry of the deadline index. Stale entries (lease or waiter gone, generation moved on)
// are dropped when they surface.
struct Deadline {
  enum class Kind : std::uint8_t { kLease, kWaiter };
  MonoTime at;
  Kind kind;
  std::uint64_t id;
  std::uint32_t generation;
  friend bool operator>(const Deadline& a, const Deadline& b) { return a.at > b.at; }
};

struct SeatEngine::State {
  State(licenses::Model m, EngineConfig c);

  licenses::Model model;
  EngineConfig config;

  std::vector<PoolState> pools;                                     // index = PoolId
  std::unordered_map<std::string, std::vector<PoolId>> by_feature;  // cascading order
  std::set<std::string> features;                                   // for "licensed features: ..."

  std::unordered_map<LeaseId, Lease> leases;
  std::unordered_map<ClientId, std::unordered_set<LeaseId>> client_leases;  // attached leases only
  LeaseId next_lease = 1;
  std::uint64_t next_seat_serial = 1;

  std::unordered_map<std::string, std::map<std::uint64_t, Waiter>> queues;  // feature -> FIFO
  std::unordered_map<std::uint64_t, std::string> waiter_feature;
  // Waiters by feature and user, FIFO: who may ride on a seat a fellow waiter just opened.
  std::unordered_map<std::string, std::set<std::uint64_t>> waiters_by_user;
  std::unordered_map<ClientId, std::unordered_set<std::uint64_t>> client_waiters;
  std::uint64_t next_waiter = 1;

  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines;

  std::set<std::string> dirty_features;      // a seat freed here: serve its queue
  std::optional<licenses::Date> last_today;  // day seen by the last Tick

  std::vector<Event> events;

  // Pool table and per-feature cascade for the current model.
  void IndexPools();

  // Lease life cycle (seat_engine.cc). Grant sets *opened when the lease opened a seat.
  LeaseView Grant(const Identity& who, ClientId client, const std::string& feature,
                  const std::optional<licenses::Version>& version, PoolId pool,
                  const std::string* share_key, const Now& now, bool* opened = nullptr);
  void SetDeadline(Lease& lease, MonoTime at);
  LeaseView Free(LeaseId id);  // frees the lease and its seat if it was the last one
  void End(LeaseId id, Errc reason, std::string message);
  void EndLapsedPools(const Now& now);

  // Waiters (queue.cc).
  std::optional<Queued> Enqueue(const Identity& who, const CheckoutRequest& req,
                                std::vector<PoolId> pools, const Now& now);
  void DropWaiter(std::uint64_t id);
  void DropClientWaiters(ClientId client);
  void TimeOutWaiter(std::uint64_t id);
  void MarkDirty(const std::string& feature);
  void MarkAllQueuesDirty();
  // Serves the queues of features where seats freed. `full_scan` also looks past the
  // point where no seat is free, for waiters that can share a seat (after a reload or a
  // new day, when seats may have appeared without passing through the queue).
  void ServeDirty(const Now& now, bool full_scan = false);
  void ServeQueue(const std::string& feature, const Now& now, bool full_scan);
  // Grants a waiter the seat `sel` picked; returns true if it opened a new seat.
  bool GrantWaiter(std::uint64_t id, const Selection& sel, const Now& now);
  void ServeSharers(const std::string& feature, PoolId pool, const Identity& holder,
                    const Now& now);
  void RecomputeWaiterPools();
  void RebuildSeatAges();
};

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_
