// Test support for the seat engine: a fake clock, hand-built pools and a deterministic
// token source. Nothing here reads the real clock.
#ifndef FLOATLM_TESTS_ENGINE_ENGINE_FIXTURE_H_
#define FLOATLM_TESTS_ENGINE_ENGINE_FIXTURE_H_

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <deque>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "engine/seat_engine.h"
#include "options/options_parser.h"

namespace floatlm::engine::testing {

// The code of an engine result: kOk when it is not a Denial.
inline Errc CodeOf(const std::optional<Denial>& denial) {
  return denial ? denial->code : Errc::kOk;
}
inline Errc CodeOf(const AdminResult& result) {
  const auto* denial = std::get_if<Denial>(&result);
  return denial ? denial->code : Errc::kOk;
}

using namespace std::chrono_literals;
using licenses::Date;

inline Date Day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

inline licenses::Version V(std::string_view text) {
  auto v = licenses::Version::Parse(text);
  BOOST_REQUIRE(v.has_value());
  return *v;
}

// Fake time: starts on 2026-11-27 at 09:00 UTC; `today` follows the wall clock.
class FakeClock {
 public:
  Now now() const { return {mono_, wall_, Date{std::chrono::floor<std::chrono::days>(wall_)}}; }
  void Advance(Millis span) {
    mono_ += span;
    wall_ += span;
  }

 private:
  MonoTime mono_{std::chrono::hours(1000)};
  WallTime wall_{std::chrono::sys_days{Day(2026, 11, 27)} + std::chrono::hours(9)};
};

// Pools numbered in file order as if read from licenses.lic, one line each.
class ModelBuilder {
 public:
  licenses::Pool& Add(std::string feature, std::string_view version, int count) {
    licenses::Pool& pool = pools_.emplace_back();
    pool.feature = std::move(feature);
    pool.vendor = "acme";
    pool.version = V(version);
    pool.order = static_cast<int>(pools_.size()) - 1;
    licenses::PoolLine line;
    line.source = {"licenses.lic", 10 * static_cast<int>(pools_.size())};
    line.count = count;
    pool.uncounted = count == 0;
    pool.lines.push_back(line);
    return pool;
  }
  // A collection: PACKAGE `name` OPTIONS=SUITE COMPONENTS=`components` (each
  // "feature[:version]") plus its enabling FEATURE of `seats` seats, ranked as the
  // licenses builder ranks it.
  licenses::Package& AddCollection(std::string name, std::string_view version, int seats,
                                   std::initializer_list<std::string_view> components) {
    licenses::Pool& pool = Add(name, version, seats);
    pool.rank = licenses::Rank::kCollection;
    licenses::Package& package = packages_.emplace_back();
    package.source = {"licenses.lic", pool.lines[0].source.line + 1};
    package.name = std::move(name);
    package.vendor = "acme";
    package.version = V(version);
    package.suite = true;
    for (std::string_view entry : components) {
      licenses::Component& c = package.components.emplace_back();
      const std::size_t colon = entry.find(':');
      c.feature = std::string(entry.substr(0, colon));
      if (colon != std::string_view::npos) {
        c.version = V(entry.substr(colon + 1));
      }
    }
    return package;
  }
  licenses::Pool& pool(std::size_t i) { return pools_[i]; }
  licenses::Model Build() const {
    licenses::Model model;
    model.pools.assign(pools_.begin(), pools_.end());
    model.packages.assign(packages_.begin(), packages_.end());
    for (const licenses::Package& package : model.packages) {
      for (licenses::Pool& pool : model.pools) {
        if (pool.feature == package.name) {
          pool.rank = package.rank;
        }
      }
    }
    return model;
  }

