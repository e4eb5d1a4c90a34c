#include "render/status_render.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>

#include "engine/labels.h"
#include "render/json_text.h"

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


// Rows of one pool are aligned in blocks of this many, so a slice never waits for the
// pool's every row before it can write one.
constexpr std::size_t kRowsPerBlock = 64;
// Leases (or, for JSON seat objects, seats) read from the engine per call while a slice
// is written.
constexpr std::size_t kSeatsPerPage = 64;

// What a status is made of: text written as it is, and parts that read the engine only
// when their slice is due: a pool's seats (rows, JSON lease objects or JSON seat
// objects), its cloud leases and its queue.
struct Piece {
  enum class Kind : std::uint8_t {
    kText,        // text
    kSeatRows,    // pools_[pool]'s seats as text rows (one "seat N" line each for a collection)
    kSeatLeases,  // pools_[pool]'s seats' leases as JSON objects
    kSeatObjects, // pools_[pool]'s seats as JSON objects
    kCloudLease,  // pools_[pool].cloud_leases[index]
    kQueue,       // pools_[pool].queue, from `index` on
    kEndRows,     // writes the text rows gathered so far
    kArray,       // a JSON array starts: its next element has no comma before it
    kEnd,         // the end of the answer
  };
  Kind kind = Kind::kText;
  std::string text;
  std::size_t pool = 0;
  std::size_t index = 0;
};

class StatusStream final : public ReplyStream {
 public:
  StatusStream(const engine::SeatEngine& engine, const ServerFacts& facts,
               const std::string& feature, bool json, const engine::Now& now)
      : engine_(engine),
        json_(json),
        now_(now),
        generation_(engine.generation()),
        pools_(engine.PoolSummaries(now)) {
    // The engine's specs live until its next reload; the stream may outlive that.
    for (auto& p : pools_) {
      p.spec = &specs_.emplace_back(*p.spec);
      if (p.collection) p.collection = &packages_.emplace_back(*p.collection);
    }
    if (json) {
      BuildJson(facts, feature);
    } else {
      BuildText(facts, feature);
    }
    pieces_.push_back({Piece::Kind::kEnd});
  }

  bool Next(std::string& out, std::size_t budget) override {
    const std::size_t start = out.size();
    while (next_ < pieces_.size() && out.size() - start < budget) {
      if (Write(pieces_[next_], out, start + budget)) {
        ++next_;
        cursor_ = {};
      }
    }
    return next_ == pieces_.size();
  }

 private:
  void Text(std::string text) { pieces_.push_back({Piece::Kind::kText, std::move(text)}); }
  void Part(Piece::Kind kind, std::size_t pool, std::size_t index = 0) {
    pieces_.push_back({kind, {}, pool, index});
  }

  // Writes (part of) `piece` until `out` reaches `until` bytes; true once it is done.
  bool Write(Piece& piece, std::string& out, std::size_t until) {
    switch (piece.kind) {
      case Piece::Kind::kText:
        out += piece.text;
        return true;
      case Piece::Kind::kEndRows:
        FlushRows(rows_, out);
        return true;
      case Piece::Kind::kArray:
        first_ = true;
        return true;
      case Piece::Kind::kSeatRows:
      case Piece::Kind::kSeatLeases:
      case Piece::Kind::kSeatObjects:
        return WriteSeats(piece, out, until);
      case Piece::Kind::kCloudLease: {
        const auto& p = pools_[piece.pool];
        const auto& l = p.cloud_leases[piece.index];
        if (json_) {
          AppendLeaseJson(l, *p.spec, out);
        } else {
          AppendRow(l, *p.spec, "cloud service " + l.feature, out);
        }
        return true;
      }
      case Piece::Kind::kQueue: {
        const auto& queue = pools_[piece.pool].queue;
        for (; piece.index < queue.size() && out.size() < until; ++piece.index) {
          const auto& w = queue[piece.index];
          if (json_) {
            out += fmt::format(
                "{}{{\"position\":{},\"user\":{},\"host\":{},\"seats\":{},\"waits_s\":{}}}",
                piece.index ? "," : "", piece.index + 1, Json(w.who.user), Json(w.who.host),
                w.seats, SecondsUntil(w.deadline, now_.mono));
          } else {
            out += fmt::format("    queued #{}: {} {}{}  waits {} s more\n", piece.index + 1,
                               w.who.user, w.who.host,
                               w.seats > 1 ? fmt::format(" for {} seats", w.seats) : "",
                               SecondsUntil(w.deadline, now_.mono));
          }
        }
        return piece.index == queue.size();
      }
      case Piece::Kind::kEnd:
        FlushRows(rows_, out);
        if (json_) {
          out += partial_ ? ",\"partial\":true}\n" : "}\n";
        } else if (partial_) {
          out += "\n(The licenses were reread while this status was written; the leases after"
                 " that point are left out. Ask again for the rest.)\n";
        }
        return true;
    }
    return true;
  }

