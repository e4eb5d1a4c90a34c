// floatlm error codes. They travel on the wire and through the C ABI, so the
// numbers are stable: append new values, never renumber or reuse one.
// Each value is named for what the caller should do about it.
#ifndef FLOATLM_PROTO_ERRC_H_
#define FLOATLM_PROTO_ERRC_H_

#include <cstdint>
#include <string_view>

namespace floatlm {

enum class Errc : std::uint16_t {
  kOk = 0,

  // Denials of a checkout: the request was understood, no seat was granted.
  kNoSuchFeature = 1,       // no license line for this feature: fix the request or the license
  kAllSeatsInUse = 2,       // every seat is held: retry later, or queue
  kVersionNotLicensed = 3,  // the licensed version is lower than the one asked for
  kNotYetValid = 4,         // the license's START date is in the future
  kExpired = 5,             // the license has expired: renew
  kExcludedByOptions = 6,   // the options file excludes this user/host
  kReservedForOthers = 7,   // free seats are reserved for others by the options file
  kMaxReachedForUser = 8,   // an options-file MAX limit was reached
  kNotAssigned = 9,         // named-user license: the user has no assignment
  kCloudUsersExhausted = 10,  // every cloud-user slot of the collection is taken
  kQueueTimeout = 11,       // waited in the queue for the allowed time: retry later
  kWrongHost = 12,          // the license line is node-locked (HOSTID=) to another computer
  kTooFewSeats = 13,        // more seats asked for at once than any license can give: ask for fewer

  // Lease life cycle.
  kNoSuchLease = 20,        // the lease id is unknown (freed, removed or never granted): check out again
  kBadToken = 21,           // reattach token does not match the lease
  kLeaseRemoved = 22,       // an admin removed the lease
  kLeaseTimedOut = 23,      // heartbeats stopped for longer than the TTL
  kLeaseExpired = 24,       // the license behind the lease expired
  kPoolRemoved = 25,        // a reread removed the lease's pool

  // Protocol and connection.
  kMalformedRequest = 40,   // the frame could not be decoded: fix the client
  kUnsupportedVersion = 41,  // protocol version not spoken by the peer
  kUnknownMessage = 42,     // message type not known to the peer
  kHelloRequired = 43,      // a request came before HELLO
  kTooManyRequests = 44,    // per-connection limit reached: slow down
  kServerShuttingDown = 45,  // daemon is stopping: reconnect later
  kTooManyConnections = 46,  // daemon's connection limit reached: retry later
  kBadArgument = 47,        // a field has an invalid value

  // Administration.
  kPermissionDenied = 60,   // admin credentials missing or wrong
  kRereadFailed = 61,       // new license files were rejected; the old state is kept
  kAssignmentsFull = 62,    // named-user license: every seat is assigned
  kStoreUnavailable = 63,   // the state store cannot be written: new checkouts refused

  // Client side (never sent by the daemon).
  kConnectFailed = 80,      // no server in the list could be reached
  kDisconnected = 81,       // the connection was lost
  kTimedOut = 82,           // the server did not answer in time
  kInternal = 83,           // unexpected failure: a bug, please report it
  kUntrustedLicense = 84,   // the grant's license lines are not signed by the application's
                            // vendor key, or do not cover the request: the seat was handed back
};

// Stable lower-case identifier, e.g. "all_seats_in_use"; used in logs, JSON and the CLI.
std::string_view ErrcName(Errc code) noexcept;

}  // namespace floatlm

#endif  // FLOATLM_PROTO_ERRC_H_
