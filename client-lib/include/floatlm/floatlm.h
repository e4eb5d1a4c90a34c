/* libfloatlm: the floatlm client library, C ABI.
 *
 * An application connects to a floatlm license server, checks out seats (leases),
 * and checks them in. The library keeps leases alive with heartbeats on a
 * background thread, reconnects with exponential backoff when the connection
 * drops, and reattaches every held lease (or checks it out again when the server
 * no longer knows it).
 *
 * Conventions (as in leveldb's c.h):
 *  - Handles are opaque: floatlm_options_t (settings) and floatlm_client_t (one
 *    connection to the server and the leases held through it).
 *  - Every function that can fail returns a floatlm_status: FLOATLM_OK (0) or one
 *    of the FLOATLM_E_* codes below, which are the protocol's error numbers and
 *    never change. Out-parameters come last and are written only on FLOATLM_OK.
 *  - floatlm_client_last_error() returns the sentence that explains the most recent
 *    failure on a handle (for a denial: the server's text naming pools and holders).
 *  - Strings passed in are copied; the caller keeps ownership. Strings returned
 *    through char** are allocated by the library: release them with floatlm_free().
 *  - No C++ exception ever leaves the library; an unexpected failure returns
 *    FLOATLM_E_INTERNAL.
 *  - Threads: an options handle is not thread-safe. A client handle may be used
 *    from several threads at once (it has an internal lock); only
 *    floatlm_client_close() must not race with other calls on the same handle.
 *    Lease callbacks run on one of the library's threads; queue callbacks run
 *    on the thread that called floatlm_client_checkout(). A callback must not call
 *    functions that talk to the server (checkout, checkin, status, close):
 *    they fail with FLOATLM_E_BAD_ARGUMENT there.
 *  - Lease ids returned by checkout are the library's own, stable for the life of
 *    the client handle even when the server re-grants the seat under a new id.
 */
#ifndef FLOATLM_FLOATLM_H_
#define FLOATLM_FLOATLM_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define FLOATLM_EXPORT __attribute__((visibility("default")))
#else
#define FLOATLM_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef int floatlm_status;

/* Status codes: the numbers of floatlm::Errc (proto/include/floatlm/proto/errc.h). */
#define FLOATLM_OK 0
#define FLOATLM_E_NO_SUCH_FEATURE 1
#define FLOATLM_E_ALL_SEATS_IN_USE 2
#define FLOATLM_E_VERSION_NOT_LICENSED 3
#define FLOATLM_E_NOT_YET_VALID 4
#define FLOATLM_E_EXPIRED 5
#define FLOATLM_E_EXCLUDED_BY_OPTIONS 6
#define FLOATLM_E_RESERVED_FOR_OTHERS 7
#define FLOATLM_E_MAX_REACHED_FOR_USER 8
#define FLOATLM_E_NOT_ASSIGNED 9
#define FLOATLM_E_CLOUD_USERS_EXHAUSTED 10
#define FLOATLM_E_QUEUE_TIMEOUT 11
#define FLOATLM_E_WRONG_HOST 12 /* the license line is node-locked (HOSTID=) to other computers */
#define FLOATLM_E_TOO_FEW_SEATS 13 /* more seats asked for at once than any license line gives */
#define FLOATLM_E_NO_SUCH_LEASE 20
#define FLOATLM_E_BAD_TOKEN 21
#define FLOATLM_E_LEASE_REMOVED 22
#define FLOATLM_E_LEASE_TIMED_OUT 23
#define FLOATLM_E_LEASE_EXPIRED 24
#define FLOATLM_E_POOL_REMOVED 25
#define FLOATLM_E_MALFORMED_REQUEST 40
#define FLOATLM_E_UNSUPPORTED_VERSION 41
#define FLOATLM_E_UNKNOWN_MESSAGE 42
#define FLOATLM_E_HELLO_REQUIRED 43
#define FLOATLM_E_TOO_MANY_REQUESTS 44
#define FLOATLM_E_SERVER_SHUTTING_DOWN 45
#define FLOATLM_E_TOO_MANY_CONNECTIONS 46
#define FLOATLM_E_BAD_ARGUMENT 47
#define FLOATLM_E_PERMISSION_DENIED 60
#define FLOATLM_E_REREAD_FAILED 61
#define FLOATLM_E_ASSIGNMENTS_FULL 62
#define FLOATLM_E_STORE_UNAVAILABLE 63
#define FLOATLM_E_CONNECT_FAILED 80
#define FLOATLM_E_DISCONNECTED 81
#define FLOATLM_E_TIMED_OUT 82
#define FLOATLM_E_INTERNAL 83
#define FLOATLM_E_UNTRUSTED_LICENSE 84 /* seat refused: its license lines are not signed by
                                          a vendor key set with floatlm_options_add_vendor_key */

