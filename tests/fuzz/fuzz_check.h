// A check for fuzz targets: a broken property aborts, so libFuzzer records the input as a
// crash. assert() would vanish under NDEBUG (the fuzz build is RelWithDebInfo).
#ifndef FLOATLM_TESTS_FUZZ_FUZZ_CHECK_H_
#define FLOATLM_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                            \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: property broken: %s (%s)\n", __FILE__, __LINE__, what, \
                   #cond);                                                                \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

#endif  // FLOATLM_TESTS_FUZZ_FUZZ_CHECK_H_
