// The client behind the C ABI: one connection to a floatlm server, the leases held
// through it, and a background I/O thread that reads replies, sends heartbeats,
// reconnects with backoff and reattaches leases.
//
// Owned by the C handle. Public methods may be called from several threads at once,
// except Close(), which must not race with other calls (nor the destructor). Methods
// that talk to the server refuse to run on the I/O thread (from inside a callback).
// Errors: methods return an Errc and leave a sentence in last_error().
//
// Locks (checked by clang's -Wthread-safety, see mutex.h): mu_ guards the connection,
// the leases and the requests in flight; write_mu_ puts one frame on the wire at a time
// and may be taken with mu_ held, never the other way round; trust_mu_ guards the
// signature checkers and is taken alone. No lock is held while a callback runs or while
// a thread waits for the network, except write_mu_ during one Send().
#ifndef FLOATLM_CLIENT_CLIENT_H_
#define FLOATLM_CLIENT_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connection.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/evidence.h"
#include "floatlm/proto/errc.h"
#include "floatlm/proto/messages.h"
#include "identity.h"
#include "mutex.h"
#include "server_list.h"
#include "tls.h"

namespace floatlm::client {

enum class LeaseEvent { kLost = 1, kRegained = 2 };

struct ClientConfig {
  std::string servers;  // "" = from the environment at Connect() (ServersFromEnvironment)
  std::string license_variable;  // the application's own variable, e.g. ACME_LICENSE_FILE
  std::string tls_ca;   // CA file for "tls:" servers: "" = $FLOATLM_TLS_CA, else the system store
  std::string app;      // "" = the program's name
  Identity identity;    // non-empty fields override detection
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5'000};
  // Called on the I/O thread, without internal locks held.
  std::function<void(std::uint64_t lease, LeaseEvent, Errc, const std::string& message,
                     const std::string& feature)>
      on_lease;
  // Called on the checkout caller's thread.
  std::function<void(const std::string& feature, std::uint64_t position)> on_queue;
  // After a real loss (timed out, removed, expired, not regained after a reconnect), check
  // out again on a library thread until a seat is granted, then report kRegained.
  bool reacquire = false;
  // The duplicate grouping sent with every checkout (floatlm_options_set_dup_group), in
  // DUP_GROUP syntax; "" = none asked (the server uses UH where a line names none).
  std::string dup_group;
  // Denial sentences for end users: the code's short sentence without other people's
  // names and hosts (denial_text.h) instead of the server's full one.
  bool short_denials = false;
  // Vendors whose signature every grant must carry (licenses/evidence.h); empty = no check.
  std::vector<std::pair<std::string, licenses::PublicKey>> vendor_keys;
  // Host ids reported in HELLO besides the machine's own (floatlm_options_add_host_id).
  std::vector<std::string> extra_host_ids;
  // Where "<vendor>.pub" keys check node-locked lines of license files in the server list
  // for vendors without a key in `vendor_keys` (floatlm_options_set_vendor_key_dir).
  std::string vendor_key_dir;
};

struct LeaseView {
  std::uint64_t server_lease = 0;
  bool held = false;
  bool shared = false;
  std::uint32_t seats = 1;  // seats the lease holds
  std::string feature, version, pool, expiry;
};

class Client {
 public:
  explicit Client(ClientConfig config);
  ~Client();  // stops the I/O thread; does not check in (Close() does)
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Once: a second call, also one racing the first, fails with kBadArgument. After a
  // failure the client may be connected again.
  Errc Connect() EXCLUDES(mu_, trust_mu_);
  // `seats`: how many at once, all or none (1..proto::kMaxSeatsPerCheckout).
  Errc Checkout(const std::string& feature, const std::string& version, std::uint32_t wait_seconds,
                std::uint64_t* lease, std::uint32_t seats = 1) EXCLUDES(mu_, trust_mu_);
  Errc Checkin(std::uint64_t lease) EXCLUDES(mu_);
  Errc Lease(std::uint64_t lease, LeaseView* out) EXCLUDES(mu_);
  Errc Status(const std::string& feature, bool json, std::string* out) EXCLUDES(mu_);
  // What a checkout of `feature` (`version` "" = any) would get now, and why.
  Errc Diag(const std::string& feature, const std::string& version, bool json, std::string* out)
      EXCLUDES(mu_);
  bool connected() EXCLUDES(mu_);
  Errc Close() EXCLUDES(mu_);
  std::string last_error() EXCLUDES(mu_);
  // True on a library thread, i.e. inside a callback.
  bool OnIoThread() const {
    const auto self = std::this_thread::get_id();
    return self == io_thread_id_.load() || self == reacquire_thread_id_.load();
  }