 private:
  std::deque<licenses::Pool> pools_;
  std::deque<licenses::Package> packages_;
};

// An options file's rules from its text, as if read from site.opt; the text must parse.
inline std::shared_ptr<const options::OptionsPolicy> Policy(std::string_view text) {
  options::ParsedOptions parsed = options::ParseOptions("site.opt", text);
  for (const std::string& error : parsed.errors) BOOST_TEST_MESSAGE(error);
  BOOST_REQUIRE(parsed.ok());
  return std::make_shared<const options::OptionsPolicy>(std::move(*parsed.policy));
}

inline Identity Who(std::string user, std::string host = "ws1", std::string display = ":0") {
  return {std::move(user), std::move(host), std::move(display), "10.0.0.1"};
}

// An engine with ttl 120 s, reattach window 30 s and tokens 1001, 1002, ...
class EngineFixture {
 public:
  EngineConfig Config() {
    EngineConfig config;
    config.ttl = 120s;
    config.reattach_window = 30s;
    config.token_source = [this] { return next_token_++; };
    return config;
  }
  void Start(const ModelBuilder& builder) { Start(builder.Build()); }
  void Start(licenses::Model model) {
    engine = std::make_unique<SeatEngine>(std::move(model), Config());
  }
  void Start(licenses::Model model, EngineConfig config) {
    engine = std::make_unique<SeatEngine>(std::move(model), std::move(config));
  }

  CheckoutResult Try(const Identity& who, ClientId client, std::string feature,
                     std::optional<std::string_view> version = std::nullopt, Millis wait = 0ms,
                     std::uint64_t tag = 0, std::uint32_t seats = 1) {
    CheckoutRequest req;
    req.client = client;
    req.tag = tag;
    req.seats = seats;
    req.feature = std::move(feature);
    if (version) {
      req.version = V(*version);
    }
    req.wait = wait;
    return engine->Checkout(who, req, clock.now());
  }
  LeaseView Grant(const Identity& who, ClientId client, std::string feature,
                  std::optional<std::string_view> version = std::nullopt) {
    CheckoutResult r = Try(who, client, std::move(feature), version);
    if (auto* denial = std::get_if<Denial>(&r)) {
      BOOST_TEST_MESSAGE(denial->message);
    }
    BOOST_REQUIRE(std::holds_alternative<LeaseView>(r));
    return std::get<LeaseView>(r);
  }
  Denial Deny(const Identity& who, ClientId client, std::string feature,
              std::optional<std::string_view> version = std::nullopt) {
    CheckoutResult r = Try(who, client, std::move(feature), version);
    BOOST_REQUIRE(std::holds_alternative<Denial>(r));
    return std::get<Denial>(r);
  }
  int InUse(PoolId pool) {
    for (const PoolView& view : engine->Snapshot(clock.now())) {
      if (view.id == pool) {
        return view.in_use;
      }
    }
    BOOST_FAIL("no such pool");
    return -1;
  }
  void Tick() { engine->Tick(clock.now()); }
  Errc Checkin(ClientId client, const LeaseView& lease) {
    return CodeOf(engine->Checkin(client, lease.id, clock.now()));
  }
  // The seats of pool `id` as status shows them.
  std::vector<SeatView> Seats(PoolId id) {
    for (PoolView& view : engine->Snapshot(clock.now())) {
      if (view.id == id) {
        return std::move(view.seats);
      }
    }
    BOOST_FAIL("no such pool");
    return {};
  }
  // The events that tell of something other than the answer the caller already has: the
  // direct grant and checkin events (kGranted, kCheckedIn), which every Checkout and
  // Checkin call emits, are left out. checkout_test.cc checks those.
  std::vector<Event> TakeOtherEvents() {
    std::vector<Event> out;
    for (Event& e : engine->TakeEvents()) {
      if (e.kind != Event::Kind::kGranted && e.kind != Event::Kind::kCheckedIn) {
        out.push_back(std::move(e));
      }
    }
    return out;
  }
  // The code of an admin change's result (kOk when done) and, into *message, its sentence.
  static Errc Code(const AdminResult& result, std::string* message = nullptr) {
    if (const auto* done = std::get_if<Done>(&result)) {
      if (message) *message = done->message;
      return Errc::kOk;
    }
    const auto& denial = std::get<Denial>(result);
    if (message) *message = denial.message;
    return denial.code;
  }
  // Events of one kind from the last TakeEvents().
  std::vector<Event> TakeEvents(Event::Kind kind) {
    std::vector<Event> out;
    for (Event& e : engine->TakeEvents()) {
      if (e.kind == kind) {
        out.push_back(std::move(e));
      }
    }
    return out;
  }

  FakeClock clock;
  std::unique_ptr<SeatEngine> engine;

 private:
  std::uint64_t next_token_ = 1001;
};

inline bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace floatlm::engine::testing

#endif  // FLOATLM_TESTS_ENGINE_ENGINE_FIXTURE_H_
