// Reads a fuzz input as a script of small decisions, front to back. Like libFuzzer's
// FuzzedDataProvider (same method names), but plain C++ so the targets also build with
// g++ as replay tests. An exhausted script reads as zeros.
#ifndef FLOATLM_TESTS_FUZZ_FUZZ_SCRIPT_H_
#define FLOATLM_TESTS_FUZZ_FUZZ_SCRIPT_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

class FuzzScript {
 public:
  FuzzScript(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::size_t remaining_bytes() const { return size_ - pos_; }

  template <typename T>
  T ConsumeIntegral() {
    return ConsumeIntegralInRange<T>(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }

  // A value in [min, max], from as many bytes as the range needs.
  template <typename T>
  T ConsumeIntegralInRange(T min, T max) {
    static_assert(std::is_integral_v<T>);
    if (min >= max) return min;
    const std::uint64_t range = static_cast<std::uint64_t>(max) - static_cast<std::uint64_t>(min);
    std::uint64_t v = 0;
    for (std::uint64_t seen = 0; seen < range && pos_ < size_; seen = (seen << 8) | 0xFF) {
      v = (v << 8) | data_[pos_++];
    }
    if (range != std::numeric_limits<std::uint64_t>::max()) v %= range + 1;
    return static_cast<T>(static_cast<std::uint64_t>(min) + v);
  }

  bool ConsumeBool() { return (ConsumeIntegral<std::uint8_t>() & 1) != 0; }

  std::string ConsumeBytesAsString(std::size_t n) {
    if (n > remaining_bytes()) n = remaining_bytes();
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

  // Up to `max` bytes, ended early by a backslash not followed by another backslash
  // (FuzzedDataProvider's convention, which lets mutations change lengths cheaply).
  std::string ConsumeRandomLengthString(std::size_t max) {
    std::string out;
    while (out.size() < max && pos_ < size_) {
      char c = static_cast<char>(data_[pos_++]);
      if (c == '\\' && pos_ < size_) {
        c = static_cast<char>(data_[pos_++]);
        if (c != '\\') break;
      }
      out.push_back(c);
    }
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

#endif  // FLOATLM_TESTS_FUZZ_FUZZ_SCRIPT_H_