 private:
  // kConnecting: one Connect() call is setting the client up (kIdle again if it fails).
  // kLocal: no server was reached (or none is listed), but license files in the server
  // list have node-locked lines for this computer, which Checkout serves.
  enum class State { kIdle, kConnecting, kConnected, kReconnecting, kLocal, kClosed };
  // A request in flight: on the stack of the Transact() that sent it, reached through
  // pending_, and read and written only with mu_ held.
  struct Pending {
    std::vector<proto::Message> inbox;
    bool failed = false;
    Errc code = Errc::kOk;
    std::string message;
  };
  struct LeaseRec {
    enum class State { kHeld, kLostDisconnected, kLost };
    std::uint64_t server_id = 0, token = 0;
    std::string feature, version_req;
    std::uint32_t seats = 1;  // asked for at checkout, and again on a re-checkout
    proto::Granted grant;
    State state = State::kHeld;
    bool reacquire = true;  // false once the vendor-key check refused its seat
  };
  struct Event {
    std::uint64_t lease;
    LeaseEvent kind;
    Errc code;
    std::string message;
  };
  using ReplyFn = std::function<bool(proto::Message&)>;  // true = final reply

  Errc Fail(Errc code, std::string message) EXCLUDES(mu_);  // sets last_error, returns code
  // A failed Connect(): the client is kIdle again, with `message` as the reason later
  // calls give for not being connected.
  Errc FailConnect(Errc code, std::string message) EXCLUDES(mu_);
  // Why a request cannot be sent now (state_ is not kConnected), for last_error.
  std::string NotConnectedReason() const REQUIRES(mu_);
  std::uint32_t NextRequestId();
  // Sends a STATUS or DIAG request and joins the STATUS_CHUNKs of the answer.
  Errc Report(proto::Message request, const char* what, std::string* out) EXCLUDES(mu_);
  Errc Transact(const proto::Message& request, Clock::time_point deadline, bool abandon_grants,
                const ReplyFn& on_reply) EXCLUDES(mu_, write_mu_);
  void Wake();

  // Connecting (caller thread at first, then the I/O thread). No lock held: they read
  // only what Connect() set up.
  std::shared_ptr<Connection> OpenAndHello(proto::HelloOk* hello, std::string* error) EXCLUDES(mu_);
  bool Exchange(Connection& conn, const proto::Message& request, proto::Message* reply,
                std::string* error) EXCLUDES(mu_);

  // I/O thread.
  void Run() EXCLUDES(mu_);
  std::string Serve(const std::shared_ptr<Connection>& conn) EXCLUDES(mu_, write_mu_);
  void Dispatch(proto::Decoded decoded, std::uint32_t* heartbeat_id, std::vector<Event>* events)
      EXCLUDES(mu_, write_mu_);
  void OnDisconnected(const std::string& why) EXCLUDES(mu_);
  void ReconnectUntilDone() EXCLUDES(mu_);
  bool Reattach(const std::shared_ptr<Connection>& conn, const proto::HelloOk& hello,
                std::string* error) EXCLUDES(mu_);
  // Why `grant` does not prove a seat of `feature` at `version` signed by a trusted vendor
  // key, or nullopt (also when no key is set). Any thread; takes trust_mu_ only.
  std::optional<std::string> Untrusted(const proto::Granted& grant, const std::string& feature,
                                       const std::string& version) EXCLUDES(mu_, trust_mu_);
  // Why the application must not run on `grant`, a reply to a CHECKOUT of `seats` seats:
  // fewer seats than asked (kUnsupportedVersion: a daemon from before COUNT), or Untrusted
  // (kUntrustedLicense); nullopt when it may. The caller hands such a seat back.
  std::optional<proto::Denied> Unusable(const proto::Granted& grant, const std::string& feature,
                                        const std::string& version, std::uint32_t seats)
      EXCLUDES(mu_, trust_mu_);
  // Runs ClientConfig::on_lease for each event, with no lock held.
  void Fire(const std::vector<Event>& events) EXCLUDES(mu_, trust_mu_, write_mu_);
  // A checkout served from the node-locked lines of license files in the server list:
  // nullopt when no such line names `feature` (ask the server); else the result, a local
  // lease in *lease on success. `refusal`: why the lines did not serve it.
  // Connect(): keys for the local lines' vendors, embedded or from vendor_key_dir.
  void SetUpLocalTrust(const std::vector<std::string>& vendors) EXCLUDES(trust_mu_);
  std::optional<Errc> CheckoutLocal(const std::string& feature, const std::string& version,
                                    std::uint32_t seats, std::uint64_t* lease, std::string* refusal)
      EXCLUDES(mu_, trust_mu_);
  // The CHECKOUT of `seats` seats, with this client's duplicate grouping.
  proto::Checkout CheckoutRequest(const std::string& feature, const std::string& version,
                                  std::uint64_t wait_ms, std::uint32_t seats) const;
  // Reacquire thread (ClientConfig::reacquire): checks lost leases out again.
  void ReacquireLoop() EXCLUDES(mu_, write_mu_);
  bool AnyToReacquire() const REQUIRES(mu_);

