// libfloatlm C++ wrapper: header-only RAII on top of the C ABI in floatlm.h.
//
// floatlm::Client owns a floatlm_client_t; floatlm::Lease checks its seat in when it
// goes out of scope. Failures throw floatlm::Error carrying the status code and the
// library's sentence (for a denial, the server's reason). Threading is the C ABI's:
// a Client may be shared by threads; a Lease belongs to one thread at a time and must
// not outlive its Client. Callbacks run as documented in floatlm.h.
#ifndef FLOATLM_FLOATLM_HPP_
#define FLOATLM_FLOATLM_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "floatlm/floatlm.h"

namespace floatlm {

class Error : public std::runtime_error {
 public:
  Error(floatlm_status code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  floatlm_status code() const noexcept { return code_; }
  const char* name() const noexcept { return floatlm_status_name(code_); }

 private:
  floatlm_status code_;
};

using LeaseCallback = std::function<void(std::uint64_t lease, floatlm_lease_event, floatlm_status,
                                         const std::string& message)>;
using QueueCallback = std::function<void(const std::string& feature, std::uint64_t position)>;
// The same event with the lease's feature (floatlm_lease_event_info).
struct LeaseEventInfo {
  std::uint64_t lease;
  floatlm_lease_event event;
  floatlm_status code;
  std::string message, feature;
};
using LeaseEventCallback = std::function<void(const LeaseEventInfo&)>;

// Settings for a Client; every setter returns *this for chaining.
struct Options {
  std::string servers;  // "" = the environment (see floatlm_options_set_servers)
  std::string license_variable;  // the application's own variable, e.g. "ACME_LICENSE_FILE"
  std::string tls_ca;   // CA file for "tls:" servers; "" = $FLOATLM_TLS_CA, else the system store
  std::string app;
  std::string user, host, display;  // "" = detect
  std::uint32_t request_timeout_ms = 10000;
  std::uint32_t backoff_initial_ms = 100, backoff_max_ms = 5000;
  LeaseCallback on_lease;
  LeaseEventCallback on_lease_event;  // wins over on_lease when both are set
  QueueCallback on_queue;
  bool reacquire = false;  // see floatlm_options_set_reacquire
  std::string dup_group;   // "" = the server's default (UH); see floatlm_options_set_dup_group
  floatlm_denial_text denial_text = FLOATLM_DENIAL_FULL;
  std::vector<std::pair<std::string, std::string>> vendor_keys;  // (vendor, public key PEM)
  std::vector<std::string> host_ids;  // vendor-set host ids (floatlm_options_add_host_id)
  std::string vendor_key_dir;  // keys for license files' node-locked lines (set_vendor_key_dir)

