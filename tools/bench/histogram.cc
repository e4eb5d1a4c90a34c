#include "histogram.h"

#include <algorithm>
#include <bit>

namespace floatlm::bench {

int Histogram::Index(std::uint64_t micros) {
  if (micros < kSubBuckets) return static_cast<int>(micros);
  // Values in [2^p, 2^(p+1)) with p >= 7 share kSubBuckets linear buckets.
  const int p = 63 - std::countl_zero(micros);
  const int power = std::min(p - 6, kPowers - 1);
  const int shift = p - 7;
  const int sub = static_cast<int>((micros >> shift) - kSubBuckets);
  return std::min(power * kSubBuckets + sub, kSubBuckets * kPowers - 1);
}

std::uint64_t Histogram::UpperBound(int index) {
  if (index < kSubBuckets) return static_cast<std::uint64_t>(index);
  const int power = index / kSubBuckets;
  const int sub = index % kSubBuckets;
  const int shift = power - 1;
  return ((static_cast<std::uint64_t>(kSubBuckets + sub + 1)) << shift) - 1;
}

void Histogram::Record(std::uint64_t micros) {
  ++buckets_[static_cast<std::size_t>(Index(micros))];
  ++count_;
  max_ = std::max(max_, micros);
}

void Histogram::Merge(const Histogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(UpperBound(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace floatlm::bench
