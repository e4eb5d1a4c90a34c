#include "server/status_render.h"

#include <algorithm>
#include <array>
#include <chrono>

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <map>

#include "server/describe.h"
#include "server/json_text.h"

namespace floatlm::server {
namespace {

using std::chrono::duration_cast;

std::optional<long> DaysLeft(const licenses::Pool& pool, const licenses::Date& today) {
  const auto last = pool.LastExpiry();
  if (!last) return std::nullopt;
  return (std::chrono::sys_days(*last) - std::chrono::sys_days(today)).count();
}

std::string Uptime(engine::WallTime started, engine::WallTime now) {
  auto secs = duration_cast<std::chrono::seconds>(now - started).count();
  if (secs < 0) secs = 0;
  return fmt::format("{}h{:02}m{:02}s", secs / 3600, (secs / 60) % 60, secs % 60);
}

long SecondsUntil(engine::MonoTime t, engine::MonoTime now) {
  return static_cast<long>(duration_cast<std::chrono::seconds>(t - now).count());
}

bool Selected(const engine::PoolView& p, const std::string& feature) {
  if (feature.empty() || p.spec->feature == feature) return true;
  // A product's status includes the collections that can serve it.
  if (p.collection) {
    for (const auto& c : p.collection->components) {
      if (c.feature == feature) return true;
    }
  }
  return false;
}

// "2h10m", "3m", "45s": how long a lease has been held.
std::string HeldFor(engine::WallTime since, engine::WallTime now) {
  auto secs = duration_cast<std::chrono::seconds>(now - since).count();
  if (secs < 0) secs = 0;
  if (secs < 60) return fmt::format("{}s", secs);
  if (secs < 3600) return fmt::format("{}m", secs / 60);
  if (secs < 86400) return fmt::format("{}h{:02}m", secs / 3600, (secs / 60) % 60);
  return fmt::format("{}d{:02}h", secs / 86400, (secs / 3600) % 24);
}

// "09:05" today (UTC), else "1-dec 09:05": short enough for an 80-column row.
std::string SinceText(engine::WallTime since, engine::WallTime now) {
  const auto day = std::chrono::floor<std::chrono::days>(since);
  const std::chrono::hh_mm_ss time{std::chrono::floor<std::chrono::minutes>(since - day)};
  const std::string clock = fmt::format("{:02}:{:02}", time.hours().count(), time.minutes().count());
  if (day == std::chrono::floor<std::chrono::days>(now)) return clock;
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::chrono::year_month_day date{day};
  return fmt::format("{}-{} {}", static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1], clock);
}

// Writes `rows` with each column as wide as its widest cell, and clears them.
void FlushRows(std::vector<std::array<std::string, 8>>& rows, std::string& out) {
  std::array<std::size_t, 8> width{};
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line = "    ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r[i].empty() && i + 1 == r.size()) break;
      if (i > 0) line += "  ";
      line += r[i];
      if (i + 1 < r.size()) line.append(width[i] - r[i].size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  rows.clear();
}

std::string ComponentList(const licenses::Package& pkg) {
  std::vector<std::string> names;
  for (const auto& c : pkg.components) names.push_back(c.feature);
  return fmt::format("{}", fmt::join(names, " "));
}

}  // namespace

std::string RenderStatusText(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now) {
  const auto pools = engine.Snapshot(now);
  std::string out = fmt::format("floatlmd {} on {}, up {}; {} lease{}, {} connection{} (times UTC)\n",
                                facts.version, facts.address, Uptime(facts.started, now.wall),
                                engine.lease_count(), engine.lease_count() == 1 ? "" : "s",
                                facts.clients, facts.clients == 1 ? "" : "s");
  // Group pools by feature, keeping cascading order within a feature.
  std::map<std::string, std::vector<const engine::PoolView*>> by_feature;
  for (const auto& p : pools) {
    if (Selected(p, feature)) by_feature[p.spec->feature].push_back(&p);
  }
  if (by_feature.empty() && !feature.empty()) out += fmt::format("\nNo license for feature '{}'.\n", feature);
  for (const auto& [name, list] : by_feature) {
    int total = 0, used = 0;
    bool uncounted = false, counted = false;
    for (const auto* p : list) {
      total += p->total;
      used += p->in_use;
      uncounted = uncounted || p->spec->uncounted;
      counted = counted || !p->spec->uncounted;
    }
    if (uncounted && counted) {
      out += fmt::format(
          "\nUsers of {}:  (Total of {} licenses issued plus uncounted lines;  Total of {} in use)\n",
          name, total, used);
    } else if (uncounted) {
      out += fmt::format("\nUsers of {}:  (uncounted;  Total of {} in use)\n", name, used);
    } else {
      out += fmt::format("\nUsers of {}:  (Total of {} licenses issued;  Total of {} in use)\n",
                         name, total, used);
    }
    for (const auto* p : list) {
      const auto& s = *p->spec;
      const auto days = DaysLeft(s, now.today);
      out += fmt::format("  pool {}  vendor {}  expires {}{}  {}  DUP_GROUP={}{}{}\n", PoolLabel(s),
                         s.vendor, FormatExpiry(s.LastExpiry()),
                         days ? fmt::format(" ({} days left)", *days) : std::string(),
                         s.uncounted ? fmt::format("uncounted, {} in use", p->in_use)
                                     : fmt::format("{} of {} in use", p->in_use, p->total),
                         s.dup_group.ToString(),
                         s.user_based ? "  USER_BASED" : s.host_based ? "  HOST_BASED" : "",
                         s.hostids.empty() ? std::string()
                                           : "  node-locked to HOSTID=" + s.HostIdText());
      if (p->collection) {
        const auto& pkg = *p->collection;
        out += fmt::format("    collection {}: products {}; {} per seat{}\n", pkg.name,
                           ComponentList(pkg), pkg.products_per_seat,
                           pkg.cloud.empty() ? std::string()
                                             : fmt::format("; cloud services {}", fmt::join(pkg.cloud, " ")));
        if (!pkg.cloud.empty()) {
          const auto slots = engine.CloudSlots(pkg.name);
          std::vector<std::string> users;
          for (const auto& slot : slots) users.push_back(slot.user);
          out += fmt::format("    cloud-user slots: {} of {} used{}{}\n", slots.size(),
                             p->total * pkg.cloud_users_per_seat, users.empty() ? "" : ": ",
                             fmt::join(users, ", "));
        }
      }
      if (s.user_based || s.host_based) {
        // Named by the options file first, then by floatlm assign (users only).
        std::vector<std::string> names;
        for (const auto& n : p->named_by_options) names.push_back(n + " (options)");
        if (s.user_based) {
          for (const auto& a : engine.Assignments()) {
            if (a.feature == s.feature &&
                std::find(p->named_by_options.begin(), p->named_by_options.end(), a.user) ==
                    p->named_by_options.end()) {
              names.push_back(a.user + " (assigned)");
            }
          }
        }
        const int limit = (s.user_based ? s.user_based_limit : s.host_based_limit).value_or(p->total);
        out += fmt::format("    named {}: {} of {}{}{}\n", s.user_based ? "users" : "hosts",
                           names.size(), limit, names.empty() ? "" : ": ", fmt::join(names, ", "));
        if (!p->named_over_limit.empty()) {
          out += fmt::format("    named past the limit of {} (not served): {}\n", limit,
                             fmt::join(p->named_over_limit, ", "));
        }
      }
      for (const auto& r : p->reservations) {
        out += fmt::format("    {} RESERVATION{} for {} {} ({}:{})\n", r.count,
                           r.count == 1 ? "" : "S", r.type, r.name, r.rule.file, r.rule.line);
      }
      // One aligned row per lease: who, lease, licensed version, how long, since when.
      std::vector<std::array<std::string, 8>> rows;
      const auto row = [&](const engine::LeaseView& l, std::string note) {
        rows.push_back({l.who.user, l.who.host, l.who.display.empty() ? "-" : l.who.display,
                        fmt::format("lease {}", l.id),
                        "v" + (l.licensed ? l.licensed->ToString() : s.version.ToString()),
                        "held " + HeldFor(l.since, now.wall), "since " + SinceText(l.since, now.wall),
                        std::move(note)});
      };
      for (const auto& seat : p->seats) {
        if (p->collection) {
          FlushRows(rows, out);
          out += fmt::format("    seat {}: {} {} runs {}\n", seat.number, seat.holder.user,
                             seat.holder.host, fmt::join(seat.products, ", "));
        }
        for (const auto& l : seat.leases) {
          std::string note;
          if (l.shared) note = fmt::format("shares seat {}", seat.number);
          if (l.detached) {
            note += fmt::format("{}disconnected, kept {} s", note.empty() ? "" : "; ",
                                SecondsUntil(l.expires, now.mono));
          }
          row(l, std::move(note));
        }
      }
      for (const auto& l : p->cloud_leases) row(l, "cloud service " + l.feature);
      FlushRows(rows, out);
      for (std::size_t i = 0; i < p->queue.size(); ++i) {
        const auto& w = p->queue[i];
        out += fmt::format("    queued #{}: {} {}  waits {} s more\n", i + 1, w.who.user,
                           w.who.host, SecondsUntil(w.deadline, now.mono));
      }
    }
  }
  const auto& rejected = engine.model().rejected;
  if (!rejected.empty()) {
    out += fmt::format("\nRejected license lines ({}):\n", rejected.size());
    for (const auto& r : rejected) out += "  " + r.ToString() + "\n";
  }
  return out;
}

std::string RenderStatusJson(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now) {
  const auto pools = engine.Snapshot(now);
  std::string out = "{\"schema\":\"floatlm.status/1\"";
  out += fmt::format(",\"server\":{{\"version\":{},\"address\":{},\"started\":{},\"now\":{},"
                     "\"leases\":{},\"connections\":{}}}",
                     Json(facts.version), Json(facts.address), Json(FormatWallTime(facts.started)),
                     Json(FormatWallTime(now.wall)), engine.lease_count(), facts.clients);
  out += ",\"pools\":[";
  bool first_pool = true;
  for (const auto& p : pools) {
    if (!Selected(p, feature)) continue;
    const auto& s = *p.spec;
    const auto days = DaysLeft(s, now.today);
    out += first_pool ? "" : ",";
    first_pool = false;
    out += fmt::format(
        "{{\"feature\":{},\"vendor\":{},\"version\":{},\"source\":{},\"expires\":{},"
        "\"days_left\":{},\"uncounted\":{},\"total\":{},\"in_use\":{},\"dup_group\":{},"
        "\"user_based\":{},\"hostid\":{},\"rank\":{},\"sort\":{},\"leases\":[",
        Json(s.feature), Json(s.vendor), Json(s.version.ToString()),
        Json(s.lines.empty() ? "" : s.lines.front().source.ToString()),
        Json(FormatExpiry(s.LastExpiry())), days ? std::to_string(*days) : "null",
        s.uncounted ? "true" : "false", p.total, p.in_use, Json(s.dup_group.ToString()),
        s.user_based ? "true" : "false",
        s.hostids.empty() ? std::string("null") : Json(s.HostIdText()), static_cast<int>(s.rank),
        s.sort);
    bool first = true;
    std::vector<const engine::LeaseView*> all;
    for (const auto& seat : p.seats) {
      for (const auto& l : seat.leases) all.push_back(&l);
    }
    for (const auto& l : p.cloud_leases) all.push_back(&l);
    {
      for (const auto* lp : all) {
        const auto& l = *lp;
        out += first ? "" : ",";
        first = false;
        out += fmt::format(
            "{{\"lease\":{},\"seat\":{},\"user\":{},\"host\":{},\"display\":{},\"peer\":{},"
            "\"since\":{},\"held_s\":{},\"version\":{},\"licensed_version\":{},\"shared\":{},"
            "\"detached\":{},\"cloud\":{},\"expires_in_s\":{},\"reason\":{}}}",
            l.id, l.seat, Json(l.who.user), Json(l.who.host), Json(l.who.display), Json(l.who.peer),
            Json(FormatWallTime(l.since)),
            std::max<long long>(0, duration_cast<std::chrono::seconds>(now.wall - l.since).count()),
            Json(l.version.ToString()),
            Json(l.licensed ? l.licensed->ToString() : s.version.ToString()),
            l.shared ? "true" : "false", l.detached ? "true" : "false", l.cloud ? "true" : "false",
            SecondsUntil(l.expires, now.mono), Json(l.reason));
      }
    }
    out += "],\"reservations\":[";
    for (std::size_t i = 0; i < p.reservations.size(); ++i) {
      const auto& r = p.reservations[i];
      out += fmt::format("{}{{\"count\":{},\"type\":{},\"name\":{},\"rule\":{}}}", i ? "," : "",
                         r.count, Json(r.type), Json(r.name), Json(r.rule.ToString()));
    }
    out += "],\"seats\":[";
    for (std::size_t i = 0; i < p.seats.size(); ++i) {
      const auto& seat = p.seats[i];
      out += fmt::format("{}{{\"number\":{},\"user\":{},\"host\":{},\"since\":{},\"products\":{}}}",
                         i ? "," : "", seat.number, Json(seat.holder.user), Json(seat.holder.host),
                         Json(FormatWallTime(seat.since)), JsonList(seat.products));
    }
    out += "]";
    if (p.collection) {
      const auto& pkg = *p.collection;
      std::vector<std::string> components, slot_users;
      for (const auto& c : pkg.components) components.push_back(c.feature);
      for (const auto& slot : engine.CloudSlots(pkg.name)) slot_users.push_back(slot.user);
      out += fmt::format(
          ",\"collection\":{{\"name\":{},\"products\":{},\"products_per_seat\":{},"
          "\"cloud\":{},\"cloud_users_per_seat\":{},\"cloud_slots\":{{\"used\":{},\"limit\":{},"
          "\"users\":{}}}}}",
          Json(pkg.name), JsonList(components), pkg.products_per_seat, JsonList(pkg.cloud),
          pkg.cloud_users_per_seat, slot_users.size(), p.total * pkg.cloud_users_per_seat,
          JsonList(slot_users));
    }
    if (s.user_based) {
      std::vector<std::string> users;
      for (const auto& a : engine.Assignments()) {
        if (a.feature == s.feature) users.push_back(a.user);
      }
      out += ",\"assigned_users\":" + JsonList(users);
    }
    if (s.user_based || s.host_based) {
      out += fmt::format(",\"named_by_options\":{},\"named_over_limit\":{}",
                         JsonList(p.named_by_options), JsonList(p.named_over_limit));
    }
    out += ",\"queue\":[";
    for (std::size_t i = 0; i < p.queue.size(); ++i) {
      const auto& w = p.queue[i];
      out += fmt::format("{}{{\"position\":{},\"user\":{},\"host\":{},\"waits_s\":{}}}",
                         i ? "," : "", i + 1, Json(w.who.user), Json(w.who.host),
                         SecondsUntil(w.deadline, now.mono));
    }
    out += "]}";
  }
  out += "],\"rejected\":[";
  const auto& rejected = engine.model().rejected;
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    out += fmt::format("{}{{\"source\":{},\"reason\":{}}}", i ? "," : "",
                       Json(rejected[i].source.ToString()), Json(rejected[i].reason));
  }
  out += "]}\n";
  return out;
}

}  // namespace floatlm::server
