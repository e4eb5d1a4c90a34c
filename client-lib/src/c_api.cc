// The C ABI boundary: argument checks, handle conversion, and the rule that no
// exception crosses into C (everything unexpected becomes FLOATLM_E_INTERNAL).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "client.h"
#include "floatlm/floatlm.h"
#include "floatlm/licenses/model.h"

namespace fc = floatlm::client;
using floatlm::Errc;

struct floatlm_options_t {
  fc::ClientConfig config;
};

struct floatlm_client_t {
  explicit floatlm_client_t(fc::ClientConfig config) : client(std::move(config)) {}
  fc::Client client;
};

namespace {

// The C header repeats the protocol's numbers; the compiler checks they agree.
constexpr std::pair<int, Errc> kCodes[] = {
    {FLOATLM_OK, Errc::kOk},
    {FLOATLM_E_NO_SUCH_FEATURE, Errc::kNoSuchFeature},
    {FLOATLM_E_ALL_SEATS_IN_USE, Errc::kAllSeatsInUse},
    {FLOATLM_E_VERSION_NOT_LICENSED, Errc::kVersionNotLicensed},
    {FLOATLM_E_NOT_YET_VALID, Errc::kNotYetValid},
    {FLOATLM_E_EXPIRED, Errc::kExpired},
    {FLOATLM_E_EXCLUDED_BY_OPTIONS, Errc::kExcludedByOptions},
    {FLOATLM_E_RESERVED_FOR_OTHERS, Errc::kReservedForOthers},
    {FLOATLM_E_MAX_REACHED_FOR_USER, Errc::kMaxReachedForUser},
    {FLOATLM_E_NOT_ASSIGNED, Errc::kNotAssigned},
    {FLOATLM_E_CLOUD_USERS_EXHAUSTED, Errc::kCloudUsersExhausted},
    {FLOATLM_E_QUEUE_TIMEOUT, Errc::kQueueTimeout},
    {FLOATLM_E_WRONG_HOST, Errc::kWrongHost},
    {FLOATLM_E_TOO_FEW_SEATS, Errc::kTooFewSeats},
    {FLOATLM_E_NO_SUCH_LEASE, Errc::kNoSuchLease},
    {FLOATLM_E_BAD_TOKEN, Errc::kBadToken},
    {FLOATLM_E_LEASE_REMOVED, Errc::kLeaseRemoved},
    {FLOATLM_E_LEASE_TIMED_OUT, Errc::kLeaseTimedOut},
    {FLOATLM_E_LEASE_EXPIRED, Errc::kLeaseExpired},
    {FLOATLM_E_POOL_REMOVED, Errc::kPoolRemoved},
    {FLOATLM_E_MALFORMED_REQUEST, Errc::kMalformedRequest},
    {FLOATLM_E_UNSUPPORTED_VERSION, Errc::kUnsupportedVersion},
    {FLOATLM_E_UNKNOWN_MESSAGE, Errc::kUnknownMessage},
    {FLOATLM_E_HELLO_REQUIRED, Errc::kHelloRequired},
    {FLOATLM_E_TOO_MANY_REQUESTS, Errc::kTooManyRequests},
    {FLOATLM_E_SERVER_SHUTTING_DOWN, Errc::kServerShuttingDown},
    {FLOATLM_E_TOO_MANY_CONNECTIONS, Errc::kTooManyConnections},
    {FLOATLM_E_BAD_ARGUMENT, Errc::kBadArgument},
    {FLOATLM_E_PERMISSION_DENIED, Errc::kPermissionDenied},
    {FLOATLM_E_REREAD_FAILED, Errc::kRereadFailed},
    {FLOATLM_E_ASSIGNMENTS_FULL, Errc::kAssignmentsFull},
    {FLOATLM_E_STORE_UNAVAILABLE, Errc::kStoreUnavailable},
    {FLOATLM_E_CONNECT_FAILED, Errc::kConnectFailed},
    {FLOATLM_E_DISCONNECTED, Errc::kDisconnected},
    {FLOATLM_E_TIMED_OUT, Errc::kTimedOut},
    {FLOATLM_E_INTERNAL, Errc::kInternal},
    {FLOATLM_E_UNTRUSTED_LICENSE, Errc::kUntrustedLicense},
};
static_assert(std::all_of(std::begin(kCodes), std::end(kCodes),
                          [](const auto& c) { return c.first == static_cast<int>(c.second); }));

floatlm_status ToStatus(Errc code) { return static_cast<floatlm_status>(code); }

// Runs `fn` and turns any exception into FLOATLM_E_INTERNAL.
template <class Fn>
floatlm_status Guard(Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return FLOATLM_E_INTERNAL;
  } catch (...) {
    return FLOATLM_E_INTERNAL;
  }
}

