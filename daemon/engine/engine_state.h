// Internal to the seat engine: the tables behind SeatEngine and the helpers the engine's
// .cc files share. Not part of the contract; only daemon/engine/*.cc include it.
//
// Ownership: SeatEngine owns one State; State owns the model and every table below.
// Not thread-safe, like SeatEngine itself.
#ifndef FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_
#define FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/policy_feature.h"
#include "engine/seat_engine.h"

namespace floatlm::engine {

struct Placement;  // placement.h

// One seat of a pool. A product seat runs one product; a collection seat runs up to the
// package's PRODUCTS_PER_SEAT distinct products for one holder.
struct Seat {
  Identity holder;                        // who opened it
  std::optional<std::string> holder_key;  // DUP_GROUP (SUITE_DUP_GROUP) identity; nullopt: NONE
  WallTime since;
  std::uint64_t serial = 0;             // opening order, for stable listings
  std::uint32_t number = 0;             // per-pool number shown in status, reused once freed
  // Seats of the pool it takes: N for a multi-seat lease (which has the seat alone and
  // no holder key), else 1.
  std::uint32_t weight = 1;
  std::map<std::string, int> products;  // product -> leases running it
  std::set<LeaseId> leases;             // ordered: O(log n) even for a SITE seat with 100k leases
};

struct PoolState {
  const licenses::Pool* spec = nullptr;           // points into State::model.pools
  const licenses::Package* collection = nullptr;  // set: enabling pool of a suite PACKAGE
  std::shared_ptr<const PolicyFeature> policy_view;  // the pool as options rules see it
  // USER_BASED / HOST_BASED: the users (hosts) the options file's INCLUDE lines name,
  // the first n of them (USER_BASED=n, else the count); `named_over` are the rest.
  std::unordered_set<std::string> named;
  std::vector<std::string> named_order;
  std::vector<std::string> named_over;
  std::map<std::uint32_t, Seat> seats;            // by seat number
  // Seats by holder key: a product seat per holder, one or more collection seats.
  std::unordered_map<std::string, std::set<std::uint32_t>> by_holder;
  // The same seats oldest first (map nodes do not move), so that a denial names the
  // first ten holders without sorting a large pool.
  std::map<std::uint64_t, const Seat*> by_age;
  std::set<std::uint32_t> free_numbers;  // numbers below next_number no seat uses
  long long used = 0;  // seats taken: the weights of `seats` (what counts against the license)
  // Multi-seat waiters that wait on this pool: waiter id (FIFO) -> seats asked for. The
  // pool's free seats are held for the first one its count today can serve (HeldFor):
  // later requests get no new seat here until it is served or stops waiting, so that
  // single seats cannot starve it.
  std::map<std::uint64_t, std::uint32_t> multi_waiters;
  std::uint32_t next_number = 1;
  std::set<LeaseId> cloud_leases;   // seatless leases of the collection's cloud services
  std::vector<std::string> serves;  // features whose waiters a freed seat may serve
  std::size_t waiting = 0;          // waiters that list this pool
};

struct Lease {
  LeaseView view;  // view.pool and view.seat say where it sits (seat 0: cloud lease)
  // The deadline index holds exactly one live entry per lease, at `scheduled` <= view.expires.
  // Heartbeats only move view.expires; the entry re-files itself when it comes due.
  MonoTime scheduled;
  std::uint32_t generation = 0;
};

// A cloud-user slot: granted at `since`, its user last seen using it at `last_used`;
// `stored_last_used` is the value the store was last told (SweepCloudSlots).
struct CloudSlotState {
  WallTime since;
  WallTime last_used;
  WallTime stored_last_used;
};

struct Waiter {
  std::uint64_t id = 0;  // also its FIFO sequence number
  ClientId client = 0;
  std::uint64_t tag = 0;
  Identity who;
  std::string feature;
  std::optional<licenses::Version> version;
  std::optional<licenses::DupGroup> dup_group;  // the application's (CheckoutRequest)
  std::uint32_t seats = 1;                      // CheckoutRequest::seats
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
  std::shared_ptr<const options::OptionsPolicy> policy;  // nullptr: allow all

