#include "floatlm/proto/errc.h"

namespace floatlm {

std::string_view ErrcName(Errc code) noexcept {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kNoSuchFeature: return "no_such_feature";
    case Errc::kAllSeatsInUse: return "all_seats_in_use";
    case Errc::kVersionNotLicensed: return "version_not_licensed";
    case Errc::kNotYetValid: return "not_yet_valid";
    case Errc::kExpired: return "expired";
    case Errc::kExcludedByOptions: return "excluded_by_options";
    case Errc::kReservedForOthers: return "reserved_for_others";
    case Errc::kMaxReachedForUser: return "max_reached";
    case Errc::kNotAssigned: return "not_assigned";
    case Errc::kCloudUsersExhausted: return "cloud_users_exhausted";
    case Errc::kQueueTimeout: return "queue_timeout";
    case Errc::kWrongHost: return "wrong_host";
    case Errc::kTooFewSeats: return "too_few_seats";
    case Errc::kNoSuchLease: return "no_such_lease";
    case Errc::kBadToken: return "bad_token";
    case Errc::kLeaseRemoved: return "lease_removed";
    case Errc::kLeaseTimedOut: return "lease_timed_out";
    case Errc::kLeaseExpired: return "lease_expired";
    case Errc::kPoolRemoved: return "pool_removed";
    case Errc::kMalformedRequest: return "malformed_request";
    case Errc::kUnsupportedVersion: return "unsupported_version";
    case Errc::kUnknownMessage: return "unknown_message";
    case Errc::kHelloRequired: return "hello_required";
    case Errc::kTooManyRequests: return "too_many_requests";
    case Errc::kServerShuttingDown: return "server_shutting_down";
    case Errc::kTooManyConnections: return "too_many_connections";
    case Errc::kBadArgument: return "bad_argument";
    case Errc::kPermissionDenied: return "permission_denied";
    case Errc::kRereadFailed: return "reread_failed";
    case Errc::kAssignmentsFull: return "assignments_full";
    case Errc::kStoreUnavailable: return "store_unavailable";
    case Errc::kConnectFailed: return "connect_failed";
    case Errc::kDisconnected: return "disconnected";
    case Errc::kTimedOut: return "timed_out";
    case Errc::kInternal: return "internal";
    case Errc::kUntrustedLicense: return "untrusted_license";
  }
  return "unknown";
}

}  // namespace floatlm