typedef struct floatlm_options_t floatlm_options_t;
typedef struct floatlm_client_t floatlm_client_t;

typedef enum floatlm_lease_event {
  FLOATLM_LEASE_LOST = 1,    /* the seat is gone: removed, timed out, or not regained */
  FLOATLM_LEASE_REGAINED = 2 /* held again after a reconnect (reattached or re-granted) */
} floatlm_lease_event;

/* What a lease event callback receives (floatlm_options_set_lease_event_callback).
 * Later versions only append fields; read `struct_size` before a field added later.
 * The strings are valid only during the call. */
typedef struct floatlm_lease_event_info {
  size_t struct_size;
  uint64_t lease;            /* the library's lease id, as checkout returned it */
  floatlm_lease_event event; /* LOST or REGAINED */
  floatlm_status code;       /* why (FLOATLM_OK for REGAINED) */
  const char* message;       /* the sentence */
  const char* feature;       /* the feature of the lease */
} floatlm_lease_event_info;
typedef void (*floatlm_lease_event_callback)(void* user_data, const floatlm_lease_event_info* info);

/* Which sentence a denial leaves in last_error: the server's full one, naming pools,
 * counts and the people who hold the seats (for admins, logs and `diag`), or a short one
 * for end users that names only the feature and what to do. */
typedef enum floatlm_denial_text {
  FLOATLM_DENIAL_FULL = 0, /* the default */
  FLOATLM_DENIAL_SHORT = 1
} floatlm_denial_text;

/* Runs on a library thread (the background I/O thread, or the reacquire thread of
 * floatlm_options_set_reacquire). `message` is valid only during the call. */
typedef void (*floatlm_lease_callback)(void* user_data, uint64_t lease, floatlm_lease_event event,
                                       floatlm_status code, const char* message);
/* Runs on the checkout caller's thread each time the server reports the queue
 * position (1 = next in line). */
typedef void (*floatlm_queue_callback)(void* user_data, const char* feature, uint64_t position);

/* Describes a held lease. Set `struct_size = sizeof(floatlm_lease_info)` before the
 * call; later versions only append fields. Strings are NUL-terminated copies. */
typedef struct floatlm_lease_info {
  size_t struct_size;
  uint64_t server_lease; /* the server's lease id (as `floatlm status` shows it) */
  int held;              /* 1 while the seat is held, 0 after it was lost */
  int shared;            /* 1 when the seat is shared with an earlier checkout */
  char feature[257];
  char version[257]; /* version of the pool that serves the lease */
  char pool[257];    /* the server's description of the pool */
  char expiry[257];  /* license expiry: "31-dec-2027" or "permanent" */
  uint32_t seats;    /* seats the lease holds (floatlm_client_checkout_seats); 1 otherwise */
} floatlm_lease_info;

/* ---- library ---- */

/* "0.1.0". Static storage. */
FLOATLM_EXPORT const char* floatlm_version(void);
/* Stable identifier of a status code, e.g. "all_seats_in_use"; static storage. */
FLOATLM_EXPORT const char* floatlm_status_name(floatlm_status status);
/* Releases a string returned by the library. NULL is ignored. */
FLOATLM_EXPORT void floatlm_free(void* ptr);

/* ---- options ---- */