  std::vector<PoolState> pools;  // index = PoolId
  // Candidate pools per product in cascading order: its own pools and the enabling pools
  // of suite packages listing it (as a seat product or a cloud service).
  std::unordered_map<std::string, std::vector<PoolId>> by_feature;
  std::set<std::string> features;  // for "licensed features: ..."

  std::unordered_map<LeaseId, Lease> leases;
  std::unordered_map<ClientId, std::unordered_set<LeaseId>> client_leases;  // attached leases only
  LeaseId next_lease = 1;
  std::uint64_t next_seat_serial = 1;
  std::uint64_t generation = 0;  // SeatEngine::generation(): bumped by Reload and Restore
  // Seats by the user name of whoever opened them: the seats consolidation looks at.
  std::unordered_map<std::string, std::set<std::pair<PoolId, std::uint32_t>>> seats_by_user;
  // Collection seats per opener: a user without one has nothing to consolidate, which
  // keeps grants O(log n) for a user with thousands of DUP_GROUP=NONE seats.
  std::unordered_map<std::string, std::size_t> collection_seats_by_user;
  std::set<std::string> unsettled_users;  // seats changed: consolidate before returning

  // Cloud-user slots: package name -> user -> since. Assignments: feature -> user -> since.
  std::map<std::string, std::map<std::string, CloudSlotState>> cloud_slots;
  std::map<std::string, std::map<std::string, WallTime>> assignments;

  std::unordered_map<std::string, std::map<std::uint64_t, Waiter>> queues;  // feature -> FIFO
  std::unordered_map<std::uint64_t, std::string> waiter_feature;
  // Waiters by feature and user, FIFO: who may ride on a seat a fellow waiter just opened.
  std::unordered_map<std::string, std::set<std::uint64_t>> waiters_by_user;
  std::unordered_map<ClientId, std::unordered_set<std::uint64_t>> client_waiters;
  std::unordered_map<std::string, std::size_t> waiters_by_peer;  // peer address -> waiting
  std::uint64_t next_waiter = 1;

  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines;

  std::set<std::string> dirty_features;  // a seat freed here: serve its queue
  // A product slot freed on a collection seat: the holder's own waiters may ride on it.
  std::set<std::pair<PoolId, std::string>> freed_slots;  // pool, holder user
  std::optional<licenses::Date> last_today;              // day seen by the last Tick

  std::vector<Event> events;

  // Pool table and per-feature cascade for the current model.
  void IndexPools();
  // Whether `user` is assigned to the USER_BASED feature by floatlm assign (placement.cc).
  bool IsAssigned(const std::string& feature, const std::string& user) const;
  // Recomputes every USER_BASED / HOST_BASED pool's `named` from the policy (seat_engine.cc).
  void NameFromOptions();
  // Rebuilds by_holder, by_age, seat numbers and seats_by_user from the seat tables.
  void RebuildSeatIndexes();

  // Seats (seats.cc). OpenSeat returns the new seat's number.
  std::uint32_t OpenSeat(PoolId pool, const Identity& holder, std::optional<std::string> key,
                         WallTime since, std::uint32_t weight = 1);
  void CloseSeat(PoolId pool, std::uint32_t number);
  void AttachLease(Lease& lease, PoolId pool, std::uint32_t number);
  // Takes the lease off its seat; closes the seat when it was the last. True if closed.
  bool DetachLease(Lease& lease);
  bool IsCloudService(const PoolState& pool, const std::string& feature) const;

  // Where a checkout goes (placement.cc): the seat rules and the options policy.
  // `app_group`: the application's DUP_GROUP (EffectiveDupGroup). `seats`: how many at
  // once. `waiter`: the requester's place in line (its waiter id; 0 for a new request,
  // which comes after every waiter), for the seats held for a multi-seat waiter.
  Placement Place(const Identity& who, const std::string& feature,
                  const std::optional<licenses::Version>& version,
                  const std::optional<licenses::DupGroup>& app_group, const Now& now,
                  std::uint32_t seats = 1, std::uint64_t waiter = 0) const;

