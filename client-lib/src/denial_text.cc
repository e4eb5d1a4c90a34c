#include "denial_text.h"

namespace floatlm::client {

std::string ShortDenial(Errc code, const std::string& feature, const std::string& version) {
  const std::string what = version.empty() ? feature : feature + " " + version;
  switch (code) {
    case Errc::kNoSuchFeature:
      return "no license for " + what + " on the license server";
    case Errc::kAllSeatsInUse:
      return "every license for " + what + " is in use; try again later";
    case Errc::kVersionNotLicensed:
      return "version " + version + " of " + feature + " is not licensed";
    case Errc::kNotYetValid:
      return "the license for " + what + " is not valid yet";
    case Errc::kExpired:
      return "the license for " + what + " has expired; ask your administrator to renew it";
    case Errc::kExcludedByOptions:
      return "you are not allowed to use " + what + " (the license server's rules)";
    case Errc::kReservedForOthers:
      return "the free licenses for " + what + " are reserved for others; try again later";
    case Errc::kMaxReachedForUser:
      return "you have reached your limit for " + what;
    case Errc::kNotAssigned:
      return what + " is licensed to named users, and you are not one of them";
    case Errc::kCloudUsersExhausted:
      return "every cloud-service user slot for " + what + " is taken";
    case Errc::kQueueTimeout:
      return "waited for a license for " + what + " without getting one; try again later";
    case Errc::kWrongHost:
      return "the license for " + what + " is locked to other computers, not this one";
    case Errc::kTooFewSeats:
      return "the license for " + what + " has fewer seats than this job asks for at once";
    case Errc::kStoreUnavailable:
      return "the license server cannot hand out new licenses right now; try again later";
    case Errc::kUntrustedLicense:
      return "the license for " + what + " was not issued by this application's vendor";
    default:
      return "no license for " + what + " (" + std::string(ErrcName(code)) + ")";
  }
}

}  // namespace floatlm::client
