// Randomized operations against the seat engine, checking its invariants after every step.
// Seeded: a failure reproduces exactly (the seed and step are in the failure message).
#include <fmt/format.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <random>
#include <set>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using licenses::DupGroup;

const std::vector<std::string> kFeatures = {"cad", "cam", "sim", "viewer"};
const std::vector<std::string> kVersions = {"2024.0", "2025.0", "2026.0", "2027.0", "2028.0"};

bool InForce(const licenses::Pool& pool, licenses::Date today) {
  for (const auto& line : pool.lines) {
    if ((!line.start || *line.start <= today) && (!line.expiry || today <= *line.expiry)) {
      return true;
    }
  }
  return false;
}

bool Covers(const licenses::Pool& pool, const LeaseView& lease) {
  if (pool.feature != lease.feature) {
    return false;
  }
  if (lease.version.scaled == 0) {
    return true;  // any version was asked for
  }
  if (pool.version < lease.version) {
    return false;
  }
  if (pool.prev_versions) {
    const auto wanted = static_cast<long long>(lease.version.scaled / 1'000'000);
    const auto newest = static_cast<long long>(pool.version.scaled / 1'000'000);
    if (wanted < newest - *pool.prev_versions) {
      return false;
    }
  }
  return true;
}

std::string HolderOf(const licenses::Pool& pool, const Identity& who) {
  std::string key;
  if (pool.dup_group.bits & DupGroup::kUser) {
    key += who.user + "/";
  }
  if (pool.dup_group.bits & DupGroup::kHost) {
    key += who.host + "/";
  }
  if (pool.dup_group.bits & DupGroup::kDisplay) {
    key += who.display + "/";
  }
  return key;
}

class RandomRun : public EngineFixture {
 public:
  explicit RandomRun(std::uint64_t seed) : rng_(seed), seed_(seed) {}

  licenses::Pool RandomPool(const std::string& feature, int order) {
    licenses::Pool pool;
    pool.feature = feature;
    pool.vendor = "acme";
    pool.version = V(kVersions[Pick(kVersions.size())]);
    pool.order = order;
    // The model builder merges lines with equal keys, so a model never has two pools
    // with one Key(); a distinct VENDOR_STRING keeps the random ones apart too.
    pool.vendor_string = fmt::format("p{}", order);
    pool.sort = static_cast<int>(Pick(3)) * 100;
    if (Chance(0.2)) {
      pool.prev_versions = static_cast<int>(Pick(3));
    }
    static const std::uint8_t kGroups[] = {DupGroup::kUser | DupGroup::kHost,
                                           DupGroup::kNone,
                                           DupGroup::kSite,
                                           DupGroup::kUser | DupGroup::kHost | DupGroup::kDisplay,
                                           DupGroup::kUser,
                                           DupGroup::kUser | DupGroup::kVersion};
    pool.dup_group = DupGroup{kGroups[Pick(std::size(kGroups))]};
    licenses::PoolLine line;
    line.source = {"random.lic", order + 1};
    pool.uncounted = Chance(0.1);
    line.count = pool.uncounted ? 0 : 1 + static_cast<int>(Pick(3));
    const licenses::Date today = clock.now().today;
    if (Chance(0.2)) {
      line.expiry = licenses::Date{std::chrono::sys_days{today} +
                                   std::chrono::days(static_cast<int>(Pick(4)) - 1)};
    }
    if (Chance(0.1)) {
      line.start = licenses::Date{std::chrono::sys_days{today} +
                                  std::chrono::days(static_cast<int>(Pick(3)))};
    }
    pool.lines.push_back(line);
    return pool;
  }

  licenses::Model RandomModel() {
    licenses::Model model;
    for (int i = 0; i < 8; ++i) {
      model.pools.push_back(RandomPool(kFeatures[Pick(kFeatures.size())], i));
    }
    return model;
  }

  // A reread: counts only grow (a drop below use is allowed but would break the
  // "never above count" check), one pool may go and one may come.
  licenses::Model Reread() {
    licenses::Model model = engine->model();
    for (auto& pool : model.pools) {
      if (!pool.uncounted && Chance(0.3)) {
        pool.lines[0].count += 1;
      }
    }
    if (!model.pools.empty() && Chance(0.3)) {
      model.pools.erase(model.pools.begin() + Pick(model.pools.size()));
    }
    if (Chance(0.5)) {
      model.pools.push_back(RandomPool(kFeatures[Pick(kFeatures.size())], next_order_++));
    }
    return model;
  }