FLOATLM_EXPORT floatlm_status floatlm_options_create(floatlm_options_t** out_options);
FLOATLM_EXPORT void floatlm_options_destroy(floatlm_options_t* options);
/* "port@host[:port@host...]", tried in order. NULL or "" (the default) reads the
 * environment at connect time: the application's own variable (below), then
 * $FLOATLM_LICENSE, then the port@host entries of $LM_LICENSE_FILE. Checked at connect. An
 * entry written "tls:port@host" (or "tls:@host" for port 27000) is reached over TLS only:
 * see floatlm_options_set_tls_ca(). */
FLOATLM_EXPORT floatlm_status floatlm_options_set_servers(floatlm_options_t* options,
                                                          const char* servers);
/* The name of the application's own server variable, read first when no server list
 * is set, as FlexLM applications read VENDOR_LICENSE_FILE: e.g. "ACME_LICENSE_FILE".
 * NULL or "" (the default) reads only the standard variables. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_license_variable(floatlm_options_t* options,
                                                                   const char* name);
/* Application name shown by `floatlm status` (default: the program's name). */
FLOATLM_EXPORT floatlm_status floatlm_options_set_app_name(floatlm_options_t* options,
                                                           const char* app);
/* Overrides the identity; NULL keeps $FLOATLM_USER/$FLOATLM_HOST/$FLOATLM_DISPLAY,
 * else the OS's user name, host name and $DISPLAY or terminal. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_identity(floatlm_options_t* options,
                                                           const char* user, const char* host,
                                                           const char* display);
/* Reply deadline for each request (default 10000 ms; 0 is refused). */
FLOATLM_EXPORT floatlm_status floatlm_options_set_request_timeout_ms(floatlm_options_t* options,
                                                                     uint32_t timeout_ms);
/* Reconnect delay: starts at `initial_ms`, doubles up to `max_ms`, with jitter
 * (default 100 ms to 5000 ms). */
FLOATLM_EXPORT floatlm_status floatlm_options_set_reconnect_backoff_ms(floatlm_options_t* options,
                                                                       uint32_t initial_ms,
                                                                       uint32_t max_ms);
