#include "render/diag_render.h"

#include <fmt/format.h>

#include "render/json_text.h"

namespace floatlm::server {
namespace {

using Verdict = engine::PoolDiagnosis::Verdict;

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kChosen: return "chosen";
    case Verdict::kRefused: return "refused";
    case Verdict::kNotNeeded: return "not_needed";
    case Verdict::kNotReached: return "not_reached";
  }
  return "not_reached";
}

std::string VersionAsked(const DiagRequest& r) {
  return r.version.empty() ? std::string("any version") : "version " + r.version;
}

}  // namespace

std::string RenderDiagText(const DiagRequest& r, const engine::Diagnosis& d) {
  std::string out = fmt::format("Checkout of {} ({}) for {}@{}", r.feature, VersionAsked(r),
                                r.who.user, r.who.host);
  if (!r.who.display.empty()) out += fmt::format(" display {}", r.who.display);
  out += ":\n";
  if (d.outcome == Errc::kOk) {
    out += fmt::format("  would be GRANTED: {}\n", d.summary);
  } else {
    out += fmt::format("  would be DENIED ({}): {}\n", ErrcName(d.outcome), d.summary);
    if (d.would_queue) {
      out += "  a checkout that may wait (floatlm run --wait) would queue for the next free seat\n";
    }
  }
  if (d.pools.empty()) return out;
  out += "\nPools in cascading order:\n";
  for (std::size_t i = 0; i < d.pools.size(); ++i) {
    const engine::PoolDiagnosis& p = d.pools[i];
    out += fmt::format("  {}. {}  [{}]\n", i + 1, p.label, p.role);
    out += fmt::format("       {}\n", p.use);
    if (!p.holding.empty()) out += fmt::format("       {}\n", p.holding);
    switch (p.verdict) {
      case Verdict::kChosen: out += fmt::format("    => chosen: {}\n", p.why); break;
      case Verdict::kRefused: out += fmt::format("     - passed over: {}\n", p.why); break;
      case Verdict::kNotNeeded:
      case Verdict::kNotReached: out += fmt::format("     - {}\n", p.why); break;
    }
  }
  return out;
}

std::string RenderDiagJson(const DiagRequest& r, const engine::Diagnosis& d) {
  std::string out = fmt::format(
      "{{\"schema\":\"floatlm.diag/1\",\"feature\":{},\"version\":{},\"user\":{},\"host\":{},"
      "\"display\":{},\"granted\":{},\"outcome\":{},\"summary\":{},\"would_queue\":{},\"pools\":[",
      Json(r.feature), Json(r.version), Json(r.who.user), Json(r.who.host), Json(r.who.display),
      d.outcome == Errc::kOk ? "true" : "false", Json(ErrcName(d.outcome)), Json(d.summary),
      d.would_queue ? "true" : "false");
  for (std::size_t i = 0; i < d.pools.size(); ++i) {
    const engine::PoolDiagnosis& p = d.pools[i];
    out += fmt::format(
        "{}{{\"rank\":{},\"pool\":{},\"role\":{},\"use\":{},\"holding\":{},\"verdict\":\"{}\","
        "\"why\":{}}}",
        i ? "," : "", i + 1, Json(p.label), Json(p.role), Json(p.use), Json(p.holding),
        VerdictName(p.verdict), Json(p.why));
  }
  out += "]}\n";
  return out;
}

}  // namespace floatlm::server
