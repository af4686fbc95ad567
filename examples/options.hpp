#pragma once

// What every training example reads from its command line: the epoch count
// and the figure the run must reach (the tests run the examples with fewer
// epochs and a lower bar than their full runs), and a clock.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace examples {

// `--epochs N` and `--expect X` (the accuracy, or other figure, the run
// must reach for the example to exit with 0).
struct options {
  int epochs;
  double expect;
};
inline options parse(int argc, char** argv, options defaults) {
  options o = defaults;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view key = argv[i];
    if (i + 1 < argc && key == "--epochs") {
      o.epochs = std::atoi(argv[i + 1]);
    } else if (i + 1 < argc && key == "--expect") {
      o.expect = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--epochs N] [--expect X]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

using clock = std::chrono::steady_clock;
inline double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

}  // namespace examples
