// Denial sentences for end users (FLOATLM_DENIAL_SHORT): what was refused and what to
// do, without the pools, counts and other people's names and hosts of the server's
// sentence. Pure; thread-safe.
#ifndef FLOATLM_CLIENT_DENIAL_TEXT_H_
#define FLOATLM_CLIENT_DENIAL_TEXT_H_

#include <string>

#include "floatlm/proto/errc.h"

namespace floatlm::client {

// `version` "" = any version.
std::string ShortDenial(Errc code, const std::string& feature, const std::string& version);

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_DENIAL_TEXT_H_
