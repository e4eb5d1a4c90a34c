#include "engine/policy_feature.h"

#include "engine/labels.h"

namespace floatlm::engine {

PolicyFeature::PolicyFeature(const licenses::Pool& pool)
    : pool_(&pool), version_(pool.version.ToString()) {
  expiries_.reserve(pool.lines.size());
  for (const licenses::PoolLine& line : pool.lines) {
    expiries_.push_back(ExpiryText(line.expiry));
  }
  lines_.reserve(pool.lines.size());
  for (std::size_t i = 0; i < pool.lines.size(); ++i) {
    lines_.push_back({pool.lines[i].serial, expiries_[i], &pool.lines[i].attributes});
  }
}

options::FeatureRef PolicyFeature::ref() const {
  return options::FeatureRef{pool_->feature, version_, lines_};
}

}  // namespace floatlm::engine
