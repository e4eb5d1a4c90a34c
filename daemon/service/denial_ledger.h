// Folds repeated denials into a few journal entries and log lines, so that a client
// asking again and again (a script in a loop, a made-up feature name per request)
// cannot fill the disk with one row and one log line per refusal.
//
// A key is (connection, feature, reason). Its first denial opens a window: that denial
// is journaled and logged at once, as before. Repeats inside the window are only
// counted; when the window ends (Close) or the connection goes (Forget) they become one
// journal entry with their count and one log line. A denial for a feature no license
// names, or for asking too fast, is keyed without the feature name, which is the
// client's text and unbounded in variety: all such denials of a connection are one key
// per reason, journaled with an empty feature (the report says "(name not kept)"), and
// the names themselves are not kept. At most `max_open` keys are
// open at once; past that, denials are counted per reason in one overflow entry per
// window, with no identity.
//
// Pure: the caller passes the time. Used on the server's event loop only.
#ifndef FLOATLM_DAEMON_SERVICE_DENIAL_LEDGER_H_
#define FLOATLM_DAEMON_SERVICE_DENIAL_LEDGER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/seat_engine.h"

namespace floatlm::server {

class DenialLedger {
 public:
  // Repeats of one key that were counted, not written.
  struct Repeats {
    engine::Identity who;  // empty for the overflow entry
    std::string feature;   // empty: features no license names, or the overflow entry
    std::string version;
    Errc reason = Errc::kAllSeatsInUse;
    std::uint32_t count = 0;
    std::chrono::milliseconds window{0};  // how long they were counted over
  };

  DenialLedger(std::chrono::milliseconds window, std::size_t max_open)
      : window_(window), max_open_(max_open) {}

  // True for denials about the request rather than a licensed feature: a feature no
  // license names, a connection asking too fast. Their names are the client's text.
  static bool Nameless(Errc reason) {
    return reason == Errc::kNoSuchFeature || reason == Errc::kTooManyRequests;
  }
  // The key a denial of `feature` is counted under: empty for Nameless reasons.
  static std::string FeatureKey(const std::string& feature, Errc reason) {
    return Nameless(reason) ? std::string() : feature;
  }

  // Notes one denial. True when it is the first of its key in a window: journal and log
  // it now. False: it was counted and comes out of Close or Forget.
  bool Note(engine::ClientId client, const engine::Identity& who, const std::string& feature,
            const std::string& version, Errc reason, engine::MonoTime now);
  // Ends the windows opened `window` or longer before `now`: their repeats (those with a
  // count), and the overflow counts.
  std::vector<Repeats> Close(engine::MonoTime now);
  // The repeats counted so far in every window, which stay open with their counts
  // reset: for a report that must include them.
  std::vector<Repeats> Drain(engine::MonoTime now);
  // Ends every window of a connection that went.
  std::vector<Repeats> Forget(engine::ClientId client, engine::MonoTime now);

  std::size_t open() const { return open_.size(); }

 private:
  using Key = std::tuple<engine::ClientId, std::string, Errc>;
  struct Window {
    engine::MonoTime opened;
    engine::Identity who;
    std::string version;
    std::uint32_t repeats = 0;
  };
  struct Overflow {
    engine::MonoTime opened;
    std::uint32_t count = 0;
  };
  static Repeats RepeatsOf(const Key& key, const Window& w, engine::MonoTime now);
  static Repeats OverflowOf(Errc reason, const Overflow& o, engine::MonoTime now);
  static void Count(std::uint32_t& n) {
    if (n < UINT32_MAX) ++n;
  }

  // Constant after construction.
  const std::chrono::milliseconds window_;
  const std::size_t max_open_;

  std::map<Key, Window> open_;
  std::map<Errc, Overflow> overflow_;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_DENIAL_LEDGER_H_
