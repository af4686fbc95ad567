// What every benchmark binary shares: names, the timed loop with its
// counters, the run's context, and main().
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include <malloc.h>

#include <benchmark/benchmark.h>

#include "heap.hpp"
#include "problems.hpp"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "unknown"
#endif

namespace bench {

// "<implementation>/<problem>/<f32|f64>/<eval|build>": bench/report.py
// parses these. eval: the workspace (program, tape) is built once, outside
// the timed loop; build: it is built inside, at every step.
template <class S>
const char* scalar_name() {
  return sizeof(S) == 4 ? "f32" : "f64";
}
inline std::string name(const std::string& impl, const problem_desc& d, const char* scalar,
                        const char* mode) {
  return impl + "/" + d.name + "/" + scalar + "/" + mode;
}

// Runs `step` once per iteration. Counters: FLOPs of the products per step
// and per second (problems.hpp), heap allocations per step, and the
// workspace's bytes (sizeof plus the heap it owns; measured by the caller).
template <class Step>
void timed_steps(benchmark::State& s, const problem_desc& d, double workspace_bytes, Step&& step) {
  const std::uint64_t before = heap::allocations();
  for (auto _ : s) {
    step();
    benchmark::ClobberMemory();
  }
  const double allocs = static_cast<double>(heap::allocations() - before);
  s.counters["allocs_per_step"] = benchmark::Counter(allocs, benchmark::Counter::kAvgIterations);
  s.counters["FLOPS"] = benchmark::Counter(flops(d), benchmark::Counter::kIsIterationInvariantRate);
  // The same, per step: report.py divides it by the real time, which the
  // library's rate (divided by CPU time) is not for multi-threaded peers.
  s.counters["flop_per_step"] = flops(d);
  s.counters["workspace_bytes"] = workspace_bytes;
}

// Bytes a freshly built object owns: its size plus the heap its
// construction took and kept. `make` returns it in a std::unique_ptr,
// whose own block is not counted twice.
template <class Make>
double footprint(Make&& make) {
  const std::int64_t before = heap::live_bytes();
  auto obj = make();
  const std::int64_t owned =
      heap::live_bytes() - before - static_cast<std::int64_t>(malloc_usable_size(obj.get()));
  return static_cast<double>(sizeof(*obj) + owned);
}

inline std::string compiler() {
#if defined(__clang__)
  return std::string("clang++ ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("g++ ") + __VERSION__;
#else
  return "unknown";
#endif
}

// Runs the validation (a mismatch fails the run before anything is timed),
// then the benchmarks registered by `setup`.
inline int main(int argc, char** argv, const std::function<bool()>& validate_and_register) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("compiler", compiler());
  benchmark::AddCustomContext("flags", BENCH_FLAGS);
  if (!validate_and_register()) {
    std::fprintf(stderr, "gradient validation FAILED: nothing timed\n");
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
