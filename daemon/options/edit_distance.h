// Edit distance between two short words, for "did you mean" hints (a misspelt options
// keyword, a feature name off by a letter): insertions, deletions, substitutions and
// swaps of two neighbours ("stauts") each count one. Words longer than 64 bytes are as
// far apart as their length: hints are for typos, not for comparing long text.
#ifndef FLOATLM_DAEMON_OPTIONS_EDIT_DISTANCE_H_
#define FLOATLM_DAEMON_OPTIONS_EDIT_DISTANCE_H_

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace floatlm::options {

inline std::size_t EditDistance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return std::max(a.size(), b.size());
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                   d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = best;
    }
  }
  return d[a.size() * w + b.size()];
}

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_EDIT_DISTANCE_H_