  // Where a server list comes from when the application set none: its own variable,
  // then $FLOATLM_LICENSE, then the port@host entries of $LM_LICENSE_FILE. Empty with
  // *error set (naming what was consulted) when none gives one.
  std::string ServersFromEnvironment(std::string* error) const;

  // ---- Constant after construction ----
  const ClientConfig config_;
  int wake_pipe_[2] = {-1, -1};  // written by any thread, read by the I/O thread's poll()

  // ---- Set up by Connect() ----
  // Written only by the one Connect() call that moved state_ from kIdle to kConnecting,
  // before it sets kConnected or kLocal under mu_ (or kIdle again on failure); read-only
  // from then on. Other threads read them only after seeing such a state under mu_, or
  // on the threads Connect() starts, so they need no lock.
  std::vector<Endpoint> endpoints_;
  std::shared_ptr<const TlsContext> tls_;  // when a "tls:" entry is listed
  proto::Hello hello_;
  std::vector<licenses::HostId> host_ids_;   // this computer's
  std::vector<licenses::Pool> local_pools_;  // node-locked lines of the listed license files
  // Started by Connect() after it set kConnected; joined by Close() or the destructor.
  std::thread io_thread_;
  std::thread reacquire_thread_;

  // ---- Lock-free ----
  std::atomic<std::uint32_t> next_request_id_{1};
  std::atomic<std::thread::id> io_thread_id_{};
  std::atomic<std::thread::id> reacquire_thread_id_{};
  // Set (release) once Connect() has published local_pools_ with kLocal or kConnected:
  // Checkout reads local_pools_ only after seeing it (acquire).
  std::atomic<bool> serves_local_lines_{false};

  // ---- Protected by mu_ ----
  Mutex mu_;
  // Signalled on every change a waiter may wait for: state_, stop_, a Pending's inbox or
  // failure, a lease lost (the reacquire thread).
  CondVar cv_;
  State state_ GUARDED_BY(mu_) = State::kIdle;
  bool stop_ GUARDED_BY(mu_) = false;
  std::shared_ptr<Connection> conn_ GUARDED_BY(mu_);
  proto::HelloOk hello_ok_ GUARDED_BY(mu_);
  std::map<std::uint32_t, Pending*> pending_ GUARDED_BY(mu_);
  // Timed-out checkouts: a late grant is checked in.
  std::set<std::uint32_t> abandoned_ GUARDED_BY(mu_);
  std::map<std::uint64_t, LeaseRec> leases_ GUARDED_BY(mu_);
  std::map<std::uint64_t, LeaseView> local_leases_ GUARDED_BY(mu_);  // served by local_pools_
  std::uint64_t next_lease_ GUARDED_BY(mu_) = 1;
  Clock::time_point disconnected_since_ GUARDED_BY(mu_);
  std::string last_error_ GUARDED_BY(mu_);
  // Why Connect() failed or serves only local lines, kept for later calls' messages.
  std::string connect_error_ GUARDED_BY(mu_);

  // ---- One frame on the wire at a time ----
  // May be taken with mu_ held; mu_ is never taken while it is held.
  Mutex write_mu_ ACQUIRED_AFTER(mu_);

  // ---- Protected by trust_mu_, taken alone ----
  Mutex trust_mu_;
  licenses::EvidenceChecker trust_ GUARDED_BY(trust_mu_);  // keys set at construction
  // The keys that check local_pools_, and why some vendor of those lines has none.
  licenses::EvidenceChecker local_trust_ GUARDED_BY(trust_mu_);
  std::string local_trust_problem_ GUARDED_BY(trust_mu_);
};

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_CLIENT_H_
