// Fuzz target for the denial ledger (daemon/server/denial_ledger.h), which folds repeated
// denials into few journal entries. The input is a script of denials, clock steps,
// window closes, report drains and disconnects. Properties, after every step:
//  - no denial is lost or counted twice: the denials noted equal those journaled at once
//    (Note returned true) plus the counts of every Repeats given out, once everything
//    still open is drained and forgotten at the end;
//  - at most max_open windows are open; a Repeats always counts at least one denial;
//  - a nameless denial (a feature no license names, asking too fast) never gives its
//    feature name back, and an overflow entry names nobody;
//  - Forget gives back only that connection's repeats; Close gives back only windows at
//    least `window` old;
//  - after its window closed, a key's next denial is journaled at once again (when there
//    is room for a window).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_script.h"
#include "service/denial_ledger.h"

namespace eng = floatlm::engine;
namespace srv = floatlm::server;
using floatlm::Errc;

namespace {

constexpr std::chrono::milliseconds kWindow{1000};
constexpr std::size_t kMaxOpen = 6;
constexpr eng::ClientId kClients = 4;

const char* const kFeatures[] = {"cad", "cam", "made-up-1", "made-up-2", ""};
const Errc kReasons[] = {Errc::kAllSeatsInUse, Errc::kNoSuchFeature, Errc::kTooManyRequests,
                         Errc::kExcludedByOptions, Errc::kExpired};

std::string UserOf(eng::ClientId client) { return "u" + std::to_string(client); }

class Harness {
 public:
  void Run(FuzzScript& in) {
    while (in.remaining_bytes() > 0) {
      switch (in.ConsumeIntegralInRange<int>(0, 7)) {
        case 0:
        case 1:
        case 2:
        case 3:
          Deny(in);
          break;
        case 4:
          now_ += std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 1500));
          break;
        case 5:
          Take(ledger_.Close(now_), 0, /*closing=*/true);
          break;
        case 6:
          Take(ledger_.Drain(now_), 0, false);
          break;
        default: {
          const eng::ClientId client = in.ConsumeIntegralInRange<eng::ClientId>(1, kClients);
          Take(ledger_.Forget(client, now_), client, false);
          for (auto it = opened_.begin(); it != opened_.end();) {
            it = std::get<0>(it->first) == client ? opened_.erase(it) : std::next(it);
          }
          break;
        }
      }
      FUZZ_CHECK(ledger_.open() <= kMaxOpen, "more windows open than max_open");
    }
    Take(ledger_.Drain(now_), 0, false);
    for (eng::ClientId c = 1; c <= kClients; ++c) Take(ledger_.Forget(c, now_), c, false);
    FUZZ_CHECK(ledger_.open() == 0, "windows left open after every connection went");
    FUZZ_CHECK(noted_ == journaled_ + counted_, "a denial was lost or counted twice");
  }

 private:
  using Key = std::tuple<eng::ClientId, std::string, Errc>;

  void Deny(FuzzScript& in) {
    const eng::ClientId client = in.ConsumeIntegralInRange<eng::ClientId>(1, kClients);
    const std::string feature =
        kFeatures[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kFeatures) - 1)];
    const Errc reason =
        kReasons[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kReasons) - 1)];
    eng::Identity who{UserOf(client), "h", "", "127.0.0.1"};
    const Key key{client, srv::DenialLedger::FeatureKey(feature, reason), reason};
    const bool expected_first = !opened_.contains(key) && ledger_.open() < kMaxOpen;
    ++noted_;
    const bool first = ledger_.Note(client, who, feature, "1.0", reason, now_);
    FUZZ_CHECK(first == expected_first,
               "a denial journaled at once while its window is open, or held back without one");
    if (first) {
      ++journaled_;
      opened_.emplace(key, now_);
    }
  }

  // `client` > 0: these came from Forget(client).
  void Take(const std::vector<srv::DenialLedger::Repeats>& out, eng::ClientId client,
            bool closing) {
    for (const auto& r : out) {
      FUZZ_CHECK(r.count > 0, "a Repeats that counts nothing");
      FUZZ_CHECK(r.window.count() >= 0, "a Repeats with a negative window");
      if (srv::DenialLedger::Nameless(r.reason)) {
        FUZZ_CHECK(r.feature.empty(), "a nameless denial gave its feature name back");
      }
      if (r.who.user.empty()) {
        FUZZ_CHECK(r.feature.empty() && r.who.host.empty(), "an overflow entry names someone");
        FUZZ_CHECK(client == 0, "Forget gave back overflow counts");
      }
      if (client > 0) {
        FUZZ_CHECK(r.who.user == UserOf(client), "Forget gave back another connection's repeats");
      }
      if (closing) FUZZ_CHECK(r.window >= kWindow, "Close ended a window before its time");
      counted_ += r.count;
    }
    if (closing) {
      for (auto it = opened_.begin(); it != opened_.end();) {
        it = now_ - it->second >= kWindow ? opened_.erase(it) : std::next(it);
      }
    }
  }

  srv::DenialLedger ledger_{kWindow, kMaxOpen};
  eng::MonoTime now_{std::chrono::hours(1)};
  std::map<Key, eng::MonoTime> opened_;  // the model: windows open and when they opened
  std::uint64_t noted_ = 0;
  std::uint64_t journaled_ = 0;
  std::uint64_t counted_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzScript in(data, size);
  Harness harness;
  harness.Run(in);
  return 0;
}