  // A pool's seats, read from the engine a page at a time as they are now: a lease that
  // ended before its row was due is left out, a seat opened meanwhile is listed last.
  bool WriteSeats(const Piece& piece, std::string& out, std::size_t until) {
    const auto& p = pools_[piece.pool];
    while (out.size() < until) {
      if (engine_.generation() != generation_) {  // reread: pool ids mean other pools now
        partial_ = true;
        return true;
      }
      const auto page = engine_.SeatsAfter(p.id, &cursor_, kSeatsPerPage,
                                           piece.kind != Piece::Kind::kSeatObjects);
      if (page.empty()) return true;
      for (const auto& seat : page) {
        switch (piece.kind) {
          case Piece::Kind::kSeatRows:
            if (p.collection && !seat.continued) {
              FlushRows(rows_, out);
              out += fmt::format("    seat {}: {} {} runs {}{}\n", seat.number, seat.holder.user,
                                 seat.holder.host, fmt::join(seat.products, ", "),
                                 seat.weight > 1 ? fmt::format(" ({} seats)", seat.weight) : "");
            }
            for (const auto& l : seat.leases) {
              std::string note;
              if (l.seats > 1) note = fmt::format("{} seats", l.seats);
              if (l.shared) note = fmt::format("shares seat {}", seat.number);
              if (l.detached) {
                note += fmt::format("{}disconnected, kept {} s", note.empty() ? "" : "; ",
                                    SecondsUntil(l.expires, now_.mono));
              }
              AppendRow(l, *p.spec, std::move(note), out);
            }
            break;
          case Piece::Kind::kSeatLeases:
            for (const auto& l : seat.leases) AppendLeaseJson(l, *p.spec, out);
            break;
          default:
            out += fmt::format(
                "{}{{\"number\":{},\"seats\":{},\"user\":{},\"host\":{},\"since\":{},"
                "\"products\":{}}}",
                first_ ? "" : ",", seat.number, seat.weight, Json(seat.holder.user),
                Json(seat.holder.host), Json(engine::IsoTime(seat.since)), JsonList(seat.products));
            first_ = false;
            break;
        }
      }
    }
    return false;
  }

  void AppendRow(const engine::LeaseView& l, const licenses::Pool& spec, std::string note,
                 std::string& out) {
    rows_.push_back({l.who.user, l.who.host, l.who.display.empty() ? "-" : l.who.display,
                     fmt::format("lease {}", l.id),
                     "v" + (l.licensed ? l.licensed->ToString() : spec.version.ToString()),
                     "held " + HeldFor(l.since, now_.wall),
                     "since " + engine::SinceShort(l.since, now_.wall), std::move(note)});
    if (rows_.size() >= kRowsPerBlock) FlushRows(rows_, out);
  }

  void AppendLeaseJson(const engine::LeaseView& l, const licenses::Pool& spec, std::string& out) {
    out += first_ ? "" : ",";
    first_ = false;
    out += fmt::format(
        "{{\"lease\":{},\"seat\":{},\"seats\":{},\"user\":{},\"host\":{},\"display\":{},\"peer\":{}"
        ","
        "\"since\":{},\"held_s\":{},\"version\":{},\"licensed_version\":{},\"shared\":{},"
        "\"detached\":{},\"cloud\":{},\"expires_in_s\":{},\"reason\":{}}}",
        l.id, l.seat, l.seats, Json(l.who.user), Json(l.who.host), Json(l.who.display),
        Json(l.who.peer), Json(engine::IsoTime(l.since)),
        std::max<long long>(0, duration_cast<std::chrono::seconds>(now_.wall - l.since).count()),
        Json(l.version.ToString()),
        Json(l.licensed ? l.licensed->ToString() : spec.version.ToString()),
        l.shared ? "true" : "false", l.detached ? "true" : "false", l.cloud ? "true" : "false",
        SecondsUntil(l.expires, now_.mono), Json(l.reason));
  }

  void BuildText(const ServerFacts& facts, const std::string& feature);
  void BuildJson(const ServerFacts& facts, const std::string& feature);

