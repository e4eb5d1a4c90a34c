// How the options policy sees a license pool: its feature name, version and, for each of
// its lines, the serial number, expiry and every attribute, so a rule's
// `feature:KEYWORD=value` qualifier can be matched. Used by the engine on checkout and by
// the loader to warn about rules that match no pool.
#ifndef FLOATLM_DAEMON_ENGINE_POLICY_FEATURE_H_
#define FLOATLM_DAEMON_ENGINE_POLICY_FEATURE_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"
#include "options/options_policy.h"

namespace floatlm::engine {

class PolicyFeature {
 public:
  // Keeps pointers into `pool`, which must outlive this object.
  explicit PolicyFeature(const licenses::Pool& pool);

  PolicyFeature(const PolicyFeature&) = delete;
  PolicyFeature& operator=(const PolicyFeature&) = delete;

  // Points into this object and the pool: valid while both live.
  options::FeatureRef ref() const;

 private:
  const licenses::Pool* pool_;
  std::string version_;
  std::vector<std::string> expiries_;
  std::vector<options::LineRef> lines_;
};

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_POLICY_FEATURE_H_