/* PEM file of the certificate authorities that may sign a "tls:" server's certificate.
 * NULL or "" (the default) reads $FLOATLM_TLS_CA at connect time, and without it uses
 * the system's trust store. TLS 1.2 is the minimum; the certificate chain must verify
 * and name the host as written in the entry (a DNS name, or an IP address such as
 * 127.0.0.1). Otherwise connect fails with FLOATLM_E_CONNECT_FAILED and last_error
 * names the entry and the reason, e.g. "tls:27001@127.0.0.1: server certificate does
 * not verify (unable to get local issuer certificate)". The file is read at connect. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_tls_ca(floatlm_options_t* options,
                                                         const char* pem_file);
FLOATLM_EXPORT floatlm_status floatlm_options_set_lease_callback(floatlm_options_t* options,
                                                                 floatlm_lease_callback callback,
                                                                 void* user_data);
FLOATLM_EXPORT floatlm_status floatlm_options_set_queue_callback(floatlm_options_t* options,
                                                                 floatlm_queue_callback callback,
                                                                 void* user_data);
/* Like floatlm_options_set_lease_callback, with the lease's feature in the event; the
 * two share one slot: the later call wins. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_lease_event_callback(
    floatlm_options_t* options, floatlm_lease_event_callback callback, void* user_data);
/* FLOATLM_DENIAL_FULL (default) or FLOATLM_DENIAL_SHORT; see floatlm_denial_text. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_denial_text(floatlm_options_t* options,
                                                              floatlm_denial_text text);
/* With `enable` 1, a seat that is really lost (LOST: timed out while the computer slept,
 * removed by an admin, its license expired, or not regained after a reconnect) is
 * checked out again by the library, retried with the reconnect backoff until granted,
 * and reported REGAINED under the same lease id. Default 0: a lost seat stays lost and
 * the application must check out again itself. A seat refused by the vendor-key check
 * is never retried. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_reacquire(floatlm_options_t* options,
                                                            int enable);
/* The duplicate grouping this application asks for, in the syntax of the license
 * keyword DUP_GROUP= (as FlexLM applications pass LM_DUP_* flags to lc_checkout):
 * "NONE" (every checkout takes its own seat), "SITE" (everyone shares one seat), or the
 * letters U (user), H (host), D (display), V (version) that checkouts must have in
 * common to share a seat, e.g. "UH" or "UHD". It applies only where the serving license
 * line has no DUP_GROUP= of its own; a line's DUP_GROUP=, USER_BASED, HOST_BASED and a
 * collection's SUITE_DUP_GROUP always win. NULL or "" (the default): the server's
 * default, UH: the checkouts of one user on one host share a seat. Sent with every
 * checkout and kept by the server with the lease. FLOATLM_E_BAD_ARGUMENT for any other
 * text. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_dup_group(floatlm_options_t* options,
                                                            const char* group);
/* Trusts `public_key_pem` (the vendor's Ed25519 public key, "BEGIN PUBLIC KEY" PEM text,
 * e.g. from a header made by `floatlm-vendor embed`) for license lines of `vendor`. Call
 * once per vendor; a second key for the same vendor replaces the first. With at least
 * one key set, every seat must be proved by the license lines the server sends with it:
 * each line names a vendor with a key here and its signature verifies under that key,
 * and a line covers the feature, the version asked and this computer's date (START to
 * expiry). Otherwise the seat is checked in at once and checkout (or a reattach after a
 * reconnect, reported through the lease callback) fails with FLOATLM_E_UNTRUSTED_LICENSE
 * and a sentence saying which check failed. An application using features of several
 * vendors adds each vendor's key. Each distinct line is verified once per client handle.
 * Without any key nothing is checked. FLOATLM_E_BAD_ARGUMENT if the PEM is not an
 * Ed25519 public key or `vendor` is empty or longer than 256 bytes. */
FLOATLM_EXPORT floatlm_status floatlm_options_add_vendor_key(floatlm_options_t* options,
                                                             const char* vendor,
                                                             const char* public_key_pem);

/* A directory of vendor public keys ("<vendor>.pub", as floatlm-vendor keygen writes them)
 * that check the node-locked lines of license files named in the server list, for vendors
 * without a key from floatlm_options_add_vendor_key. Such lines (uncounted, with HOSTID=)
 * are served by the library itself, with no server, when this computer has one of their
 * host ids and their signature verifies under the vendor's key; without a key they are
 * not served. NULL or "" = none. */
FLOATLM_EXPORT floatlm_status floatlm_options_set_vendor_key_dir(floatlm_options_t* options,
                                                                const char* dir);

/* Adds a host id of this computer that the library reports to the server, next to the ones
 * it reads itself (each ethernet address, HOSTNAME=, and ID= from /etc/machine-id): a
 * vendor-computed id such as "COMPOSITE=2F1A..." or "FLEXID=9-..." for license lines
 * node-locked to it. May be called several times; at most 32 ids are reported in all.
 * FLOATLM_E_BAD_ARGUMENT if `host_id` is empty, longer than 256 bytes, contains a blank,
 * or is ANY, DEMO or INTERNET=... (those name no computer). */
FLOATLM_EXPORT floatlm_status floatlm_options_add_host_id(floatlm_options_t* options,
                                                         const char* host_id);

/* ---- client ---- */

/* Makes a client from a copy of `options` (NULL = defaults). No I/O. */
FLOATLM_EXPORT floatlm_status floatlm_client_create(const floatlm_options_t* options,
                                                    floatlm_client_t** out_client);
/* Connects to the first reachable server of the list and says HELLO; starts the
 * background thread. FLOATLM_E_CONNECT_FAILED when no server answers,
 * FLOATLM_E_BAD_ARGUMENT for an unusable server list. Call once: a second call, also
 * one racing the first, fails with FLOATLM_E_BAD_ARGUMENT; after a failure it may be
 * called again. A checkout while it runs fails with FLOATLM_E_DISCONNECTED. */
