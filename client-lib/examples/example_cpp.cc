// Checks out a feature with the C++ wrapper: the seat is returned when the Lease
// goes out of scope.
//
//   floatlm-example-cpp FEATURE[:VERSION] [SECONDS]
//
// The server list comes from $FLOATLM_LICENSE. Exit status: 0 ok, 3 denied, 1 error.
//
// To trust only the vendor's signature, build with the header `floatlm-vendor embed
// --pub acme.pub --vendor acme -o acme_key.h` writes:
//   c++ -DFLOATLM_VENDOR_KEY_HEADER='"acme_key.h"' -DFLOATLM_VENDOR_NAME='"acme"'
//       -DFLOATLM_VENDOR_KEY_PEM=floatlm_vendor_key_acme ...
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>

#include "floatlm/floatlm.hpp"
#ifdef FLOATLM_VENDOR_KEY_HEADER
#include FLOATLM_VENDOR_KEY_HEADER
#endif

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FEATURE[:VERSION] [SECONDS]\n", argv[0]);
    return 2;
  }
  std::string feature = argv[1];
  std::string version;
  if (const auto colon = feature.find(':'); colon != std::string::npos) {
    version = feature.substr(colon + 1);
    feature.resize(colon);
  }
  const int seconds = argc > 2 ? std::stoi(argv[2]) : 0;
  try {
    floatlm::Options options;
#ifdef FLOATLM_VENDOR_KEY_PEM
    options.VendorKey(FLOATLM_VENDOR_NAME, FLOATLM_VENDOR_KEY_PEM);
#endif
    floatlm::Client client(std::move(options)
                               .App("example-cpp")
                               .OnLease([](std::uint64_t lease, floatlm_lease_event event,
                                           floatlm_status code, const std::string& message) {
                                 std::fprintf(stderr, "lease %llu %s (%s): %s\n",
                                              static_cast<unsigned long long>(lease),
                                              event == FLOATLM_LEASE_LOST ? "lost" : "regained",
                                              floatlm_status_name(code), message.c_str());
                               }));
    client.Connect();
    {
      floatlm::Lease lease = client.Checkout(feature, version);
      const floatlm_lease_info info = lease.Info();
      std::printf("granted %s %s: lease %llu, pool %s, expires %s\n", info.feature, info.version,
                  static_cast<unsigned long long>(info.server_lease), info.pool, info.expiry);
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(seconds));
    }  // checked in here
    std::printf("checked in\n");
    return 0;
  } catch (const floatlm::Error& e) {
    std::fprintf(stderr, "%s: %s\n", e.name(), e.what());
    const bool denied = (e.code() > 0 && e.code() < FLOATLM_E_MALFORMED_REQUEST) ||
                        e.code() == FLOATLM_E_UNTRUSTED_LICENSE;
    return denied ? 3 : 1;
  }
}
