// A minimal vendor application: links libfloatlm through the installed headers and
// package files, prints the library version, and asks a server that is not there for
// a seat, which must fail with floatlm::Error rather than crash or hang.
//
// Usage: vendor_app [PORT@HOST]   (default 1@127.0.0.1: nothing listens on port 1)
#include <cstdio>
#include <floatlm/floatlm.hpp>
#include <string>

int main(int argc, char** argv) {
  std::printf("libfloatlm %s\n", floatlm_version());
  const std::string servers = argc > 1 ? argv[1] : "1@127.0.0.1";
  try {
    floatlm::Client client(
        floatlm::Options().Servers(servers).App("vendor_app").RequestTimeoutMs(2000));
    floatlm::Lease lease = client.Checkout("draw");
    std::printf("unexpected: granted lease %llu\n", static_cast<unsigned long long>(lease.id()));
    return 1;
  } catch (const floatlm::Error& e) {
    // Expected without a server: the library reports why, with a stable code name.
    std::printf("checkout failed as expected: %s (%s)\n", e.name(), e.what());
    return 0;
  }
}