  // The denial for a refused placement (denial_text.cc).
  Denial DenialFor(const Identity& who, const std::string& feature,
                   const std::optional<licenses::Version>& requested,
                   const Placement& where, const Now& now) const;

  // Lease life cycle (seat_engine.cc). Grant sets *opened when the lease opened a seat.
  LeaseView Grant(const Identity& who, ClientId client, const std::string& feature,
                  const std::optional<licenses::Version>& version,
                  const std::optional<licenses::DupGroup>& dup_group, const Placement& where,
                  const Now& now, bool* opened = nullptr);
  void SetDeadline(Lease& lease, MonoTime at);
  LeaseView Free(LeaseId id);  // frees the lease and its seat if it was the last one
  void End(LeaseId id, Errc reason, std::string message);
  void EndLapsedPools(const Now& now);
  // After a reload: ends leases a collection no longer serves (reload.cc).
  void EndUncoveredLeases();

  // Consolidation (consolidation.cc): moves leases so that every holder whose seats
  // changed holds the fewest seats; then serves waiters. Call before returning from any
  // public operation that granted or freed a lease.
  void Settle(const Now& now, bool full_scan = false);
  void Consolidate(const std::string& user, const Now& now);
  // Moves every lease of one seat onto another and frees the first.
  void MoveSeat(PoolId from_pool, std::uint32_t from_seat, PoolId to_pool, std::uint32_t to_seat);

  // Cloud slots (cloud.cc).
  long long CloudLimit(const licenses::Package& collection, licenses::Date today) const;

  // Waiters (queue.cc).
  // The waiter's place, or the sentence saying which queue limit was reached ("" when
  // there is no pool to wait on; the denial says why).
  std::variant<Queued, std::string> Enqueue(const Identity& who, const CheckoutRequest& req,
                                            std::vector<PoolId> pools, const Now& now);
  void DropWaiter(std::uint64_t id);
  // Files a multi-seat waiter in PoolState::multi_waiters of the counted pools it waits on.
  void HoldFor(const Waiter& waiter);
  void DropClientWaiters(ClientId client);
  void TimeOutWaiter(std::uint64_t id);
  // Ends a wait with a denial (the options file now refuses the waiter).
  void RefuseWaiter(std::uint64_t id, Errc code, const std::string& message);
  void MarkDirty(PoolId pool);
  void MarkAllQueuesDirty();
  // Serves the queues of features where seats freed. `full_scan` also looks past the
  // point where no seat is free, for waiters that can share a seat (after a reload or a
  // new day, when seats may have appeared without passing through the queue).
  void ServeDirty(const Now& now, bool full_scan = false);
  void ServeQueue(const std::string& feature, const Now& now, bool full_scan);
  // Grants a waiter the seat `where` picked; returns true if it opened a new seat.
  bool GrantWaiter(std::uint64_t id, const Placement& where, const Now& now);
  // Serves waiters who share (DUP_GROUP) the seat a waiter of `holder` just opened.
  // `holder_group` is the application grouping the opener asked for.
  void ServeSharers(const std::string& feature, PoolId pool, const Identity& holder,
                    const std::optional<licenses::DupGroup>& holder_group, const Now& now);
  // Serves the waiters of `user` that can ride on that user's seats of `pool` now.
  void ServeRiders(PoolId pool, const std::string& user, const Now& now);
  // Grants, in order, those of `candidates` (waiter ids for `feature`) that can ride on a
  // seat their holder already has; the others keep waiting.
  void GrantRidingWaiters(const std::vector<std::uint64_t>& candidates,
                          const std::string& feature, const Now& now);
  void RecomputeWaiterPools();
};

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_ENGINE_STATE_H_
