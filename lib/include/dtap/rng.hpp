// A small deterministic random source: the same seed gives the same values on
// every platform (std:: distributions are implementation-defined).
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace dtap {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  // Mixes a seed with a stream index (screen number...), so streams are independent.
  static std::uint64_t derive(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t next() { return engine_(); }
  // Uniform integer in [lo, hi].
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  double real() { return (next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double real(double lo, double hi) { return lo + (hi - lo) * real(); }
  bool chance(double p) { return real() < p; }
  char digit() { return static_cast<char>('0' + uniform(0, 9)); }
  template <class T>
  const T& pick(const std::vector<T>& items) { return items[static_cast<std::size_t>(next() % items.size())]; }
  template <class T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[next() % i]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace dtap
