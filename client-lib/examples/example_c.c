/* Checks out a feature with libfloatlm's C ABI, holds it, and checks it in.
 *
 *   floatlm-example-c FEATURE[:VERSION] [SECONDS]
 *
 * The server list comes from $FLOATLM_LICENSE (port@host). Exit status: 0 when the
 * seat was granted and returned, 3 when it was denied, 1 on other errors.
 *
 * A vendor's application trusts only its own signature. Build with the header
 * `floatlm-vendor embed --pub acme.pub --vendor acme -o acme_key.h` writes:
 *
 *   cc -DFLOATLM_VENDOR_KEY_HEADER='"acme_key.h"' -DFLOATLM_TRUST_VENDOR=floatlm_trust_acme ...
 *
 * and a seat whose license lines acme did not sign is refused (exit 3). */
#include <floatlm/floatlm.h>
#ifdef FLOATLM_VENDOR_KEY_HEADER
#include FLOATLM_VENDOR_KEY_HEADER
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_lease(void* user_data, uint64_t lease, floatlm_lease_event event,
                     floatlm_status code, const char* message) {
  (void)user_data;
  fprintf(stderr, "lease %llu %s (%s): %s\n", (unsigned long long)lease,
          event == FLOATLM_LEASE_LOST ? "lost" : "regained", floatlm_status_name(code), message);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FEATURE[:VERSION] [SECONDS]\n", argv[0]);
    return 2;
  }
  char feature[300];
  snprintf(feature, sizeof(feature), "%s", argv[1]);
  char* version = strchr(feature, ':');
  if (version != NULL) *version++ = '\0';
  const unsigned seconds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;

  floatlm_options_t* options = NULL;
  floatlm_client_t* client = NULL;
  if (floatlm_options_create(&options) != FLOATLM_OK) return 1;
  floatlm_options_set_app_name(options, "example-c");
  floatlm_options_set_lease_callback(options, on_lease, NULL);
#ifdef FLOATLM_TRUST_VENDOR
  if (FLOATLM_TRUST_VENDOR(options) != FLOATLM_OK) return 1;
#endif
  floatlm_status rc = floatlm_client_create(options, &client);
  floatlm_options_destroy(options);
  if (rc != FLOATLM_OK) return 1;

  rc = floatlm_client_connect(client);
  if (rc != FLOATLM_OK) {
    fprintf(stderr, "connect: %s\n", floatlm_client_last_error(client));
    floatlm_client_close(client);
    return 1;
  }
  uint64_t lease = 0;
  rc = floatlm_client_checkout(client, feature, version, 0, &lease);
  if (rc != FLOATLM_OK) {
    fprintf(stderr, "checkout %s denied (%s): %s\n", feature, floatlm_status_name(rc),
            floatlm_client_last_error(client));
    floatlm_client_close(client);
    return rc == FLOATLM_E_CONNECT_FAILED || rc == FLOATLM_E_DISCONNECTED ||
                   rc == FLOATLM_E_TIMED_OUT || rc == FLOATLM_E_INTERNAL
               ? 1
               : 3;
  }
  floatlm_lease_info info;
  memset(&info, 0, sizeof(info));
  info.struct_size = sizeof(info);
  if (floatlm_client_lease_info(client, lease, &info) == FLOATLM_OK) {
    printf("granted %s %s: lease %llu, pool %s, expires %s\n", info.feature, info.version,
           (unsigned long long)info.server_lease, info.pool, info.expiry);
    fflush(stdout);
  }
  if (seconds > 0) sleep(seconds);
  rc = floatlm_client_checkin(client, lease);
  if (rc != FLOATLM_OK)
    fprintf(stderr, "checkin: %s\n", floatlm_client_last_error(client));
  else
    printf("checked in\n");
  floatlm_client_close(client);
  return rc == FLOATLM_OK ? 0 : 1;
}