  // Constant after construction.
  const engine::SeatEngine& engine_;         // outlives the stream's last Next()
  const bool json_;
  const engine::Now now_;
  const std::uint64_t generation_;           // the engine's, when the status was asked for
  std::vector<engine::PoolView> pools_;      // summaries: counts, queues, cloud leases
  std::deque<licenses::Pool> specs_;         // stable copies: pools_ point into them
  std::deque<licenses::Package> packages_;
  std::vector<Piece> pieces_;

  // Progress.
  std::size_t next_ = 0;                     // first piece not yet written
  engine::SeatCursor cursor_;                // SeatsAfter cursor within pieces_[next_]
  bool first_ = true;                        // JSON: no comma before the next element
  bool partial_ = false;                     // a reread cut the seat lists short
  std::vector<std::array<std::string, 8>> rows_;  // the text rows of the current block
};

void StatusStream::BuildText(const ServerFacts& facts, const std::string& feature) {
  const engine::SeatEngine& engine = engine_;
  Text(fmt::format("floatlmd {} on {}, up {}; {} lease{}, {} connection{} (times UTC)\n",
                   facts.version, facts.address, Uptime(facts.started, now_.wall),
                   engine.lease_count(), engine.lease_count() == 1 ? "" : "s", facts.clients,
                   facts.clients == 1 ? "" : "s"));
  // Group pools by feature, keeping cascading order within a feature.
  std::map<std::string, std::vector<std::size_t>> by_feature;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (Selected(pools_[i], feature)) by_feature[pools_[i].spec->feature].push_back(i);
  }
  if (by_feature.empty() && !feature.empty()) Text(fmt::format("\nNo license for feature '{}'.\n", feature));
  for (const auto& [name, list] : by_feature) {
    int total = 0, used = 0;
    bool uncounted = false, counted = false;
    for (const std::size_t i : list) {
      const auto* p = &pools_[i];
      total += p->total;
      used += p->in_use;
      uncounted = uncounted || p->spec->uncounted;
      counted = counted || !p->spec->uncounted;
    }
    if (uncounted && counted) {
      Text(fmt::format(
          "\nUsers of {}:  (Total of {} licenses issued plus uncounted lines;  Total of {} in use)\n",
          name, total, used));
    } else if (uncounted) {
      Text(fmt::format("\nUsers of {}:  (uncounted;  Total of {} in use)\n", name, used));
    } else {
      Text(fmt::format("\nUsers of {}:  (Total of {} licenses issued;  Total of {} in use)\n",
                       name, total, used));
    }
    for (const std::size_t i : list) {
      const auto* p = &pools_[i];
      const auto& s = *p->spec;
      const auto days = DaysLeft(s, now_.today);
      Text(fmt::format(
          "  pool {}  vendor {}  expires {}{}  {}  DUP_GROUP={}{}{}\n", engine::PoolLabel(s),
          s.vendor, engine::ExpiryText(s.LastExpiry()),
          days ? fmt::format(" ({} days left)", *days) : std::string(),
          s.uncounted ? fmt::format("uncounted, {} in use", p->in_use)
                      : fmt::format("{} of {} in use", p->in_use, p->total),
          s.dup_group.ToString(),
          s.user_based   ? "  USER_BASED"
          : s.host_based ? "  HOST_BASED"
                         : "",
          s.hostids.empty() ? std::string() : "  node-locked to HOSTID=" + s.HostIdText()));
      if (p->collection) {
        const auto& pkg = *p->collection;
        Text(fmt::format("    collection {}: products {}; {} per seat{}\n", pkg.name,
                         ComponentList(pkg), pkg.products_per_seat,
                         pkg.cloud.empty() ? std::string()
                                           : fmt::format("; cloud services {}", fmt::join(pkg.cloud, " "))));
        if (!pkg.cloud.empty()) {
          const auto slots = engine.CloudSlots(pkg.name);
          std::vector<std::string> users;
          for (const auto& slot : slots) users.push_back(slot.user);
          Text(fmt::format("    cloud-user slots: {} of {} used{}{}\n", slots.size(),
                           p->total * pkg.cloud_users_per_seat, users.empty() ? "" : ": ",
                           fmt::join(users, ", ")));
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
        Text(fmt::format("    named {}: {} of {}{}{}\n", s.user_based ? "users" : "hosts",
                         names.size(), limit, names.empty() ? "" : ": ", fmt::join(names, ", ")));
        if (!p->named_over_limit.empty()) {
          Text(fmt::format("    named past the limit of {} (not served): {}\n", limit,
                           fmt::join(p->named_over_limit, ", ")));
        }
      }
      for (const auto& r : p->reservations) {
        Text(fmt::format("    {} RESERVATION{} for {} {} ({}:{})\n", r.count,
                         r.count == 1 ? "" : "S", r.type, r.name, r.rule.file, r.rule.line));
      }
      // One aligned row per lease: who, lease, licensed version, how long, since when.
      Part(Piece::Kind::kSeatRows, i);
      for (std::size_t c = 0; c < p->cloud_leases.size(); ++c) Part(Piece::Kind::kCloudLease, i, c);
      pieces_.push_back({Piece::Kind::kEndRows});
      Part(Piece::Kind::kQueue, i);
    }
  }
  const auto& rejected = engine.model().rejected;
  if (!rejected.empty()) {
    std::string text = fmt::format("\nRejected license lines ({}):\n", rejected.size());
    for (const auto& r : rejected) text += "  " + r.ToString() + "\n";
    Text(std::move(text));
  }
}