void CopyField(char (&dst)[257], const std::string& src) {
  const std::size_t n = src.size() < sizeof(dst) - 1 ? src.size() : sizeof(dst) - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// Hands a report body to C callers in memory they release with floatlm_free().
floatlm_status CopyOut(const std::string& body, char** out_text) {
  char* copy = static_cast<char*>(std::malloc(body.size() + 1));
  if (copy == nullptr) return FLOATLM_E_INTERNAL;
  std::memcpy(copy, body.c_str(), body.size() + 1);
  *out_text = copy;
  return FLOATLM_OK;
}

// Both lease callbacks share the one slot in ClientConfig; `set` false clears it.
template <class Hook>
floatlm_status SetLeaseHook(floatlm_options_t* options, bool set, Hook hook) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.on_lease = nullptr;
    if (set) options->config.on_lease = std::move(hook);
    return FLOATLM_OK;
  });
}

}  // namespace

extern "C" {

const char* floatlm_version(void) { return FLOATLM_CLIENT_VERSION; }

const char* floatlm_status_name(floatlm_status status) {
  if (status < 0 || status > 0xffff) return "unknown";
  // ErrcName returns views of string literals, so data() is NUL-terminated.
  return floatlm::ErrcName(static_cast<Errc>(status)).data();
}

void floatlm_free(void* ptr) { std::free(ptr); }

floatlm_status floatlm_options_create(floatlm_options_t** out_options) {
  if (out_options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    *out_options = new floatlm_options_t();
    return FLOATLM_OK;
  });
}

void floatlm_options_destroy(floatlm_options_t* options) { delete options; }

floatlm_status floatlm_options_set_servers(floatlm_options_t* options, const char* servers) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.servers = servers != nullptr ? servers : "";
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_reacquire(floatlm_options_t* options, int enable) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  options->config.reacquire = enable != 0;
  return FLOATLM_OK;
}