FLOATLM_EXPORT floatlm_status floatlm_client_connect(floatlm_client_t* client);
/* Checks out a seat of `feature`; `version` NULL or "" = any version. With
 * `wait_seconds` > 0 the request waits in the server's queue that long. On a
 * denial returns the server's code (e.g. FLOATLM_E_ALL_SEATS_IN_USE) and
 * last_error holds its sentence. Thread-safe. */
FLOATLM_EXPORT floatlm_status floatlm_client_checkout(floatlm_client_t* client, const char* feature,
                                                      const char* version, uint32_t wait_seconds,
                                                      uint64_t* out_lease);
/* Checks out `seats` seats of `feature` at once, as one lease: all of them or none
 * (FlexLM's lc_checkout with nlic > 1), for a job that needs several, e.g. one seat per
 * 4 cores. 1 <= seats <= 1000, else FLOATLM_E_BAD_ARGUMENT. The seats come from one
 * license pool and are shared with no other checkout (no DUP_GROUP sharing); a checkout
 * that waits (`wait_seconds` > 0) keeps its place in the queue, and seats that free up
 * are held for it until it has them all. FLOATLM_E_TOO_FEW_SEATS when no license has
 * that many; a server that cannot grant several seats at once is refused with
 * FLOATLM_E_UNSUPPORTED_VERSION (the seat it granted is handed back). One checkin frees
 * them all. Otherwise as floatlm_client_checkout. Thread-safe. */
FLOATLM_EXPORT floatlm_status floatlm_client_checkout_seats(floatlm_client_t* client,
                                                            const char* feature,
                                                            const char* version, uint32_t seats,
                                                            uint32_t wait_seconds,
                                                            uint64_t* out_lease);
/* Frees the seat. The lease id is forgotten whatever the result; when the client is
 * disconnected it returns FLOATLM_E_DISCONNECTED and the server frees the seat when
 * its reattach window ends. Thread-safe. */
FLOATLM_EXPORT floatlm_status floatlm_client_checkin(floatlm_client_t* client, uint64_t lease);
/* Copies what is known about a lease. Thread-safe; no I/O. */
FLOATLM_EXPORT floatlm_status floatlm_client_lease_info(floatlm_client_t* client, uint64_t lease,
                                                        floatlm_lease_info* out_info);
/* The server's status report for `feature` (NULL or "" = all), as text (json = 0) or
 * JSON (json = 1). Release *out_text with floatlm_free(). Thread-safe. */
FLOATLM_EXPORT floatlm_status floatlm_client_status(floatlm_client_t* client, const char* feature,
                                                    int json, char** out_text);
/* Asks the server what a checkout of `feature` (`version` NULL or "" = any) by this
 * client's identity would get now, and why: the verdict, then each pool that could serve
 * it in cascading order with its use and why it was chosen or passed over. Nothing is
 * checked out. Text (json = 0) or JSON (json = 1, schema "floatlm.diag/1"). Release
 * *out_text with floatlm_free(). Thread-safe. */
FLOATLM_EXPORT floatlm_status floatlm_client_diag(floatlm_client_t* client, const char* feature,
                                                  const char* version, int json, char** out_text);
/* 1 while connected to a server, else 0. Thread-safe. */
FLOATLM_EXPORT int floatlm_client_is_connected(floatlm_client_t* client);
/* Sentence explaining the latest failure on this handle, "" if none. The pointer
 * stays valid until the calling thread calls floatlm_client_last_error() again. */
FLOATLM_EXPORT const char* floatlm_client_last_error(floatlm_client_t* client);
/* Checks in every held lease, stops the background thread and frees the handle
 * (also on failure; NULL is ignored). Returns the first checkin failure, if any.
 * Must not race with other calls on the same handle. */
FLOATLM_EXPORT floatlm_status floatlm_client_close(floatlm_client_t* client);

#ifdef __cplusplus
}
#endif

#endif /* FLOATLM_FLOATLM_H_ */
