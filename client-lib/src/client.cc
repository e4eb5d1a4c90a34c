#include "client.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <random>
#include <variant>

#include <fmt/format.h>

#include "denial_text.h"
#include "floatlm/licenses/dates.h"
#include "floatlm/licenses/host_ids.h"
#include "floatlm/licenses/text_file.h"
#include "local_licenses.h"

namespace floatlm::client {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kDefaultHeartbeat{30'000};
constexpr milliseconds kMinHeartbeat{50};
constexpr milliseconds kDefaultTtl{120'000};
constexpr milliseconds kMaxConnectTimeout{3'000};

std::string CodeText(Errc code, const std::string& message) {
  if (!message.empty()) return message;
  return std::string(ErrcName(code));
}

std::string ProgramName() {
  // glibc keeps the basename of argv[0] for us; no need to ask the application.
  const char* name = program_invocation_short_name;
  return name != nullptr && *name != '\0' ? name : "unknown";
}

template <class T>
const T* As(const proto::Message& m) {
  return std::get_if<T>(&m);
}

}  // namespace

Client::Client(ClientConfig config) : config_(std::move(config)) {
  for (const auto& [vendor, key] : config_.vendor_keys) trust_.AddKey(vendor, key);
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
}

Client::~Client() {
  {
    MutexLock lk(mu_);
    stop_ = true;
    state_ = State::kClosed;
    if (conn_) conn_->Shutdown();
  }
  cv_.NotifyAll();
  Wake();
  if (io_thread_.joinable()) io_thread_.join();
  if (reacquire_thread_.joinable()) reacquire_thread_.join();
  for (int fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

Errc Client::Fail(Errc code, std::string message) {
  MutexLock lk(mu_);
  last_error_ = std::move(message);
  return code;
}

Errc Client::FailConnect(Errc code, std::string message) {
  MutexLock lk(mu_);
  connect_error_ = message;
  last_error_ = std::move(message);
  if (state_ == State::kConnecting) state_ = State::kIdle;
  return code;
}

std::string Client::last_error() {
  MutexLock lk(mu_);
  return last_error_;
}

bool Client::connected() {
  MutexLock lk(mu_);
  return state_ == State::kConnected;
}

std::uint32_t Client::NextRequestId() {
  std::uint32_t id = next_request_id_.fetch_add(1);
  if (id == 0) id = next_request_id_.fetch_add(1);  // 0 marks unsolicited messages
  return id;
}

void Client::Wake() {
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_pipe_[1], &byte, 1);
  }
}

// ---- connecting ----

bool Client::Exchange(Connection& conn, const proto::Message& request, proto::Message* reply,
                      std::string* error) {
  const std::uint32_t id = NextRequestId();
  if (!conn.Send(id, request, error)) return false;
  const auto deadline = Clock::now() + config_.request_timeout;
  for (;;) {
    proto::Decoded d;
    bool timed_out = false;
    if (!conn.WaitFrame(deadline, &d, &timed_out, error)) return false;
    // Before leases are attached to this connection nothing else concerns us.
    if (d.request_id == id) {
      *reply = std::move(d.msg);
      return true;
    }
  }
}

std::shared_ptr<Connection> Client::OpenAndHello(proto::HelloOk* hello, std::string* error) {
  const auto connect_timeout = std::min(milliseconds(config_.request_timeout), kMaxConnectTimeout);
  std::string reasons;
  for (const Endpoint& ep : endpoints_) {
    std::string why;
    std::shared_ptr<Connection> conn = Connection::Open(ep, connect_timeout, tls_.get(), &why);
    if (conn) {
      proto::Message reply;
      if (Exchange(*conn, hello_, &reply, &why)) {
        if (const auto* ok = As<proto::HelloOk>(reply)) {
          *hello = *ok;
          return conn;
        }
        if (const auto* err = As<proto::Error>(reply)) {
          why = ep.ToString() + ": " + CodeText(err->code, err->message);
        } else {
          why = ep.ToString() + ": unexpected reply to HELLO";
        }
      } else {
        why = ep.ToString() + ": " + why;
      }
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += why;
  }
  *error = reasons;
  return nullptr;
}

Errc Client::Connect() {
  if (OnIoThread())
    return Fail(Errc::kBadArgument, "floatlm_client_connect called from a callback");
  {
    // Claimed here, so that only this call writes what Connect() sets up.
    MutexLock lk(mu_);
    if (state_ != State::kIdle) {
      last_error_ = state_ == State::kConnecting ? "the client is already connecting"
                                                 : "the client is already connected or closed";
      return Errc::kBadArgument;
    }
    state_ = State::kConnecting;
  }
  std::string error;
  std::string list = config_.servers;
  if (list.empty()) {
    list = ServersFromEnvironment(&error);
    if (list.empty()) return FailConnect(Errc::kBadArgument, error);
  }
  auto sources = ParseServerSources(list, &error);
  if (!sources) return FailConnect(Errc::kBadArgument, error);
  endpoints_ = std::move(sources->endpoints);
  local_pools_.clear();
  if (!sources->files.empty()) {
    LocalLicenses local;
    if (!ReadLicenseFiles(sources->files, &local, &error)) {
      return FailConnect(Errc::kBadArgument, error);
    }
    for (Endpoint& ep : local.servers) {
      if (std::find(endpoints_.begin(), endpoints_.end(), ep) == endpoints_.end()) {
        endpoints_.push_back(std::move(ep));
      }
    }
    local_pools_ = std::move(local.pools);
    SetUpLocalTrust(local.vendors);
  }
  if (endpoints_.empty() && local_pools_.empty()) {
    return FailConnect(Errc::kBadArgument, "the license files in the server list (" + list +
                                               ") name no SERVER and no node-locked line");
  }
  // The CA file is read once: reconnects trust what the first connect trusted.
  if (std::any_of(endpoints_.begin(), endpoints_.end(), [](const Endpoint& e) { return e.tls; })) {
    tls_ = TlsContext::Create(config_.tls_ca, &error);
    if (!tls_) return FailConnect(Errc::kConnectFailed, "cannot set up TLS: " + error);
  }

  const Identity id = DetectIdentity(config_.identity);
  hello_ = proto::Hello{};
  hello_.user = id.user;
  hello_.host = id.host;
  hello_.display = id.display;
  hello_.pid = static_cast<std::uint64_t>(::getpid());
  hello_.app = config_.app.empty() ? ProgramName() : config_.app;
  hello_.client_version = "libfloatlm " FLOATLM_CLIENT_VERSION;
  hello_.want_license_lines = !config_.vendor_keys.empty();
  // The vendor's ids first (its lines are locked to them), then the machine's; read once
  // here for HELLO and for the license files' node-locked lines. The daemon reads 32.
  host_ids_.clear();
  for (const std::string& extra : config_.extra_host_ids) {
    if (auto parsed = licenses::HostId::Parse(extra)) host_ids_.push_back(*parsed);
  }
  for (licenses::HostId& own : licenses::ThisHost().List()) host_ids_.push_back(std::move(own));
  constexpr std::size_t kMaxHostIds = 32;
  for (std::size_t i = 0; i < host_ids_.size() && i < kMaxHostIds; ++i) {
    hello_.host_ids.push_back(host_ids_[i].ToString());
  }

  proto::HelloOk hello_ok;
  std::shared_ptr<Connection> conn;
  if (!endpoints_.empty()) conn = OpenAndHello(&hello_ok, &error);
  if (!conn && !local_pools_.empty()) {
    // Node-locked lines need no server: serve them, and say why nothing else is served.
    MutexLock lk(mu_);
    connect_error_ = endpoints_.empty()
                         ? std::string("no license server is listed, only license files")
                         : "cannot reach a license server: " + error;
    state_ = State::kLocal;
    serves_local_lines_.store(true, std::memory_order_release);
    return Errc::kOk;
  }
  if (!conn) return FailConnect(Errc::kConnectFailed, "cannot reach a license server: " + error);
  {
    MutexLock lk(mu_);
    conn_ = std::move(conn);
    hello_ok_ = hello_ok;
    state_ = State::kConnected;
    serves_local_lines_.store(!local_pools_.empty(), std::memory_order_release);
  }
  io_thread_ = std::thread([this] { Run(); });
  if (config_.reacquire) reacquire_thread_ = std::thread([this] { ReacquireLoop(); });
  return Errc::kOk;
}

std::string Client::ServersFromEnvironment(std::string* error) const {
  std::string consulted;
  const auto get = [&](const std::string& name) -> std::string {
    consulted += (consulted.empty() ? "" : ", ") + name;
    const char* value = std::getenv(name.c_str());
    return value != nullptr ? value : "";
  };
  if (!config_.license_variable.empty()) {
    if (std::string v = get(config_.license_variable); !v.empty()) return v;
  }
  if (std::string v = get("FLOATLM_LICENSE"); !v.empty()) return v;
  // LM_LICENSE_FILE may also name license files, which this library does not read:
  // its port@host entries count, the rest are passed over.
  std::string kept;
  const std::string lm = get("LM_LICENSE_FILE");
  std::size_t start = 0;
  while (start < lm.size()) {
    std::size_t end = lm.find_first_of(":;", start);
    if (end == std::string::npos) end = lm.size();
    const std::string entry = lm.substr(start, end - start);
    if (entry.find('@') != std::string::npos && entry.find('/') == std::string::npos) {
      kept += (kept.empty() ? "" : ":") + entry;
    }
    start = end + 1;
  }
  if (!kept.empty()) return kept;
  *error = "no license server given: the application set no server list and " + consulted +
           " name none (set one to port@host, e.g. 27000@licsrv)";
  return "";
}

// ---- requests ----

std::string Client::NotConnectedReason() const {
  switch (state_) {
    case State::kReconnecting:
      return "not connected to a license server (reconnecting): " + last_error_;
    case State::kConnecting:
      return "the client is not connected yet (another call is connecting it)";
    default:
      return connect_error_.empty() ? std::string("the client is not connected")
                                    : "the client is not connected (" + connect_error_ + ")";
  }
}

Errc Client::Transact(const proto::Message& request, Clock::time_point deadline,
                      bool abandon_grants, const ReplyFn& on_reply) {
  MutexLock lk(mu_);
  // A reconnect in progress usually completes quickly: wait for it, within bounds.
  const auto connect_deadline = std::min(deadline, Clock::now() + config_.request_timeout);
  while (state_ == State::kReconnecting && cv_.WaitUntil(mu_, connect_deadline)) {
  }
  if (state_ != State::kConnected) {
    last_error_ = NotConnectedReason();
    return Errc::kDisconnected;
  }
  Pending pending;
  const std::uint32_t id = NextRequestId();
  pending_[id] = &pending;
  std::shared_ptr<Connection> conn = conn_;
  lk.Unlock();

  std::string error;
  bool sent;
  {
    MutexLock wlk(write_mu_);
    sent = conn->Send(id, request, &error);
  }
  lk.Lock();
  if (!sent) {
    pending_.erase(id);
    last_error_ = "lost the connection to the server: " + error;
    conn->Shutdown();  // the I/O thread notices and reconnects
    return Errc::kDisconnected;
  }
  const auto answered = [&pending] { return !pending.inbox.empty() || pending.failed; };
  for (;;) {
    while (!answered() && cv_.WaitUntil(mu_, deadline)) {
    }
    if (!answered()) {
      pending_.erase(id);
      if (abandon_grants) abandoned_.insert(id);
      last_error_ = "no answer from the license server within " +
                    std::to_string(
                        std::chrono::duration_cast<milliseconds>(config_.request_timeout).count()) +
                    " ms";
      return Errc::kTimedOut;
    }
    if (!pending.inbox.empty()) {
      proto::Message msg = std::move(pending.inbox.front());
      pending.inbox.erase(pending.inbox.begin());
      lk.Unlock();
      const bool final = on_reply(msg);
      lk.Lock();
      if (final) {
        pending_.erase(id);
        return Errc::kOk;
      }
      continue;
    }
    pending_.erase(id);
    last_error_ = pending.message;
    return pending.code;
  }
}

namespace {

// Expiry is a calendar day, read on this computer's calendar.
licenses::Date LocalToday() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return licenses::Date{std::chrono::year(tm.tm_year + 1900),
                        std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                        std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
}

}  // namespace

void Client::SetUpLocalTrust(const std::vector<std::string>& vendors) {
  MutexLock lk(trust_mu_);
  for (const std::string& vendor : vendors) {
    const auto embedded = std::find_if(config_.vendor_keys.begin(), config_.vendor_keys.end(),
                                       [&](const auto& entry) { return entry.first == vendor; });
    if (embedded != config_.vendor_keys.end()) {
      local_trust_.AddKey(vendor, embedded->second);
      continue;
    }
    if (config_.vendor_key_dir.empty()) {
      local_trust_problem_ = "the application gave no key for vendor " + vendor +
                             " (floatlm_options_add_vendor_key or a key directory)";
      continue;
    }
    const std::string path = config_.vendor_key_dir + "/" + vendor + ".pub";
    auto pem = licenses::ReadTextFile(path);
    auto key = pem ? licenses::PublicKey::FromPem(pem.value())
                   : licenses::Result<licenses::PublicKey>(pem.error());
    if (!key) {
      local_trust_problem_ = "no key for vendor " + vendor + ": " + key.error().message;
      continue;
    }
    local_trust_.AddKey(vendor, std::move(key).value());
  }
}

proto::Checkout Client::CheckoutRequest(const std::string& feature, const std::string& version,
                                        std::uint64_t wait_ms, std::uint32_t seats) const {
  // COUNT is left out for one seat, so a daemon from before it reads the same frame.
  return proto::Checkout{feature, version, wait_ms, config_.dup_group, seats == 1 ? 0 : seats};
}

std::optional<Errc> Client::CheckoutLocal(const std::string& feature, const std::string& version,
                                          std::uint32_t seats, std::uint64_t* lease,
                                          std::string* refusal) {
  std::vector<const licenses::Pool*> named;
  for (const licenses::Pool& pool : local_pools_) {
    if (pool.feature == feature) named.push_back(&pool);
  }
  if (named.empty()) return std::nullopt;
  std::optional<licenses::Version> wanted;
  if (!version.empty()) wanted = licenses::Version::Parse(version);
  const licenses::Date today = LocalToday();
  std::string reasons;
  for (const licenses::Pool* pool : named) {
    const std::string where = pool->lines.front().source.ToString();
    std::string why;
    if (!pool->AdmitsHost(host_ids_, "")) {
      why = "locked to HOSTID=" + pool->HostIdText() + ", not this computer";
    } else {
      std::vector<std::string> evidence;
      for (const licenses::PoolLine& line : pool->lines) evidence.push_back(line.evidence);
      MutexLock lk(trust_mu_);
      if (local_trust_.empty()) {
        why = local_trust_problem_.empty() ? "no key to check its signature" : local_trust_problem_;
      } else if (auto bad = local_trust_.Check(evidence, 0, feature, wanted, today)) {
        why = *bad;
      }
    }
    if (!why.empty()) {
      reasons += (reasons.empty() ? "" : "; ") + where + ": " + why;
      continue;
    }
    MutexLock lk(mu_);
    const std::uint64_t handle = next_lease_++;
    LeaseView& view = local_leases_[handle];
    view.held = true;
    view.seats = seats;  // a node-locked uncounted line serves this computer without a count
    view.feature = feature;
    view.version = pool->version.ToString();
    view.pool = fmt::format("{} {} ({}, node-locked, served by this computer)", pool->feature,
                            pool->version.ToString(), where);
    const auto last = pool->LastExpiry();
    view.expiry = last ? licenses::FormatLicenseDate(*last) : std::string("permanent");
    *lease = handle;
    return Errc::kOk;
  }
  *refusal = "'" + feature + "': the node-locked lines of the license files do not serve it (" +
             reasons + ")";
  return Errc::kWrongHost;
}

Errc Client::Checkout(const std::string& feature, const std::string& version,
                      std::uint32_t wait_seconds, std::uint64_t* lease, std::uint32_t seats) {
  if (OnIoThread())
    return Fail(Errc::kBadArgument, "floatlm_client_checkout called from a callback");
  if (feature.empty() || feature.size() > proto::kMaxName || version.size() > proto::kMaxName) {
    return Fail(Errc::kBadArgument, "the feature name must have 1 to 256 bytes");
  }
  if (seats == 0 || seats > proto::kMaxSeatsPerCheckout) {
    return Fail(Errc::kBadArgument, fmt::format("a checkout takes 1 to {} seats, not {}",
                                                proto::kMaxSeatsPerCheckout, seats));
  }
  // Before Connect() has published them local_pools_ is not to be read; Transact() then
  // says why the client is not connected.
  if (serves_local_lines_.load(std::memory_order_acquire)) {
    std::string refusal;
    if (auto local = CheckoutLocal(feature, version, seats, lease, &refusal)) {
      if (*local == Errc::kOk) return Errc::kOk;
      // Not served here: a server may still have a seat; without one, this is the answer.
      bool local_only;
      {
        MutexLock lk(mu_);
        local_only = state_ == State::kLocal;
      }
      if (local_only) {
        return Fail(*local, config_.short_denials ? ShortDenial(*local, feature, version)
                                                  : refusal);
      }
    }
  }
  const proto::Checkout req =
      CheckoutRequest(feature, version, std::uint64_t{wait_seconds} * 1000, seats);
  const auto deadline = Clock::now() + std::chrono::seconds(wait_seconds) + config_.request_timeout;
  Errc result = Errc::kOk;
  std::string message;
  proto::Granted grant;
  const Errc rc = Transact(req, deadline, true, [&](proto::Message& m) {
    if (const auto* q = As<proto::Queued>(m)) {
      {
        MutexLock lk(mu_);
        last_error_ = "queued for " + feature + ": position " + std::to_string(q->position);
      }
      if (config_.on_queue) config_.on_queue(feature, q->position);
      return false;
    }
    if (auto* g = std::get_if<proto::Granted>(&m)) {
      grant = std::move(*g);
    } else if (const auto* d = As<proto::Denied>(m)) {
      result = d->code == Errc::kOk ? Errc::kInternal : d->code;
      message = config_.short_denials ? ShortDenial(result, feature, version)
                                      : CodeText(d->code, d->message);
    } else if (const auto* e = As<proto::Error>(m)) {
      result = e->code == Errc::kOk ? Errc::kInternal : e->code;
      message = CodeText(e->code, e->message);
    } else {
      result = Errc::kInternal;
      message = "unexpected reply to CHECKOUT";
    }
    return true;
  });
  if (rc != Errc::kOk) return rc;
  if (result != Errc::kOk) return Fail(result, message);
  if (auto problem = Unusable(grant, feature, version, seats)) {
    // The application must not run on this seat: hand it back before saying why.
    Transact(proto::Checkin{grant.lease}, Clock::now() + config_.request_timeout, false,
             [](proto::Message&) { return true; });
    return Fail(problem->code, config_.short_denials && problem->code == Errc::kUntrustedLicense
                                   ? ShortDenial(problem->code, feature, version)
                                   : problem->message);
  }
  MutexLock lk(mu_);
  const std::uint64_t handle = next_lease_++;
  LeaseRec& rec = leases_[handle];
  rec.server_id = grant.lease;
  rec.token = grant.token;
  rec.feature = feature;
  rec.version_req = version;
  rec.seats = seats;
  rec.grant = std::move(grant);
  *lease = handle;
  return Errc::kOk;
}

Errc Client::Checkin(std::uint64_t lease) {
  if (OnIoThread())
    return Fail(Errc::kBadArgument, "floatlm_client_checkin called from a callback");
  std::uint64_t server_id = 0;
  {
    MutexLock lk(mu_);
    if (local_leases_.erase(lease) != 0) return Errc::kOk;  // served here: nothing to tell
    auto it = leases_.find(lease);
    if (it == leases_.end()) {
      last_error_ = "no lease " + std::to_string(lease) + " is held by this client";
      return Errc::kNoSuchLease;
    }
    const bool held = it->second.state == LeaseRec::State::kHeld;
    server_id = it->second.server_id;
    leases_.erase(it);
    if (!held) return Errc::kOk;  // the server already ended it
    if (state_ != State::kConnected) {
      last_error_ = "not connected: the server frees lease " + std::to_string(server_id) +
                    " when its reattach window ends";
      return Errc::kDisconnected;
    }
  }
  Errc result = Errc::kOk;
  std::string message;
  const Errc rc = Transact(proto::Checkin{server_id}, Clock::now() + config_.request_timeout, false,
                           [&](proto::Message& m) {
                             if (const auto* e = As<proto::Error>(m)) {
                               result = e->code;
                               message = CodeText(e->code, e->message);
                             }
                             return true;
                           });
  if (rc != Errc::kOk) return rc;
  // The seat is free either way when the server says it does not know the lease.
  if (result == Errc::kNoSuchLease || result == Errc::kOk) return Errc::kOk;
  return Fail(result, message);
}

Errc Client::Lease(std::uint64_t lease, LeaseView* out) {
  MutexLock lk(mu_);
  if (auto local = local_leases_.find(lease); local != local_leases_.end()) {
    *out = local->second;
    return Errc::kOk;
  }
  auto it = leases_.find(lease);
  if (it == leases_.end()) {
    last_error_ = "no lease " + std::to_string(lease) + " is held by this client";
    return Errc::kNoSuchLease;
  }
  const LeaseRec& rec = it->second;
  out->server_lease = rec.server_id;
  out->held = rec.state == LeaseRec::State::kHeld;
  out->shared = rec.grant.shared;
  out->seats = rec.seats;
  out->feature = rec.grant.feature.empty() ? rec.feature : rec.grant.feature;
  out->version = rec.grant.version;
  out->pool = rec.grant.pool;
  out->expiry = rec.grant.license_expiry;
  return Errc::kOk;
}

Errc Client::Status(const std::string& feature, bool json, std::string* out) {
  if (OnIoThread()) return Fail(Errc::kBadArgument, "floatlm_client_status called from a callback");
  return Report(proto::Status{feature, json ? 1u : 0u}, "STATUS", out);
}

Errc Client::Diag(const std::string& feature, const std::string& version, bool json,
                  std::string* out) {
  if (OnIoThread()) return Fail(Errc::kBadArgument, "floatlm_client_diag called from a callback");
  if (feature.empty()) return Fail(Errc::kBadArgument, "diag needs a feature name");
  return Report(proto::Diag{feature, version, json ? 1u : 0u}, "DIAG", out);
}

Errc Client::Report(proto::Message request, const char* what, std::string* out) {
  std::string body;
  Errc result = Errc::kOk;
  std::string message;
  const Errc rc = Transact(request, Clock::now() + config_.request_timeout, false,
                           [&](proto::Message& m) {
                             if (const auto* c = As<proto::StatusChunk>(m)) {
                               body += c->body;
                               return c->last;
                             }
                             if (const auto* e = As<proto::Error>(m)) {
                               result = e->code == Errc::kOk ? Errc::kInternal : e->code;
                               message = CodeText(e->code, e->message);
                             } else {
                               result = Errc::kInternal;
                               message = std::string("unexpected reply to ") + what;
                             }
                             return true;
                           });
  if (rc != Errc::kOk) return rc;
  if (result != Errc::kOk) return Fail(result, message);
  *out = std::move(body);
  return Errc::kOk;
}

Errc Client::Close() {
  if (OnIoThread()) return Fail(Errc::kBadArgument, "floatlm_client_close called from a callback");
  std::vector<std::uint64_t> handles;
  bool connected_now;
  {
    MutexLock lk(mu_);
    for (const auto& [handle, rec] : leases_) handles.push_back(handle);
    connected_now = state_ == State::kConnected;
  }
  Errc first = Errc::kOk;
  std::string first_message;
  if (connected_now) {
    for (std::uint64_t handle : handles) {
      const Errc rc = Checkin(handle);
      if (rc != Errc::kOk && first == Errc::kOk) {
        first = rc;
        first_message = last_error();
      }
    }
  } else if (!handles.empty()) {
    first = Errc::kDisconnected;
    first_message = "not connected: the server frees the leases when their reattach window ends";
  }
  {
    MutexLock lk(mu_);
    leases_.clear();
    local_leases_.clear();
    stop_ = true;
    state_ = State::kClosed;
    if (conn_) conn_->Shutdown();
    if (first != Errc::kOk) last_error_ = first_message;
  }
  cv_.NotifyAll();
  Wake();
  if (io_thread_.joinable()) io_thread_.join();
  if (reacquire_thread_.joinable()) reacquire_thread_.join();
  return first;
}

// ---- I/O thread ----

void Client::Run() {
  io_thread_id_ = std::this_thread::get_id();
  for (;;) {
    std::shared_ptr<Connection> conn;
    {
      MutexLock lk(mu_);
      if (stop_) return;
      conn = conn_;
    }
    const std::string why = Serve(conn);
    {
      MutexLock lk(mu_);
      if (stop_) return;
    }
    OnDisconnected(why);
    ReconnectUntilDone();
  }
}

std::string Client::Serve(const std::shared_ptr<Connection>& conn) {
  milliseconds interval;
  {
    MutexLock lk(mu_);
    interval =
        hello_ok_.heartbeat_ms > 0 ? milliseconds(hello_ok_.heartbeat_ms) : kDefaultHeartbeat;
  }
  interval = std::max(interval, kMinHeartbeat);
  auto next_heartbeat = Clock::now() + interval;
  std::uint32_t heartbeat_id = 0;  // outstanding heartbeat, 0 = none
  Clock::time_point heartbeat_sent;
  for (;;) {
    {
      MutexLock lk(mu_);
      if (stop_) return "closing";
    }
    auto wake_at = next_heartbeat;
    if (heartbeat_id != 0) wake_at = std::min(wake_at, heartbeat_sent + config_.request_timeout);
    const auto wait = std::chrono::duration_cast<milliseconds>(wake_at - Clock::now()).count();
    pollfd fds[2] = {{conn->fd(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    // Bytes TLS has already taken off the socket would not wake poll().
    const bool buffered = conn->HasBuffered();
    const int rc = ::poll(fds, wake_pipe_[0] >= 0 ? 2 : 1,
                          buffered ? 0 : static_cast<int>(std::clamp<long long>(wait, 0, 1000)));
    if (rc < 0 && errno != EINTR) return "poll failed";
    if (rc > 0 && (fds[1].revents & POLLIN) != 0) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof(drain)) > 0) {
      }
    }
    if ((rc > 0 && fds[0].revents != 0) || buffered) {
      std::string error;
      if (!conn->ReadAvailable(&error)) return error;
      std::vector<Event> events;
      for (;;) {
        proto::Decoded d;
        const auto next = conn->PopFrame(&d, &error);
        if (next == Connection::Next::kNone) break;
        if (next == Connection::Next::kBad) return error;
        if (next == Connection::Next::kFrame) Dispatch(std::move(d), &heartbeat_id, &events);
      }
      Fire(events);
    }
    const auto now = Clock::now();
    if (heartbeat_id != 0 && now - heartbeat_sent >= config_.request_timeout) {
      return "the server did not answer a heartbeat";
    }
    if (now >= next_heartbeat) {
      next_heartbeat = now + interval;
      if (heartbeat_id == 0) {
        heartbeat_id = NextRequestId();
        heartbeat_sent = now;
        std::string error;
        MutexLock wlk(write_mu_);
        if (!conn->Send(heartbeat_id, proto::Heartbeat{}, &error)) return error;
      }
    }
  }
}

void Client::Dispatch(proto::Decoded d, std::uint32_t* heartbeat_id, std::vector<Event>* events) {
  if (d.request_id != 0 && d.request_id == *heartbeat_id) {
    *heartbeat_id = 0;
    return;
  }
  MutexLock lk(mu_);
  if (d.request_id == 0) {
    if (const auto* lost = As<proto::LeaseLost>(d.msg)) {
      for (auto& [handle, rec] : leases_) {
        if (rec.server_id == lost->lease && rec.state != LeaseRec::State::kLost) {
          rec.state = LeaseRec::State::kLost;
          events->push_back(
              {handle, LeaseEvent::kLost, lost->code, CodeText(lost->code, lost->message)});
        }
      }
      if (config_.reacquire) cv_.NotifyAll();  // the reacquire thread has work
    } else if (const auto* down = As<proto::Shutdown>(d.msg)) {
      last_error_ = "the license server is shutting down: " + down->message;
    }
    return;
  }
  if (auto it = pending_.find(d.request_id); it != pending_.end()) {
    it->second->inbox.push_back(std::move(d.msg));
    lk.Unlock();
    cv_.NotifyAll();
    return;
  }
  // A grant for a checkout whose caller gave up waiting: give the seat back.
  if (abandoned_.count(d.request_id) != 0) {
    if (const auto* g = As<proto::Granted>(d.msg)) {
      abandoned_.erase(d.request_id);
      std::shared_ptr<Connection> conn = conn_;
      lk.Unlock();
      std::string error;
      MutexLock wlk(write_mu_);
      if (conn) conn->Send(NextRequestId(), proto::Checkin{g->lease}, &error);
    } else if (!As<proto::Queued>(d.msg)) {
      abandoned_.erase(d.request_id);
    }
  }
}

void Client::OnDisconnected(const std::string& why) {
  {
    MutexLock lk(mu_);
    if (conn_) conn_->Shutdown();
    conn_.reset();
    state_ = State::kReconnecting;
    disconnected_since_ = Clock::now();
    last_error_ = "lost the connection to the license server: " + why;
    for (auto& [id, pending] : pending_) {
      pending->failed = true;
      pending->code = Errc::kDisconnected;
      pending->message = last_error_;
    }
    abandoned_.clear();
  }
  cv_.NotifyAll();
}

void Client::ReconnectUntilDone() {
  std::minstd_rand rng(std::random_device{}());
  milliseconds delay = config_.backoff_initial;
  for (;;) {
    // Jitter spreads the reconnects of many clients after a daemon restart.
    std::uniform_int_distribution<long long> jitter(delay.count() / 2, delay.count());
    const milliseconds sleep(jitter(rng));
    {
      MutexLock lk(mu_);
      const auto until = Clock::now() + sleep;
      while (!stop_ && cv_.WaitUntil(mu_, until)) {
      }
      if (stop_) return;
    }
    std::string error;
    proto::HelloOk hello;
    auto conn = OpenAndHello(&hello, &error);
    if (conn && Reattach(conn, hello, &error)) return;
    std::vector<Event> events;
    {
      MutexLock lk(mu_);
      if (stop_) return;
      last_error_ = "reconnecting to the license server: " + error;
      // Past the TTL the server has certainly ended the leases: tell the application.
      const milliseconds ttl = hello_ok_.ttl_ms > 0 ? milliseconds(hello_ok_.ttl_ms) : kDefaultTtl;
      if (Clock::now() - disconnected_since_ >= ttl) {
        for (auto& [handle, rec] : leases_) {
          if (rec.state == LeaseRec::State::kHeld) {
            rec.state = LeaseRec::State::kLostDisconnected;
            events.push_back({handle, LeaseEvent::kLost, Errc::kDisconnected, last_error_});
          }
        }
      }
    }
    Fire(events);
    delay = std::min(delay * 2, config_.backoff_max);
  }
}

bool Client::Reattach(const std::shared_ptr<Connection>& conn, const proto::HelloOk& hello,
                      std::string* error) {
  struct Item {
    std::uint64_t handle;
    LeaseRec rec;
  };
  std::vector<Item> items;
  {
    MutexLock lk(mu_);
    for (const auto& [handle, rec] : leases_) {
      if (rec.state != LeaseRec::State::kLost) items.push_back({handle, rec});
    }
  }
  std::vector<Event> events;
  const std::string where = conn->endpoint().ToString();
  for (const Item& item : items) {
    proto::Message reply;
    if (!Exchange(*conn, proto::Reattach{item.rec.server_id, item.rec.token}, &reply, error)) {
      return false;
    }
    std::string how = "reattached to lease " + std::to_string(item.rec.server_id) + " on " + where;
    const auto refused = [](const proto::Message& m) -> std::pair<Errc, std::string> {
      if (const auto* d = As<proto::Denied>(m)) return {d->code, CodeText(d->code, d->message)};
      if (const auto* e = As<proto::Error>(m)) return {e->code, CodeText(e->code, e->message)};
      return {Errc::kInternal, "unexpected reply"};
    };
    if (!As<proto::Granted>(reply)) {
      const auto [code, text] = refused(reply);
      if (code == Errc::kServerShuttingDown || code == Errc::kTooManyRequests) {
        *error = where + ": " + text;
        return false;
      }
      if (code == Errc::kNoSuchLease || code == Errc::kBadToken) {
        // The server lost the lease (e.g. restarted without it): ask for a new seat.
        if (!Exchange(*conn,
                      CheckoutRequest(item.rec.feature, item.rec.version_req, 0, item.rec.seats),
                      &reply, error)) {
          return false;
        }
        how = "the server no longer knew lease " + std::to_string(item.rec.server_id) +
              "; checked out again";
      }
    }
    if (const auto* g = As<proto::Granted>(reply)) {
      // A seat regained is checked like a seat granted.
      if (auto problem = Unusable(*g, item.rec.feature, item.rec.version_req, item.rec.seats)) {
        proto::Message ignored;
        if (!Exchange(*conn, proto::Checkin{g->lease}, &ignored, error)) return false;
        reply = std::move(*problem);
      }
    }
    MutexLock lk(mu_);
    auto it = leases_.find(item.handle);
    if (auto* g = std::get_if<proto::Granted>(&reply)) {
      if (it == leases_.end()) {
        // Checked in by the application while we were away: hand it back at once.
        std::string ignored;
        conn->Send(NextRequestId(), proto::Checkin{g->lease}, &ignored);
        continue;
      }
      LeaseRec& rec = it->second;
      if (g->lease != 0) rec.server_id = g->lease;
      if (g->token != 0) rec.token = g->token;
      rec.grant = std::move(*g);
      rec.state = LeaseRec::State::kHeld;
      events.push_back({item.handle, LeaseEvent::kRegained, Errc::kOk,
                        how + " as lease " + std::to_string(rec.server_id)});
    } else if (it != leases_.end()) {
      const auto [code, text] = refused(reply);
      it->second.state = LeaseRec::State::kLost;
      it->second.reacquire = code != Errc::kUntrustedLicense;
      events.push_back({item.handle, LeaseEvent::kLost, code, text});
    }
  }
  {
    MutexLock lk(mu_);
    if (stop_) return true;
    conn_ = conn;
    hello_ok_ = hello;
    state_ = State::kConnected;
  }
  cv_.NotifyAll();
  Fire(events);
  return true;
}

std::optional<proto::Denied> Client::Unusable(const proto::Granted& grant,
                                              const std::string& feature,
                                              const std::string& version, std::uint32_t seats) {
  if (const std::uint64_t granted = grant.seats == 0 ? 1 : grant.seats; granted != seats) {
    return proto::Denied{
        Errc::kUnsupportedVersion,
        fmt::format("{} seats of '{}' were asked for and the license server granted {}: it does "
                    "not take several seats in one checkout; the seat was handed back",
                    seats, feature, granted)};
  }
  if (auto why = Untrusted(grant, feature, version)) {
    return proto::Denied{Errc::kUntrustedLicense, std::move(*why)};
  }
  return std::nullopt;
}

std::optional<std::string> Client::Untrusted(const proto::Granted& grant,
                                             const std::string& feature,
                                             const std::string& version) {
  MutexLock lk(trust_mu_);
  if (trust_.empty()) return std::nullopt;
  const licenses::Date today = LocalToday();
  std::optional<licenses::Version> wanted;
  if (!version.empty()) wanted = licenses::Version::Parse(version);
  return trust_.Check(grant.license_lines, grant.license_lines_left_out, feature, wanted, today);
}

bool Client::AnyToReacquire() const {
  return std::any_of(leases_.begin(), leases_.end(), [](const auto& entry) {
    // kLostDisconnected leases are the reconnect's: it reattaches or checks them out.
    return entry.second.reacquire && entry.second.state == LeaseRec::State::kLost;
  });
}

void Client::ReacquireLoop() {
  reacquire_thread_id_ = std::this_thread::get_id();
  milliseconds delay = config_.backoff_initial;
  MutexLock lk(mu_);
  for (;;) {
    while (!stop_ && !AnyToReacquire()) cv_.Wait(mu_);
    if (stop_) return;
    // A pause first: the loss may be the start of an outage, and the server's own
    // bookkeeping (a removal, a timeout) settles before the next try.
    const auto until = Clock::now() + delay;
    while (!stop_ && cv_.WaitUntil(mu_, until)) {
    }
    if (stop_) return;
    if (state_ != State::kConnected) continue;  // a reconnect reattaches or re-checks out
    struct Item {
      std::uint64_t handle;
      std::string feature, version;
      std::uint32_t seats;
    };
    std::vector<Item> items;
    for (const auto& [handle, rec] : leases_) {
      if (rec.reacquire && rec.state == LeaseRec::State::kLost) {
        items.push_back({handle, rec.feature, rec.version_req, rec.seats});
      }
    }
    lk.Unlock();
    bool all_regained = true;
    std::vector<Event> events;
    for (const Item& item : items) {
      std::optional<proto::Granted> grant;
      Transact(CheckoutRequest(item.feature, item.version, 0, item.seats),
               Clock::now() + config_.request_timeout, true, [&](proto::Message& m) {
                 if (auto* g = std::get_if<proto::Granted>(&m)) grant = std::move(*g);
                 return !std::holds_alternative<proto::Queued>(m);
               });
      if (!grant) {
        all_regained = false;
        continue;
      }
      std::optional<proto::Denied> problem =
          Unusable(*grant, item.feature, item.version, item.seats);
      MutexLock relock(mu_);
      auto it = leases_.find(item.handle);
      if (it == leases_.end() || problem) {
        // Checked in meanwhile, or a seat this application may not use: give it back, and
        // do not ask for it again.
        if (it != leases_.end()) it->second.reacquire = false;
        if (conn_) {
          std::string ignored;
          MutexLock wlk(write_mu_);
          conn_->Send(NextRequestId(), proto::Checkin{grant->lease}, &ignored);
        }
        if (it != leases_.end()) {
          events.push_back({item.handle, LeaseEvent::kLost, problem->code, problem->message});
        }
        continue;
      }
      LeaseRec& rec = it->second;
      rec.server_id = grant->lease;
      rec.token = grant->token;
      rec.grant = std::move(*grant);
      rec.state = LeaseRec::State::kHeld;
      events.push_back({item.handle, LeaseEvent::kRegained, Errc::kOk,
                        "checked out again after the loss, as lease " +
                            std::to_string(rec.server_id)});
    }
    Fire(events);
    lk.Lock();
    delay = all_regained ? config_.backoff_initial : std::min(delay * 2, config_.backoff_max);
  }
}

void Client::Fire(const std::vector<Event>& events) {
  if (!config_.on_lease || events.empty()) return;
  std::vector<std::string> features;
  {
    MutexLock lk(mu_);
    for (const Event& e : events) {
      const auto it = leases_.find(e.lease);
      features.push_back(it == leases_.end() ? std::string() : it->second.feature);
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    config_.on_lease(e.lease, e.kind, e.code, e.message, features[i]);
  }
}

}  // namespace floatlm::client