  void Run(int steps) {
    Start(RandomModel());
    for (int i = 0; i < 12; ++i) {
      Connect();
    }
    for (step_ = 0; step_ < steps; ++step_) {
      const std::size_t op = Pick(100);
      if (op < 35) {
        DoCheckout();
      } else if (op < 50) {
        DoCheckin();
      } else if (op < 62) {
        // Most clients heartbeat on time; a few go silent until their TTL runs out.
        for (const auto& [client, who] : clients_) {
          if (Chance(0.8)) {
            engine->Heartbeat(client, clock.now());
          }
        }
      } else if (op < 68) {
        DoDisconnect();
      } else if (op < 76) {
        DoReattach();
      } else if (op < 95) {
        DoTick();
      } else if (op < 98) {
        engine->Remove(1 + Pick(next_guess_), clock.now());
      } else {
        engine->Reload(Reread(), clock.now());
      }
      Absorb(engine->TakeEvents());
      Check();
    }
    std::string summary;
    for (const auto& [what, n] : seen_) {
      summary += fmt::format("{}={} ", what, n);
    }
    BOOST_TEST_MESSAGE(fmt::format("seed {}: {}", seed_, summary));
  }

  const std::map<std::string, int>& seen() const { return seen_; }

 private:
  std::size_t Pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void Connect() {
    Identity who = Who("u" + std::to_string(Pick(6)), "h" + std::to_string(Pick(3)),
                       ":" + std::to_string(Pick(2)));
    clients_.emplace_back(next_client_++, who);
  }

  void DoCheckout() {
    auto& [client, who] = clients_[Pick(clients_.size())];
    std::string feature = Chance(0.05) ? "nope" : kFeatures[Pick(kFeatures.size())];
    std::optional<std::string_view> version;
    if (Chance(0.6)) {
      version = kVersions[Pick(kVersions.size())];
    }
    const Millis wait = Chance(0.3) ? Millis(1000 * (1 + Pick(90))) : Millis(0);
    CheckoutResult r = Try(who, client, feature, version, wait, next_tag_++);
    if (auto* lease = std::get_if<LeaseView>(&r)) {
      Record(*lease);
      ++seen_["granted"];
      if (lease->shared) {
        ++seen_["shared"];
      }
    } else if (std::holds_alternative<Queued>(r)) {
      ++seen_["queued"];
    } else {
      ++seen_[std::string(ErrcName(std::get<Denial>(r).code))];
    }
  }

  void DoCheckin() {
    if (tokens_.empty()) {
      return;
    }
    auto it = tokens_.begin();
    std::advance(it, Pick(tokens_.size()));
    std::optional<LeaseView> lease = engine->FindLease(it->first);
    ClientId client = lease && Chance(0.9) ? lease->client : clients_[Pick(clients_.size())].first;
    Errc rc = engine->Checkin(client, it->first, clock.now());
    const bool ok = lease && !lease->detached && lease->client == client;
    BOOST_TEST((rc == (ok ? Errc::kOk : Errc::kNoSuchLease)), Where());
  }

  void DoDisconnect() {
    const std::size_t i = Pick(clients_.size());
    engine->Disconnect(clients_[i].first, clock.now());
    clients_.erase(clients_.begin() + static_cast<long>(i));
    Connect();
  }

  void DoReattach() {
    if (tokens_.empty()) {
      return;
    }
    auto it = tokens_.begin();
    std::advance(it, Pick(tokens_.size()));
    auto& [client, who] = clients_[Pick(clients_.size())];
    const bool right = Chance(0.8);
    const std::size_t before = engine->lease_count();
    auto r =
        engine->Reattach(client, who, it->first, right ? it->second : it->second + 7, clock.now());
    BOOST_TEST(engine->lease_count() == before, Where());
    if (auto* lease = std::get_if<LeaseView>(&r)) {
      ++seen_["reattached"];
      BOOST_TEST(right, Where());
      BOOST_TEST(lease->client == client, Where());
    } else if (engine->FindLease(it->first)) {
      BOOST_TEST((std::get<Denial>(r).code == Errc::kBadToken), Where());
    } else {
      BOOST_TEST((std::get<Denial>(r).code == Errc::kNoSuchLease), Where());
    }
  }