floatlm_status floatlm_options_set_dup_group(floatlm_options_t* options, const char* group) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    if (group == nullptr || *group == '\0') {
      options->config.dup_group.clear();
      return FLOATLM_OK;
    }
    const auto parsed = floatlm::licenses::DupGroup::Parse(group);
    if (!parsed) return FLOATLM_E_BAD_ARGUMENT;
    options->config.dup_group = parsed->ToString();
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_license_variable(floatlm_options_t* options,
                                                   const char* name) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  const std::string value = name != nullptr ? name : "";
  if (value.size() > 256 || value.find('=') != std::string::npos) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  return Guard([&] {
    options->config.license_variable = value;
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_tls_ca(floatlm_options_t* options, const char* pem_file) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.tls_ca = pem_file != nullptr ? pem_file : "";
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_app_name(floatlm_options_t* options, const char* app) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.app = app != nullptr ? app : "";
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_identity(floatlm_options_t* options, const char* user,
                                            const char* host, const char* display) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.identity.user = user != nullptr ? user : "";
    options->config.identity.host = host != nullptr ? host : "";
    options->config.identity.display = display != nullptr ? display : "";
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_request_timeout_ms(floatlm_options_t* options,
                                                      uint32_t timeout_ms) {
  if (options == nullptr || timeout_ms == 0) return FLOATLM_E_BAD_ARGUMENT;
  options->config.request_timeout = std::chrono::milliseconds(timeout_ms);
  return FLOATLM_OK;
}

floatlm_status floatlm_options_set_reconnect_backoff_ms(floatlm_options_t* options,
                                                        uint32_t initial_ms, uint32_t max_ms) {
  if (options == nullptr || initial_ms == 0 || max_ms < initial_ms) return FLOATLM_E_BAD_ARGUMENT;
  options->config.backoff_initial = std::chrono::milliseconds(initial_ms);
  options->config.backoff_max = std::chrono::milliseconds(max_ms);
  return FLOATLM_OK;
}

floatlm_status floatlm_options_set_lease_callback(floatlm_options_t* options,
                                                  floatlm_lease_callback callback,
                                                  void* user_data) {
  return SetLeaseHook(options, callback != nullptr,
                      [callback, user_data](std::uint64_t lease, fc::LeaseEvent event, Errc code,
                                            const std::string& message, const std::string&) {
                        callback(user_data, lease, static_cast<floatlm_lease_event>(event),
                                 ToStatus(code), message.c_str());
                      });
}

floatlm_status floatlm_options_set_lease_event_callback(floatlm_options_t* options,
                                                        floatlm_lease_event_callback callback,
                                                        void* user_data) {
  return SetLeaseHook(options, callback != nullptr,
                      [callback, user_data](std::uint64_t lease, fc::LeaseEvent event, Errc code,
                                            const std::string& message,
                                            const std::string& feature) {
                        floatlm_lease_event_info info;
                        info.struct_size = sizeof(info);
                        info.lease = lease;
                        info.event = static_cast<floatlm_lease_event>(event);
                        info.code = ToStatus(code);
                        info.message = message.c_str();
                        info.feature = feature.c_str();
                        callback(user_data, &info);
                      });
}

floatlm_status floatlm_options_set_denial_text(floatlm_options_t* options,
                                               floatlm_denial_text text) {
  if (options == nullptr ||
      (text != FLOATLM_DENIAL_FULL && text != FLOATLM_DENIAL_SHORT)) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  options->config.short_denials = text == FLOATLM_DENIAL_SHORT;
  return FLOATLM_OK;
}

floatlm_status floatlm_options_set_queue_callback(floatlm_options_t* options,
                                                  floatlm_queue_callback callback,
                                                  void* user_data) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.on_queue = nullptr;
    if (callback != nullptr) {
      options->config.on_queue = [callback, user_data](const std::string& feature,
                                                       std::uint64_t position) {
        callback(user_data, feature.c_str(), position);
      };
    }
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_add_vendor_key(floatlm_options_t* options, const char* vendor,
                                             const char* public_key_pem) {
  if (options == nullptr || vendor == nullptr || public_key_pem == nullptr) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  const std::string name = vendor;
  if (name.empty() || name.size() > 256) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    auto key = floatlm::licenses::PublicKey::FromPem(public_key_pem);
    if (!key) return FLOATLM_E_BAD_ARGUMENT;
    auto& keys = options->config.vendor_keys;
    std::erase_if(keys, [&](const auto& entry) { return entry.first == name; });
    keys.emplace_back(name, std::move(key).value());
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_set_vendor_key_dir(floatlm_options_t* options, const char* dir) {
  if (options == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    options->config.vendor_key_dir = dir != nullptr ? dir : "";
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_options_add_host_id(floatlm_options_t* options, const char* host_id) {
  if (options == nullptr || host_id == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  const std::string text = host_id;
  if (text.empty() || text.size() > 256 ||
      text.find_first_of(" \t\r\n") != std::string::npos) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  using Kind = floatlm::licenses::HostId::Kind;
  const auto id = floatlm::licenses::HostId::Parse(text);
  if (!id || id->kind == Kind::kAny || id->kind == Kind::kDemo || id->kind == Kind::kInternet) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  return Guard([&] {
    options->config.extra_host_ids.push_back(text);
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_client_create(const floatlm_options_t* options,
                                     floatlm_client_t** out_client) {
  if (out_client == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    *out_client = new floatlm_client_t(options != nullptr ? options->config : fc::ClientConfig{});
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_client_connect(floatlm_client_t* client) {
  if (client == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] { return ToStatus(client->client.Connect()); });
}

floatlm_status floatlm_client_checkout(floatlm_client_t* client, const char* feature,
                                       const char* version, uint32_t wait_seconds,
                                       uint64_t* out_lease) {
  if (client == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    if (feature == nullptr || out_lease == nullptr) {
      return ToStatus(client->client.Checkout("", "", 0, nullptr));
    }
    return ToStatus(client->client.Checkout(feature, version != nullptr ? version : "",
                                            wait_seconds, out_lease));
  });
}

floatlm_status floatlm_client_checkout_seats(floatlm_client_t* client, const char* feature,
                                             const char* version, uint32_t seats,
                                             uint32_t wait_seconds, uint64_t* out_lease) {
  if (client == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    if (feature == nullptr || out_lease == nullptr) {
      return ToStatus(client->client.Checkout("", "", 0, nullptr));
    }
    return ToStatus(client->client.Checkout(feature, version != nullptr ? version : "",
                                            wait_seconds, out_lease, seats));
  });
}

floatlm_status floatlm_client_checkin(floatlm_client_t* client, uint64_t lease) {
  if (client == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] { return ToStatus(client->client.Checkin(lease)); });
}

floatlm_status floatlm_client_lease_info(floatlm_client_t* client, uint64_t lease,
                                         floatlm_lease_info* out_info) {
  // Fields were appended over time: a caller built against an older header passes the
  // size it knows, and gets the fields that fit in it.
  constexpr std::size_t kFirstSize =
      offsetof(floatlm_lease_info, expiry) + sizeof(out_info->expiry);
  if (client == nullptr || out_info == nullptr || out_info->struct_size < kFirstSize) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  return Guard([&] {
    fc::LeaseView view;
    const Errc rc = client->client.Lease(lease, &view);
    if (rc != Errc::kOk) return ToStatus(rc);
    out_info->server_lease = view.server_lease;
    out_info->held = view.held ? 1 : 0;
    out_info->shared = view.shared ? 1 : 0;
    CopyField(out_info->feature, view.feature);
    CopyField(out_info->version, view.version);
    CopyField(out_info->pool, view.pool);
    CopyField(out_info->expiry, view.expiry);
    if (out_info->struct_size >= offsetof(floatlm_lease_info, seats) + sizeof(out_info->seats)) {
      out_info->seats = view.seats;
    }
    return FLOATLM_OK;
  });
}

floatlm_status floatlm_client_status(floatlm_client_t* client, const char* feature, int json,
                                     char** out_text) {
  if (client == nullptr || out_text == nullptr) return FLOATLM_E_BAD_ARGUMENT;
  return Guard([&] {
    std::string body;
    const Errc rc = client->client.Status(feature != nullptr ? feature : "", json != 0, &body);
    if (rc != Errc::kOk) return ToStatus(rc);
    return CopyOut(body, out_text);
  });
}

floatlm_status floatlm_client_diag(floatlm_client_t* client, const char* feature,
                                   const char* version, int json, char** out_text) {
  if (client == nullptr || feature == nullptr || out_text == nullptr) {
    return FLOATLM_E_BAD_ARGUMENT;
  }
  return Guard([&] {
    std::string body;
    const Errc rc =
        client->client.Diag(feature, version != nullptr ? version : "", json != 0, &body);
    if (rc != Errc::kOk) return ToStatus(rc);
    return CopyOut(body, out_text);
  });
}

int floatlm_client_is_connected(floatlm_client_t* client) {
  if (client == nullptr) return 0;
  try {
    return client->client.connected() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

const char* floatlm_client_last_error(floatlm_client_t* client) {
  // A per-thread copy: another thread may replace the handle's message meanwhile.
  thread_local std::string copy;
  if (client == nullptr) return "no client handle";
  try {
    copy = client->client.last_error();
  } catch (...) {
    return "out of memory";
  }
  return copy.c_str();
}

floatlm_status floatlm_client_close(floatlm_client_t* client) {
  if (client == nullptr) return FLOATLM_OK;
  // Freeing the handle would join the thread the callback runs on.
  if (client->client.OnIoThread()) return FLOATLM_E_BAD_ARGUMENT;
  const floatlm_status rc = Guard([&] { return ToStatus(client->client.Close()); });
  delete client;
  return rc;
}

}  // extern "C"
