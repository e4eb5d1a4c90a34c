// A latency histogram with bounded memory: log-linear buckets (about 1% resolution)
// from 1 microsecond to over an hour. Not thread-safe: one per thread, merged at the end.
#ifndef FLOATLM_TOOLS_BENCH_HISTOGRAM_H_
#define FLOATLM_TOOLS_BENCH_HISTOGRAM_H_

#include <array>
#include <cstdint>

namespace floatlm::bench {

class Histogram {
 public:
  void Record(std::uint64_t micros);
  void Merge(const Histogram& other);
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  // Value (microseconds) at quantile q in [0, 1]; an upper bound within ~1%.
  std::uint64_t Quantile(double q) const;

 private:
  static constexpr int kSubBuckets = 128;  // per power of two
  static constexpr int kPowers = 34;       // up to 2^34 us (~4.8 hours)
  static int Index(std::uint64_t micros);
  static std::uint64_t UpperBound(int index);

  std::array<std::uint64_t, kSubBuckets * kPowers> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace floatlm::bench

#endif  // FLOATLM_TOOLS_BENCH_HISTOGRAM_H_
