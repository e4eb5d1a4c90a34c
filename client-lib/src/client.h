// The client behind the C ABI: one connection to a floatlm server, the leases held
// through it, and a background I/O thread that reads replies, sends heartbeats,
// reconnects with backoff and reattaches leases.
//
// Owned by the C handle. Public methods may be called from several threads at once,
// except Close(), which must not race with other calls. Methods that talk to the
// server refuse to run on the I/O thread (from inside a callback). Errors: methods
// return an Errc and leave a sentence in last_error().
#ifndef FLOATLM_CLIENT_CLIENT_H_
#define FLOATLM_CLIENT_CLIENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

  Errc Connect();
  // `seats`: how many at once, all or none (1..proto::kMaxSeatsPerCheckout).
  Errc Checkout(const std::string& feature, const std::string& version, std::uint32_t wait_seconds,
                std::uint64_t* lease, std::uint32_t seats = 1);
  Errc Checkin(std::uint64_t lease);
  Errc Lease(std::uint64_t lease, LeaseView* out);
  Errc Status(const std::string& feature, bool json, std::string* out);
  // What a checkout of `feature` (`version` "" = any) would get now, and why.
  Errc Diag(const std::string& feature, const std::string& version, bool json, std::string* out);
  bool connected();
  Errc Close();
  std::string last_error();
  // True on a library thread, i.e. inside a callback.
  bool OnIoThread() const {
    const auto self = std::this_thread::get_id();
    return self == io_thread_id_.load() || self == reacquire_thread_id_.load();
  }

 private:
  // kLocal: no server was reached (or none is listed), but license files in the server
  // list have node-locked lines for this computer, which Checkout serves.
  enum class State { kIdle, kConnected, kReconnecting, kLocal, kClosed };
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

  Errc Fail(Errc code, std::string message);  // sets last_error, returns code
  std::uint32_t NextRequestId();
  // Sends a STATUS or DIAG request and joins the STATUS_CHUNKs of the answer.
  Errc Report(proto::Message request, const char* what, std::string* out);
  Errc Transact(const proto::Message& request, Clock::time_point deadline, bool abandon_grants,
                const ReplyFn& on_reply);
  void Wake();

  // Connecting (caller thread at first, then the I/O thread).
  std::shared_ptr<Connection> OpenAndHello(proto::HelloOk* hello, std::string* error);
  bool Exchange(Connection& conn, const proto::Message& request, proto::Message* reply,
                std::string* error);

  // I/O thread.
  void Run();
  std::string Serve(const std::shared_ptr<Connection>& conn);
  void Dispatch(proto::Decoded decoded, std::uint32_t* heartbeat_id, std::vector<Event>* events);
  void OnDisconnected(const std::string& why);
  void ReconnectUntilDone();
  bool Reattach(const std::shared_ptr<Connection>& conn, const proto::HelloOk& hello,
                std::string* error);
  // Why `grant` does not prove a seat of `feature` at `version` signed by a trusted vendor
  // key, or nullopt (also when no key is set). Any thread; takes trust_mu_ only.
  std::optional<std::string> Untrusted(const proto::Granted& grant, const std::string& feature,
                                       const std::string& version);
  // Why the application must not run on `grant`, a reply to a CHECKOUT of `seats` seats:
  // fewer seats than asked (kUnsupportedVersion: a daemon from before COUNT), or Untrusted
  // (kUntrustedLicense); nullopt when it may. The caller hands such a seat back.
  std::optional<proto::Denied> Unusable(const proto::Granted& grant, const std::string& feature,
                                        const std::string& version, std::uint32_t seats);
  void Fire(const std::vector<Event>& events);
  // A checkout served from the node-locked lines of license files in the server list:
  // nullopt when no such line names `feature` (ask the server); else the result, a local
  // lease in *lease on success. `refusal`: why the lines did not serve it.
  // Connect(): keys for the local lines' vendors, embedded or from vendor_key_dir.
  void SetUpLocalTrust(const std::vector<std::string>& vendors);
  std::optional<Errc> CheckoutLocal(const std::string& feature, const std::string& version,
                                    std::uint32_t seats, std::uint64_t* lease,
                                    std::string* refusal);
  // The CHECKOUT of `seats` seats, with this client's duplicate grouping.
  proto::Checkout CheckoutRequest(const std::string& feature, const std::string& version,
                                  std::uint64_t wait_ms, std::uint32_t seats) const;
  // Reacquire thread (ClientConfig::reacquire): checks lost leases out again.
  void ReacquireLoop();
  bool AnyToReacquire() const;  // mu_ held

  // Where a server list comes from when the application set none: its own variable,
  // then $FLOATLM_LICENSE, then the port@host entries of $LM_LICENSE_FILE. Empty with
  // *error set (naming what was consulted) when none gives one.
  std::string ServersFromEnvironment(std::string* error) const;

  const ClientConfig config_;
  std::vector<Endpoint> endpoints_;  // set by Connect(), then read-only
  std::shared_ptr<const TlsContext> tls_;  // set by Connect() when a "tls:" entry is listed
  proto::Hello hello_;               // set by Connect(), then read-only
  std::vector<licenses::HostId> host_ids_;  // this computer's, set by Connect(), then read-only
  int wake_pipe_[2] = {-1, -1};
  std::atomic<std::uint32_t> next_request_id_{1};

  std::mutex write_mu_;  // one frame on the wire at a time; taken without mu_ held
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kIdle;
  bool stop_ = false;
  std::shared_ptr<Connection> conn_;
  proto::HelloOk hello_ok_;
  std::map<std::uint32_t, Pending*> pending_;
  std::set<std::uint32_t> abandoned_;  // timed-out checkouts: a late grant is checked in
  std::map<std::uint64_t, LeaseRec> leases_;
  std::uint64_t next_lease_ = 1;
  Clock::time_point disconnected_since_;
  std::string last_error_;
  std::string connect_error_;  // why Connect() failed, kept for later calls' messages
  std::thread io_thread_;
  std::atomic<std::thread::id> io_thread_id_{};
  std::thread reacquire_thread_;
  std::atomic<std::thread::id> reacquire_thread_id_{};

  std::mutex trust_mu_;  // taken alone, never with mu_ held
  licenses::EvidenceChecker trust_;  // guarded by trust_mu_; keys set at construction
  // Node-locked lines of license files in the server list (set by Connect(), then
  // read-only) and the keys that check them (guarded by trust_mu_).
  std::vector<licenses::Pool> local_pools_;
  licenses::EvidenceChecker local_trust_;
  std::string local_trust_problem_;  // set by Connect(): why some vendor has no key
  std::map<std::uint64_t, LeaseView> local_leases_;  // guarded by mu_
};

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_CLIENT_H_