  void DoTick() {
    const std::size_t kind = Pick(60);
    Millis step = kind == 0 ? Millis(std::chrono::hours(1 + Pick(12))) : Millis(Pick(15'000));
    clock.Advance(step);
    Tick();
  }

  void Record(const LeaseView& lease) {
    tokens_[lease.id] = lease.token;
    next_guess_ = std::max<std::size_t>(next_guess_, lease.id + 1);
  }

  void Absorb(const std::vector<Event>& events) {
    for (const Event& e : events) {
      ++seen_[fmt::format("event {}", ErrcName(e.reason))];
      if (e.kind == Event::Kind::kQueuedGranted) {
        BOOST_TEST(engine->FindLease(e.lease.id).has_value(), Where());
        Record(e.lease);
      }
      if (e.kind == Event::Kind::kLeaseEnded) {
        BOOST_TEST(!engine->FindLease(e.lease.id).has_value(), Where());
      }
    }
  }

  std::string Where() const { return fmt::format("seed {} step {}", seed_, step_); }

  void Check() {
    const Now now = clock.now();
    std::size_t leases = 0;
    std::set<ClientId> live;
    for (const auto& [client, who] : clients_) {
      live.insert(client);
    }
    for (const PoolView& pool : engine->Snapshot(now)) {
      const licenses::Pool& spec = *pool.spec;
      BOOST_TEST(pool.in_use == static_cast<int>(pool.seats.size()), Where());
      if (!spec.uncounted) {
        BOOST_TEST(pool.in_use <= pool.total, Where() << " " << spec.feature);
      }
      if (pool.in_use > 0) {
        BOOST_TEST(InForce(spec, now.today), Where());
      }
      // Nobody waits on a pool that has a free seat in force.
      if (!pool.queue.empty() && InForce(spec, now.today)) {
        BOOST_TEST((!spec.uncounted && pool.in_use >= pool.total), Where());
      }
      std::set<std::string> holders;
      for (const SeatView& seat : pool.seats) {
        BOOST_TEST(!seat.leases.empty(), Where());
        if (spec.dup_group.bits & DupGroup::kSite) {
          BOOST_TEST(pool.seats.size() == 1u, Where());
        }
        const bool keyed =
            (spec.dup_group.bits & (DupGroup::kUser | DupGroup::kHost | DupGroup::kDisplay)) != 0 &&
            (spec.dup_group.bits & (DupGroup::kSite | DupGroup::kVersion)) == 0;
        if (keyed) {
          BOOST_TEST(holders.insert(HolderOf(spec, seat.holder)).second, Where());
        }
        for (const LeaseView& lease : seat.leases) {
          ++leases;
          BOOST_TEST(lease.pool == pool.id, Where());
          BOOST_TEST(Covers(spec, lease), Where());
          if (keyed) {
            BOOST_TEST(HolderOf(spec, lease.who) == HolderOf(spec, seat.holder), Where());
          }
          BOOST_TEST((lease.detached || live.contains(lease.client)), Where());
          BOOST_TEST((lease.expires > now.mono), Where());
        }
      }
      for (const WaiterView& waiter : pool.queue) {
        BOOST_TEST(live.contains(waiter.client), Where());
        BOOST_TEST(waiter.feature == spec.feature, Where());
      }
    }
    BOOST_TEST(engine->lease_count() == leases, Where());
  }

  std::mt19937_64 rng_;
  std::uint64_t seed_;
  int step_ = 0;
  std::vector<std::pair<ClientId, Identity>> clients_;
  std::map<std::string, int> seen_;          // outcome -> count, to show the run covered the paths
  std::map<LeaseId, std::uint64_t> tokens_;  // every lease ever granted, ended or not
  std::size_t next_guess_ = 1;
  ClientId next_client_ = 1;
  std::uint64_t next_tag_ = 1;
  int next_order_ = 100;
};

BOOST_AUTO_TEST_SUITE(engine_invariants)

BOOST_AUTO_TEST_CASE(random_operations_keep_invariants) {
  std::map<std::string, int> seen;
  for (std::uint64_t seed : {1u, 2u, 3u, 20261127u}) {
    RandomRun run(seed);
    run.Run(5000);
    for (const auto& [what, n] : run.seen()) {
      seen[what] += n;
    }
  }
  // The runs must have exercised every path the invariants are about.
  for (const char* what : {"granted", "shared", "queued", "reattached", "all_seats_in_use",
                           "event ok", "event queue_timeout", "event lease_timed_out",
                           "event lease_expired", "event lease_removed", "event pool_removed"}) {
    BOOST_TEST(seen[what] > 0, "the runs never saw " << what);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
