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
// Checked out too: products only collections cover, and a cloud service.
const std::vector<std::string> kCollectionOnly = {"plant", "docs"};
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

// The sharing identity of a collection seat (SUITE_DUP_GROUP), as the engine defines it.
std::string SuiteKey(const licenses::Package& package, const LeaseView& lease) {
  const std::uint8_t bits = package.suite_dup_group.bits;
  std::string key = HolderOf(licenses::Pool{.dup_group = package.suite_dup_group}, lease.who);
  if (bits & DupGroup::kVersion) {
    key += std::to_string(lease.version.scaled);
  }
  return key;
}

// Whether a collection pool serves a lease's product and version (not as a cloud service).
bool CollectionCovers(const licenses::Package& package, const licenses::Pool& pool,
                      const LeaseView& lease) {
  if (std::find(package.cloud.begin(), package.cloud.end(), lease.feature) != package.cloud.end()) {
    return false;
  }
  if (lease.feature == pool.feature) {
    return Covers(pool, lease);
  }
  for (const licenses::Component& c : package.components) {
    if (c.feature == lease.feature) {
      const licenses::Version served = c.version.value_or(package.version.value_or(pool.version));
      return lease.version.scaled == 0 || lease.version <= served;
    }
  }
  return false;
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

  // A collection: a suite PACKAGE over some features, collection-only products and the
  // cloud service "docs", with its enabling pool ranked as the licenses builder does.
  void AddCollection(licenses::Model& model, const std::string& name) {
    licenses::Package package;
    package.name = name;
    package.vendor = "acme";
    package.suite = true;
    package.version = V(kVersions[Pick(kVersions.size())]);
    package.products_per_seat = 2 + static_cast<int>(Pick(2));
    static const std::uint8_t kSuiteGroups[] = {
        DupGroup::kUser | DupGroup::kHost, DupGroup::kUser | DupGroup::kHost | DupGroup::kVersion,
        DupGroup::kUser};
    package.suite_dup_group = DupGroup{kSuiteGroups[Pick(std::size(kSuiteGroups))]};
    package.rank = Chance(0.3) ? licenses::Rank::kSuite : licenses::Rank::kCollection;
    package.cloud_users_per_seat = 1 + static_cast<int>(Pick(2));
    for (const std::string& feature : kFeatures) {
      if (Chance(0.6)) {
        licenses::Component c;
        c.feature = feature;
        if (Chance(0.3)) {
          c.version = V(kVersions[Pick(kVersions.size())]);
        }
        package.components.push_back(c);
      }
    }
    package.components.push_back({"plant", std::nullopt, 1});
    package.components.push_back({"docs", std::nullopt, 1});
    package.cloud = {"docs"};
    licenses::Pool pool = RandomPool(name, next_order_++);
    // A package's version is its enabling line's, or none (FlexLM's rule).
    package.version = Chance(0.5) ? std::optional(pool.version) : std::nullopt;
    pool.uncounted = false;
    pool.lines[0].count = 1 + static_cast<int>(Pick(2));
    pool.rank = package.rank;
    model.pools.push_back(pool);
    model.packages.push_back(std::move(package));
  }

  // Adds `pool` unless the model has a pool of its key: the license builder never makes
  // two (INCREMENT lines of one key are one pool), and the engine relies on it.
  static void AddPool(licenses::Model& model, licenses::Pool pool) {
    for (const licenses::Pool& p : model.pools) {
      if (p.Key() == pool.Key()) return;
    }
    model.pools.push_back(std::move(pool));
  }

  licenses::Model RandomModel() {
    licenses::Model model;
    for (int i = 0; i < 8; ++i) {
      AddPool(model, RandomPool(kFeatures[Pick(kFeatures.size())], i));
    }
    AddCollection(model, "pdc");
    if (Chance(0.5)) {
      AddCollection(model, "aec");
    }
    return model;
  }

  // A reread: counts only grow (a drop below use is allowed but would break the
  // "never above count" check), one pool may go and one may come.
  licenses::Model Reread() {
    licenses::Model model = engine->model();
    for (auto& pool : model.pools) {
      // Collections grow rarely, so that their cloud-user limits are reached.
      const bool enabling = pool.rank != licenses::Rank::kProduct;
      if (!pool.uncounted && Chance(enabling ? 0.02 : 0.3)) {
        pool.lines[0].count += 1;
      }
    }
    std::string dropped;
    if (!model.pools.empty() && Chance(0.3)) {
      // Collections are rarely dropped, so that runs spend most steps with them.
      const std::size_t victim = Pick(model.pools.size());
      const bool enabling = model.pools[victim].rank != licenses::Rank::kProduct;
      if (!enabling || Chance(0.05)) {
        dropped = model.pools[victim].Key();
        model.pools.erase(model.pools.begin() + static_cast<long>(victim));
      }
    }
    if (Chance(0.5)) {
      // A new pool with the dropped one's key would be a renewal of it, whose leases stay
      // even where it serves fewer versions (PREV_VERSIONS): the Covers check does not
      // hold for those, so such a pool is not added.
      licenses::Pool added = RandomPool(kFeatures[Pick(kFeatures.size())], next_order_++);
      if (added.Key() != dropped) AddPool(model, std::move(added));
    }
    // A renewal may take a product out of a collection or allow more per seat.
    for (auto& package : model.packages) {
      if (package.components.size() > 2 && Chance(0.1)) {
        package.components.erase(package.components.begin() +
                                 static_cast<long>(Pick(package.components.size() - 2)));
      }
      if (Chance(0.1)) {
        ++package.products_per_seat;
      }
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
        if (Chance(0.3)) {
          // An admin frees a cloud-user slot; the user's cloud leases end with it.
          const std::string user = "u" + std::to_string(Pick(6));
          for (const char* collection : {"pdc", "aec"}) {
            engine->ReleaseCloudSlot(collection, user, clock.now());
          }
        } else {
          engine->Remove(1 + Pick(next_guess_), clock.now());
        }
      } else {
        engine->Reload(Reread(), clock.now());
      }
      Absorb(TakeOtherEvents());
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
    std::string feature = Chance(0.05)   ? "nope"
                          : Chance(0.25) ? kCollectionOnly[Pick(kCollectionOnly.size())]
                                         : kFeatures[Pick(kFeatures.size())];
    std::optional<std::string_view> version;
    if (Chance(0.6)) {
      version = kVersions[Pick(kVersions.size())];
    }
    const Millis wait = Chance(0.3) ? Millis(1000 * (1 + Pick(90))) : Millis(0);
    // Now and then several seats at once, as a parallel job asks for them.
    const auto seats = static_cast<std::uint32_t>(Chance(0.1) ? 2 + Pick(3) : 1);
    CheckoutResult r = Try(who, client, feature, version, wait, next_tag_++, seats);
    if (auto* lease = std::get_if<LeaseView>(&r)) {
      Record(*lease);
      ++seen_["granted"];
      BOOST_TEST(lease->seats == seats, Where());
      if (seats > 1) {
        ++seen_["multi-seat"];
        BOOST_TEST(!lease->shared, Where());
      }
      if (lease->shared) {
        ++seen_["shared"];
      }
      if (lease->cloud) {
        ++seen_["cloud"];
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
    Errc rc = CodeOf(engine->Checkin(client, it->first, clock.now()));
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
      if (e.kind == Event::Kind::kLeaseMoved) {
        ++seen_["moved"];
        BOOST_TEST(engine->FindLease(e.lease.id).has_value(), Where());
        continue;
      }
      if (e.kind == Event::Kind::kCloudSlotGranted) {
        ++seen_["cloud slot"];
        const licenses::Package* package = PackageNamed(e.message);
        BOOST_REQUIRE(package);
        // A new slot never takes the collection beyond its limit.
        BOOST_TEST(
            static_cast<long long>(engine->CloudSlots(e.message).size()) <= CloudLimit(*package),
            Where());
        continue;
      }
      ++seen_[fmt::format("event {}", ErrcName(e.reason))];
      if (e.kind == Event::Kind::kQueuedGranted) {
        BOOST_TEST(engine->FindLease(e.lease.id).has_value(), Where());
        Record(e.lease);
        if (e.lease.seats > 1) ++seen_["multi-seat queued granted"];
      }
      if (e.kind == Event::Kind::kLeaseEnded) {
        BOOST_TEST(!engine->FindLease(e.lease.id).has_value(), Where());
      }
    }
  }

  std::string Where() const { return fmt::format("seed {} step {}", seed_, step_); }

  const licenses::Package* PackageNamed(const std::string& name) const {
    for (const licenses::Package& package : engine->model().packages) {
      if (package.name == name) {
        return &package;
      }
    }
    return nullptr;
  }

  long long CloudLimit(const licenses::Package& package) const {
    long long seats = 0;
    for (const licenses::Pool& pool : engine->model().pools) {
      if (pool.feature == package.name && InForce(pool, clock.now().today)) {
        seats += pool.CountOn(clock.now().today);
      }
    }
    return seats * package.cloud_users_per_seat;
  }

  // A seat as the "fewest seats" check sees it.
  struct HeldSeat {
    const PoolView* pool;
    const SeatView* seat;
  };

  // No holder (the user who opened the seats) keeps a seat that one of its collection
  // seats with a free slot could absorb: a product seat for a product it covers, or
  // another collection seat of the same pool whose products fit beside its own.
  void CheckFewestSeats(const std::vector<PoolView>& pools) {
    std::map<std::string, std::vector<HeldSeat>> by_user;
    for (const PoolView& pool : pools) {
      for (const SeatView& seat : pool.seats) {
        // A multi-seat lease keeps its seats: it is neither moved nor joined.
        if (seat.weight == 1) by_user[seat.holder.user].push_back({&pool, &seat});
      }
    }
    for (const auto& [user, seats] : by_user) {
      for (const HeldSeat& c : seats) {
        if (!c.pool->collection || !InForce(*c.pool->spec, clock.now().today)) {
          continue;
        }
        const licenses::Package& package = *c.pool->collection;
        const std::string key = SuiteKey(package, c.seat->leases.front());
        for (const HeldSeat& f : seats) {
          if (f.seat == c.seat || f.pool->spec->user_based) {
            continue;
          }
          if (f.pool->collection && f.pool->id != c.pool->id) {
            continue;  // across collections: not required
          }
          std::set<std::string> products(c.seat->products.begin(), c.seat->products.end());
          products.insert(f.seat->products.begin(), f.seat->products.end());
          if (static_cast<int>(products.size()) > package.products_per_seat) {
            continue;
          }
          bool movable = true;
          for (const LeaseView& lease : f.seat->leases) {
            movable = movable && CollectionCovers(package, *c.pool->spec, lease) &&
                      SuiteKey(package, lease) == key;
          }
          BOOST_TEST(!movable, Where() << " " << user << " keeps seat " << f.seat->number << " of "
                                       << f.pool->spec->feature << " beside collection seat "
                                       << c.seat->number << " of " << c.pool->spec->feature);
        }
      }
    }
  }

  void Check() {
    const Now now = clock.now();
    std::size_t leases = 0;
    std::set<ClientId> live;
    for (const auto& [client, who] : clients_) {
      live.insert(client);
    }
    const std::vector<PoolView> pools = engine->Snapshot(now);
    CheckFewestSeats(pools);
    for (const PoolView& pool : pools) {
      const licenses::Pool& spec = *pool.spec;
      for (const LeaseView& lease : pool.cloud_leases) {
        ++leases;
        BOOST_REQUIRE(pool.collection);
        BOOST_TEST(lease.cloud, Where());
        BOOST_TEST(lease.seat == 0u, Where());
        BOOST_TEST(InForce(spec, now.today), Where());
        const auto& cloud = pool.collection->cloud;
        BOOST_TEST((std::find(cloud.begin(), cloud.end(), lease.feature) != cloud.end()), Where());
        bool has_slot = false;
        for (const CloudSlotView& slot : engine->CloudSlots(pool.collection->name)) {
          has_slot = has_slot || slot.user == lease.who.user;
        }
        BOOST_TEST(has_slot, Where());
      }
      int weights = 0;
      for (const SeatView& seat : pool.seats) weights += static_cast<int>(seat.weight);
      BOOST_TEST(pool.in_use == weights, Where());
      if (!spec.uncounted) {
        BOOST_TEST(pool.in_use <= pool.total, Where() << " " << spec.feature);
      }
      if (pool.in_use > 0) {
        BOOST_TEST(InForce(spec, now.today), Where());
      }
      // Nobody waits on a pool that has as many seats free in force as it needs. A
      // multi-seat waiter that does not fit holds the free seats for itself: the others
      // wait behind it.
      if (!pool.queue.empty() && InForce(spec, now.today)) {
        BOOST_TEST(!spec.uncounted, Where());
        const int free_seats = pool.total - pool.in_use;
        bool blocked = free_seats <= 0;
        for (const WaiterView& waiter : pool.queue) {
          blocked = blocked || static_cast<int>(waiter.seats) > free_seats;
        }
        BOOST_TEST(blocked, Where() << " " << spec.feature << ": " << free_seats << " free");
      }
      std::set<std::string> holders;
      std::set<std::uint32_t> numbers;
      std::size_t single_seats = 0;
      for (const SeatView& seat : pool.seats) {
        BOOST_TEST(!seat.leases.empty(), Where());
        BOOST_TEST(numbers.insert(seat.number).second, Where());
        if (seat.weight > 1) {
          // One lease of that many seats, alone on its seat.
          BOOST_TEST(seat.leases.size() == 1u, Where());
          BOOST_TEST(seat.leases.front().seats == seat.weight, Where());
          BOOST_TEST(seat.products.size() == 1u, Where());
          for (const LeaseView& lease : seat.leases) {
            ++leases;
            BOOST_TEST(lease.pool == pool.id, Where());
            BOOST_TEST(lease.seat == seat.number, Where());
            BOOST_TEST(!lease.shared, Where());
            BOOST_TEST((lease.detached || live.contains(lease.client)), Where());
            BOOST_TEST((lease.expires > now.mono), Where());
            BOOST_TEST((pool.collection ? CollectionCovers(*pool.collection, spec, lease)
                                        : Covers(spec, lease)),
                       Where());
          }
          continue;
        }
        ++single_seats;
        BOOST_TEST(seat.leases.front().seats == 1u, Where());
        const int max_products = pool.collection ? pool.collection->products_per_seat : 1;
        BOOST_TEST(static_cast<int>(seat.products.size()) <= max_products, Where());
        if (pool.collection) {
          // A collection seat: one sharing identity, every lease covered by the package.
          for (const LeaseView& lease : seat.leases) {
            ++leases;
            BOOST_TEST(lease.pool == pool.id, Where());
            BOOST_TEST(lease.seat == seat.number, Where());
            BOOST_TEST(!lease.cloud, Where());
            BOOST_TEST(CollectionCovers(*pool.collection, spec, lease), Where());
            BOOST_TEST(SuiteKey(*pool.collection, lease) ==
                           SuiteKey(*pool.collection, seat.leases.front()),
                       Where());
            BOOST_TEST((lease.detached || live.contains(lease.client)), Where());
            BOOST_TEST((lease.expires > now.mono), Where());
          }
          continue;
        }
        if (spec.dup_group.bits & DupGroup::kSite) {
          BOOST_TEST(single_seats == 1u, Where());
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
          BOOST_TEST(lease.seat == seat.number, Where());
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
        if (!pool.collection) {
          BOOST_TEST(waiter.feature == spec.feature, Where());
        }
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
  for (const char* what :
       {"granted", "shared", "queued", "multi-seat", "multi-seat queued granted", "too_few_seats",
        "reattached", "all_seats_in_use", "moved", "cloud", "cloud slot", "cloud_users_exhausted",
        "event ok", "event queue_timeout", "event lease_timed_out", "event lease_expired",
        "event lease_removed", "event pool_removed"}) {
    BOOST_TEST(seen[what] > 0, "the runs never saw " << what);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