void StatusStream::BuildJson(const ServerFacts& facts, const std::string& feature) {
  const engine::SeatEngine& engine = engine_;
  std::string out = "{\"schema\":\"floatlm.status/1\"";
  out += fmt::format(
      ",\"server\":{{\"version\":{},\"address\":{},\"started\":{},\"now\":{},"
      "\"leases\":{},\"connections\":{}}}",
      Json(facts.version), Json(facts.address), Json(engine::IsoTime(facts.started)),
      Json(engine::IsoTime(now_.wall)), engine.lease_count(), facts.clients);
  out += ",\"pools\":[";
  bool first_pool = true;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    const auto& p = pools_[i];
    if (!Selected(p, feature)) continue;
    const auto& s = *p.spec;
    const auto days = DaysLeft(s, now_.today);
    out += first_pool ? "" : ",";
    first_pool = false;
    out += fmt::format(
        "{{\"feature\":{},\"vendor\":{},\"version\":{},\"source\":{},\"expires\":{},"
        "\"days_left\":{},\"uncounted\":{},\"total\":{},\"in_use\":{},\"dup_group\":{},"
        "\"user_based\":{},\"hostid\":{},\"rank\":{},\"sort\":{},\"leases\":[",
        Json(s.feature), Json(s.vendor), Json(s.version.ToString()),
        Json(s.lines.empty() ? "" : s.lines.front().source.ToString()),
        Json(engine::ExpiryText(s.LastExpiry())), days ? std::to_string(*days) : "null",
        s.uncounted ? "true" : "false", p.total, p.in_use, Json(s.dup_group.ToString()),
        s.user_based ? "true" : "false",
        s.hostids.empty() ? std::string("null") : Json(s.HostIdText()), static_cast<int>(s.rank),
        s.sort);
    Text(std::move(out));
    out.clear();
    pieces_.push_back({Piece::Kind::kArray});
    Part(Piece::Kind::kSeatLeases, i);
    for (std::size_t c = 0; c < p.cloud_leases.size(); ++c) Part(Piece::Kind::kCloudLease, i, c);
    out += "],\"reservations\":[";
    for (std::size_t r = 0; r < p.reservations.size(); ++r) {
      const auto& res = p.reservations[r];
      out += fmt::format("{}{{\"count\":{},\"type\":{},\"name\":{},\"rule\":{}}}", r ? "," : "",
                         res.count, Json(res.type), Json(res.name), Json(res.rule.ToString()));
    }
    out += "],\"seats\":[";
    Text(std::move(out));
    out.clear();
    pieces_.push_back({Piece::Kind::kArray});
    Part(Piece::Kind::kSeatObjects, i);
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
    Text(std::move(out));
    out.clear();
    Part(Piece::Kind::kQueue, i);
    out += "]}";
  }
  out += "],\"rejected\":[";
  const auto& rejected = engine.model().rejected;
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    out += fmt::format("{}{{\"source\":{},\"reason\":{}}}", i ? "," : "",
                       Json(rejected[i].source.ToString()), Json(rejected[i].reason));
  }
  out += "]";  // kEnd closes the object
  Text(std::move(out));
}

}  // namespace

std::unique_ptr<ReplyStream> StreamStatus(const engine::SeatEngine& engine,
                                          const ServerFacts& facts, const std::string& feature,
                                          bool json, const engine::Now& now) {
  return std::make_unique<StatusStream>(engine, facts, feature, json, now);
}

std::string RenderStatusText(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now) {
  StatusStream stream(engine, facts, feature, false, now);
  return DrainStream(stream);
}

std::string RenderStatusJson(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now) {
  StatusStream stream(engine, facts, feature, true, now);
  return DrainStream(stream);
}

}  // namespace floatlm::server
