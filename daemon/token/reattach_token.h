// Reattach tokens: the 64-bit secret a granted lease carries, which its client presents
// (REATTACH) to take the lease back after a reconnect or a daemon restart.
//
// Only the client and the daemon's memory know a token. A store keeps its digest
// (SHA-256 over a fixed label, the lease id and the token), so a copy of the state file
// does not let anyone reattach a lease; the daemon checks a presented token against the
// digest. Binding the lease id means one digest cannot be replayed for another lease.
//
// Thread-safety: New() keeps a small per-thread pool; Of() and Matches() are pure.
#ifndef FLOATLM_DAEMON_TOKEN_REATTACH_TOKEN_H_
#define FLOATLM_DAEMON_TOKEN_REATTACH_TOKEN_H_

#include <array>
#include <cstdint>

namespace floatlm::token {

using Digest = std::array<std::uint8_t, 32>;

// A fresh random token from OpenSSL's DRBG (the kernel's CSPRNG if the DRBG cannot be
// seeded). Never 0: 0 means "no token known" to the engine.
std::uint64_t New();

// The digest stored for `token` of lease `lease_id`.
Digest Of(std::uint64_t lease_id, std::uint64_t token);

// Whether `token` is the one `digest` was made from, for lease `lease_id`, compared in
// constant time.
bool Matches(const Digest& digest, std::uint64_t lease_id, std::uint64_t token);

}  // namespace floatlm::token

#endif  // FLOATLM_DAEMON_TOKEN_REATTACH_TOKEN_H_