  // Trusts a vendor's public key (see floatlm_options_add_vendor_key); repeatable.
  Options& VendorKey(std::string vendor, std::string public_key_pem) {
    vendor_keys.emplace_back(std::move(vendor), std::move(public_key_pem));
    return *this;
  }
  // Keys ("<vendor>.pub") for node-locked lines of license files in the server list.
  Options& VendorKeyDir(std::string dir) {
    vendor_key_dir = std::move(dir);
    return *this;
  }
  // Reports one more host id of this computer (see floatlm_options_add_host_id); repeatable.
  Options& HostId(std::string id) {
    host_ids.push_back(std::move(id));
    return *this;
  }
  Options& Servers(std::string v) {
    servers = std::move(v);
    return *this;
  }
  // "NONE", "SITE", "UH", "UHD", ...: see floatlm_options_set_dup_group.
  Options& DupGroup(std::string v) {
    dup_group = std::move(v);
    return *this;
  }
  Options& Reacquire(bool v = true) {
    reacquire = v;
    return *this;
  }
  Options& LicenseVariable(std::string v) {
    license_variable = std::move(v);
    return *this;
  }
  Options& TlsCa(std::string pem_file) {
    tls_ca = std::move(pem_file);
    return *this;
  }
  Options& App(std::string v) {
    app = std::move(v);
    return *this;
  }
  Options& Identity(std::string u, std::string h, std::string d = {}) {
    user = std::move(u);
    host = std::move(h);
    display = std::move(d);
    return *this;
  }
  Options& RequestTimeoutMs(std::uint32_t v) {
    request_timeout_ms = v;
    return *this;
  }
  Options& BackoffMs(std::uint32_t initial, std::uint32_t max) {
    backoff_initial_ms = initial;
    backoff_max_ms = max;
    return *this;
  }
  Options& OnLease(LeaseCallback cb) {
    on_lease = std::move(cb);
    return *this;
  }
  Options& OnLeaseEvent(LeaseEventCallback cb) {
    on_lease_event = std::move(cb);
    return *this;
  }
  // FLOATLM_DENIAL_SHORT: denials say only what end users need (floatlm_denial_text).
  Options& DenialText(floatlm_denial_text v) {
    denial_text = v;
    return *this;
  }
  Options& OnQueue(QueueCallback cb) {
    on_queue = std::move(cb);
    return *this;
  }
};

class Client;

// A held seat. Move-only; checks in on destruction (errors there are swallowed:
// call Checkin() to see them).
class Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept : client_(std::exchange(other.client_, nullptr)), id_(other.id_) {}
  Lease& operator=(Lease&& other) noexcept {
    if (this != &other) {
      Reset();
      client_ = std::exchange(other.client_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { Reset(); }

  explicit operator bool() const noexcept { return client_ != nullptr; }
  std::uint64_t id() const noexcept { return id_; }
  inline floatlm_lease_info Info() const;
  inline void Checkin();  // throws Error; the lease is empty afterwards either way

 private:
  friend class Client;
  Lease(floatlm_client_t* client, std::uint64_t id) : client_(client), id_(id) {}
  void Reset() noexcept {
    if (client_ != nullptr) floatlm_client_checkin(client_, id_);
    client_ = nullptr;
  }

  floatlm_client_t* client_ = nullptr;
  std::uint64_t id_ = 0;
};

class Client {
 public:
  explicit Client(Options options = {}) : callbacks_(std::make_unique<Callbacks>()) {
    floatlm_options_t* raw = nullptr;
    Check(floatlm_options_create(&raw), "out of memory");
    std::unique_ptr<floatlm_options_t, void (*)(floatlm_options_t*)> opts(raw,
                                                                          floatlm_options_destroy);
    auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    floatlm_options_set_servers(raw, or_null(options.servers));
    Check(floatlm_options_set_license_variable(raw, or_null(options.license_variable)),
          "invalid license variable name");
    floatlm_options_set_app_name(raw, or_null(options.app));
    floatlm_options_set_tls_ca(raw, or_null(options.tls_ca));
    floatlm_options_set_identity(raw, or_null(options.user), or_null(options.host),
                                 or_null(options.display));
    Check(floatlm_options_set_request_timeout_ms(raw, options.request_timeout_ms),
          "invalid request timeout");
    Check(floatlm_options_set_reconnect_backoff_ms(raw, options.backoff_initial_ms,
                                                   options.backoff_max_ms),
          "invalid reconnect backoff");
    for (const auto& [vendor, pem] : options.vendor_keys) {
      Check(floatlm_options_add_vendor_key(raw, vendor.c_str(), pem.c_str()),
            ("not an Ed25519 public key for vendor " + vendor).c_str());
    }
    floatlm_options_set_vendor_key_dir(raw, or_null(options.vendor_key_dir));
    for (const auto& id : options.host_ids) {
      Check(floatlm_options_add_host_id(raw, id.c_str()), ("not a host id: " + id).c_str());
    }
    floatlm_options_set_reacquire(raw, options.reacquire ? 1 : 0);
    Check(floatlm_options_set_dup_group(raw, or_null(options.dup_group)),
          ("not a duplicate grouping: " + options.dup_group).c_str());
    callbacks_->on_lease = std::move(options.on_lease);
    callbacks_->on_queue = std::move(options.on_queue);
    Check(floatlm_options_set_denial_text(raw, options.denial_text), "invalid denial text");
    callbacks_->on_lease_event = std::move(options.on_lease_event);
    if (callbacks_->on_lease) floatlm_options_set_lease_callback(raw, &OnLease, callbacks_.get());
    if (callbacks_->on_lease_event) {
      floatlm_options_set_lease_event_callback(raw, &OnLeaseEvent, callbacks_.get());
    }
    if (callbacks_->on_queue) floatlm_options_set_queue_callback(raw, &OnQueue, callbacks_.get());
    Check(floatlm_client_create(raw, &client_), "out of memory");
  }
  ~Client() { floatlm_client_close(client_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void Connect() { Check(floatlm_client_connect(client_)); }
  // Throws Error with the denial's code and reason when no seat is granted.
  Lease Checkout(const std::string& feature, const std::string& version = {},
                 std::uint32_t wait_seconds = 0) {
    std::uint64_t id = 0;
    Check(floatlm_client_checkout(client_, feature.c_str(),
                                  version.empty() ? nullptr : version.c_str(), wait_seconds, &id));
    return Lease(client_, id);
  }
  // `seats` seats at once, all or none, as one lease (see floatlm_client_checkout_seats).
  Lease CheckoutSeats(const std::string& feature, std::uint32_t seats,
                      const std::string& version = {}, std::uint32_t wait_seconds = 0) {
    std::uint64_t id = 0;
    Check(floatlm_client_checkout_seats(client_, feature.c_str(),
                                        version.empty() ? nullptr : version.c_str(), seats,
                                        wait_seconds, &id));
    return Lease(client_, id);
  }
  std::string Status(const std::string& feature = {}, bool json = false) {
    char* text = nullptr;
    Check(floatlm_client_status(client_, feature.c_str(), json ? 1 : 0, &text));
    std::string out(text);
    floatlm_free(text);
    return out;
  }
  // What a checkout would get now, and why (see floatlm_client_diag).
  std::string Diag(const std::string& feature, const std::string& version = {}, bool json = false) {
    char* text = nullptr;
    Check(floatlm_client_diag(client_, feature.c_str(), version.empty() ? nullptr : version.c_str(),
                              json ? 1 : 0, &text));
    std::string out(text);
    floatlm_free(text);
    return out;
  }
  bool connected() const { return floatlm_client_is_connected(client_) != 0; }
  std::string last_error() const { return floatlm_client_last_error(client_); }
  floatlm_client_t* get() const noexcept { return client_; }

 private:
  struct Callbacks {
    LeaseCallback on_lease;
    LeaseEventCallback on_lease_event;
    QueueCallback on_queue;
  };
  static void OnLeaseEvent(void* self, const floatlm_lease_event_info* info) {
    try {
      static_cast<Callbacks*>(self)->on_lease_event(
          LeaseEventInfo{info->lease, info->event, info->code, info->message, info->feature});
    } catch (...) {
      // An exception must not unwind into the library's thread.
    }
  }
  static void OnLease(void* self, std::uint64_t lease, floatlm_lease_event event,
                      floatlm_status code, const char* message) {
    try {
      static_cast<Callbacks*>(self)->on_lease(lease, event, code, message);
    } catch (...) {
      // An exception must not unwind into the library's thread.
    }
  }
  static void OnQueue(void* self, const char* feature, std::uint64_t position) {
    try {
      static_cast<Callbacks*>(self)->on_queue(feature, position);
    } catch (...) {
    }
  }
  void Check(floatlm_status rc, const char* fallback = nullptr) const {
    if (rc == FLOATLM_OK) return;
    std::string message = client_ != nullptr ? floatlm_client_last_error(client_) : "";
    if (message.empty()) message = fallback != nullptr ? fallback : floatlm_status_name(rc);
    throw Error(rc, message);
  }

  std::unique_ptr<Callbacks> callbacks_;
  floatlm_client_t* client_ = nullptr;
};

floatlm_lease_info Lease::Info() const {
  floatlm_lease_info info{};
  info.struct_size = sizeof(info);
  const floatlm_status rc = floatlm_client_lease_info(client_, id_, &info);
  if (rc != FLOATLM_OK) throw Error(rc, floatlm_client_last_error(client_));
  return info;
}

void Lease::Checkin() {
  floatlm_client_t* client = std::exchange(client_, nullptr);
  if (client == nullptr) return;
  const floatlm_status rc = floatlm_client_checkin(client, id_);
  if (rc != FLOATLM_OK) throw Error(rc, floatlm_client_last_error(client));
}

}  // namespace floatlm

#endif  // FLOATLM_FLOATLM_HPP_
