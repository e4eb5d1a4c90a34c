#include "service/state_recorder.h"

#include <algorithm>

#include <fmt/format.h>

#include "render/describe.h"

namespace floatlm::server {

store::UnixMillis ToUnixMillis(engine::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

engine::WallTime FromUnixMillis(store::UnixMillis ms) {
  return engine::WallTime(std::chrono::duration_cast<engine::WallTime::duration>(
      std::chrono::milliseconds(ms)));
}

namespace {

// A journal entry about a user and a feature, not about a lease.
store::JournalEntry Plain(store::JournalEvent event, const std::string& user,
                          const std::string& feature, engine::WallTime now) {
  store::JournalEntry e;
  e.time = ToUnixMillis(now);
  e.event = event;
  e.user = user;
  e.feature = feature;
  return e;
}

}  // namespace

store::LeaseRecord StateRecorder::Record(const engine::LeaseView& lease) const {
  store::LeaseRecord r;
  r.id = lease.id;
  r.token_digest = lease.token_digest;
  if (const auto* pool = PoolOf(engine_, lease.pool)) r.pool_key = pool->Key();
  r.feature = lease.feature;
  r.version = lease.version.ToString();
  r.user = lease.who.user;
  r.host = lease.who.host;
  r.display = lease.who.display;
  r.peer = lease.who.peer;
  r.since = ToUnixMillis(lease.since);
  r.seat = lease.seat;
  r.shared = lease.shared;
  if (lease.dup_group) r.dup_group = lease.dup_group->ToString();
  r.seats = lease.seats;
  return r;
}

store::JournalEntry StateRecorder::Entry(store::JournalEvent event, const engine::LeaseView& lease,
                                         engine::WallTime now) const {
  store::JournalEntry e;
  e.time = ToUnixMillis(now);
  e.event = event;
  e.user = lease.who.user;
  e.host = lease.who.host;
  e.display = lease.who.display;
  e.peer = lease.who.peer;
  e.feature = lease.feature;
  e.version = lease.version.ToString();
  if (const auto* pool = PoolOf(engine_, lease.pool)) e.pool = pool->Key();
  e.lease_id = lease.id;
  e.seats = lease.seats;
  return e;
}

void StateRecorder::Granted(const engine::LeaseView& lease, const ClientContext* ctx,
                            engine::WallTime now) {
  auto record = Record(lease);
  if (ctx) {
    record.client_pid = static_cast<std::int64_t>(ctx->pid);
    record.app = ctx->app;
  }
  batch_.upsert_leases.push_back(std::move(record));
  if (lease.id > reserved_ids_) {
    reserved_ids_ = lease.id + kIdBlock;
    batch_.highest_lease_id = std::max(batch_.highest_lease_id, reserved_ids_);
  }
  auto entry = Entry(store::JournalEvent::kCheckout, lease, now);
  if (lease.shared) entry.detail = "shares a seat";
  if (const auto* pool = PoolOf(engine_, lease.pool); pool && !pool->hostids.empty()) {
    // Which of the client's ids opened the node-locked line, for the record.
    std::string matched = "its address " + lease.who.peer;
    if (lease.who.host_ids) {
      for (const licenses::HostId& id : *lease.who.host_ids) {
        if (pool->AdmitsHost({id}, "")) {
          matched = id.ToString();
          break;
        }
      }
    }
    entry.detail += fmt::format("{}node-locked to HOSTID={}, matched {}",
                                entry.detail.empty() ? "" : "; ", pool->HostIdText(), matched);
  }
  batch_.journal.push_back(std::move(entry));
}

void StateRecorder::Updated(const engine::LeaseView& lease, store::JournalEvent why,
                            std::string detail, engine::WallTime now) {
  batch_.upsert_leases.push_back(Record(lease));
  auto entry = Entry(why, lease, now);
  entry.detail = std::move(detail);
  batch_.journal.push_back(std::move(entry));
}

void StateRecorder::CheckedIn(const engine::LeaseView& lease, engine::WallTime now) {
  batch_.delete_leases.push_back(lease.id);
  batch_.journal.push_back(Entry(store::JournalEvent::kCheckin, lease, now));
}

void StateRecorder::Ended(const engine::LeaseView& lease, Errc reason, const std::string& message,
                          engine::WallTime now) {
  batch_.delete_leases.push_back(lease.id);
  store::JournalEvent event = store::JournalEvent::kRemoval;
  if (reason == Errc::kLeaseTimedOut) event = store::JournalEvent::kTimeout;
  if (reason == Errc::kLeaseExpired) event = store::JournalEvent::kExpired;
  auto entry = Entry(event, lease, now);
  entry.reason = std::string(ErrcName(reason));
  entry.detail = message;
  batch_.journal.push_back(std::move(entry));
}

void StateRecorder::Denied(const engine::Identity& who, const std::string& feature,
                           const std::string& version, Errc reason, const std::string& message,
                           engine::WallTime now, std::uint32_t count) {
  store::JournalEntry e = Plain(store::JournalEvent::kDenial, who.user, feature, now);
  e.host = who.host;
  e.display = who.display;
  e.peer = who.peer;
  e.version = version;
  e.reason = std::string(ErrcName(reason));
  e.detail = message;
  e.count = count;
  batch_.journal.push_back(std::move(e));
}

void StateRecorder::CloudSlotGranted(const std::string& collection, const engine::LeaseView& lease,
                                     engine::WallTime now) {
  batch_.add_slots.push_back(
      store::CloudSlot{collection, lease.who.user, ToUnixMillis(now), ToUnixMillis(now)});
  auto entry = Entry(store::JournalEvent::kCloudGrant, lease, now);
  entry.detail = "cloud-user slot of " + collection;
  batch_.journal.push_back(std::move(entry));
}

void StateRecorder::CloudSlotReleased(const std::string& collection, const std::string& user,
                                      engine::WallTime now, std::string detail) {
  batch_.remove_slots.push_back(store::CloudSlot{collection, user, 0});
  auto entry = Plain(store::JournalEvent::kCloudRelease, user, collection, now);
  entry.detail = std::move(detail);
  batch_.journal.push_back(std::move(entry));
}

void StateRecorder::CloudSlotUsed(const engine::CloudSlotView& slot) {
  batch_.add_slots.push_back(store::CloudSlot{slot.collection, slot.user, ToUnixMillis(slot.since),
                                              ToUnixMillis(slot.last_used)});
}

void StateRecorder::Assigned(const std::string& feature, const std::string& user,
                             engine::WallTime now) {
  batch_.add_assignments.push_back(store::Assignment{feature, user, ToUnixMillis(now)});
  batch_.journal.push_back(Plain(store::JournalEvent::kAssign, user, feature, now));
}

void StateRecorder::Unassigned(const std::string& feature, const std::string& user,
                               engine::WallTime now) {
  batch_.remove_assignments.push_back(store::Assignment{feature, user, 0});
  batch_.journal.push_back(Plain(store::JournalEvent::kUnassign, user, feature, now));
}

void StateRecorder::Server(store::JournalEvent event, std::string detail, engine::WallTime now) {
  store::JournalEntry e = Plain(event, {}, {}, now);
  e.detail = std::move(detail);
  batch_.journal.push_back(std::move(e));
}

}  // namespace floatlm::server
