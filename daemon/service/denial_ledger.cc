#include "service/denial_ledger.h"

namespace floatlm::server {
namespace {

std::chrono::milliseconds Since(engine::MonoTime opened, engine::MonoTime now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - opened);
}

}  // namespace

DenialLedger::Repeats DenialLedger::RepeatsOf(const Key& key, const Window& w,
                                              engine::MonoTime now) {
  return {w.who, std::get<1>(key), w.version, std::get<2>(key), w.repeats, Since(w.opened, now)};
}

DenialLedger::Repeats DenialLedger::OverflowOf(Errc reason, const Overflow& o,
                                               engine::MonoTime now) {
  return {{}, "", "", reason, o.count, Since(o.opened, now)};
}

bool DenialLedger::Note(engine::ClientId client, const engine::Identity& who,
                        const std::string& feature, const std::string& version, Errc reason,
                        engine::MonoTime now) {
  Key key{client, FeatureKey(feature, reason), reason};
  if (auto it = open_.find(key); it != open_.end()) {
    Count(it->second.repeats);
    return false;
  }
  if (open_.size() >= max_open_) {
    auto [it, fresh] = overflow_.try_emplace(reason, Overflow{now, 0});
    Count(it->second.count);
    return false;
  }
  open_.emplace(std::move(key), Window{now, who, version, 0});
  return true;
}

std::vector<DenialLedger::Repeats> DenialLedger::Close(engine::MonoTime now) {
  std::vector<Repeats> out;
  for (auto it = open_.begin(); it != open_.end();) {
    const Window& w = it->second;
    if (now - w.opened < window_) {
      ++it;
      continue;
    }
    if (w.repeats > 0) out.push_back(RepeatsOf(it->first, w, now));
    it = open_.erase(it);
  }
  for (auto it = overflow_.begin(); it != overflow_.end();) {
    if (now - it->second.opened < window_) {
      ++it;
      continue;
    }
    out.push_back(OverflowOf(it->first, it->second, now));
    it = overflow_.erase(it);
  }
  return out;
}

std::vector<DenialLedger::Repeats> DenialLedger::Drain(engine::MonoTime now) {
  std::vector<Repeats> out;
  for (auto& [key, w] : open_) {
    if (w.repeats == 0) continue;
    out.push_back(RepeatsOf(key, w, now));
    w.repeats = 0;
  }
  for (auto it = overflow_.begin(); it != overflow_.end();) {
    out.push_back(OverflowOf(it->first, it->second, now));
    it = overflow_.erase(it);
  }
  return out;
}

std::vector<DenialLedger::Repeats> DenialLedger::Forget(engine::ClientId client,
                                                        engine::MonoTime now) {
  std::vector<Repeats> out;
  auto it = open_.lower_bound(Key{client, std::string(), Errc{}});
  while (it != open_.end() && std::get<0>(it->first) == client) {
    const Window& w = it->second;
    if (w.repeats > 0) out.push_back(RepeatsOf(it->first, w, now));
    it = open_.erase(it);
  }
  return out;
}

}  // namespace floatlm::server
