// This machine's single-core peak: a loop of independent FMAs on 256-bit
// vectors (12 accumulators: enough to cover the FMA latency of 4 cycles on
// two pipes), with the benchmarks' flags. Reported as FLOPS (2 per FMA
// lane); bench/report.py divides the products' FLOP rate by it.
#include <immintrin.h>

#include <benchmark/benchmark.h>

namespace {

void fma_f32(benchmark::State& s) {
  constexpr int inner = 1024, acc = 12;
  __m256 r[acc];
  for (int j = 0; j < acc; ++j) r[j] = _mm256_set1_ps(static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  for (auto _ : s) {
    for (int i = 0; i < inner; ++i)
      for (int j = 0; j < acc; ++j) r[j] = _mm256_fmadd_ps(r[j], a, b);
    for (int j = 0; j < acc; ++j) benchmark::DoNotOptimize(r[j]);
  }
  s.counters["FLOPS"] =
      benchmark::Counter(inner * acc * 8.0 * 2.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(fma_f32);

void fma_f64(benchmark::State& s) {
  constexpr int inner = 1024, acc = 12;
  __m256d r[acc];
  for (int j = 0; j < acc; ++j) r[j] = _mm256_set1_pd(static_cast<double>(j));
  const __m256d a = _mm256_set1_pd(0.999999), b = _mm256_set1_pd(1e-6);
  for (auto _ : s) {
    for (int i = 0; i < inner; ++i)
      for (int j = 0; j < acc; ++j) r[j] = _mm256_fmadd_pd(r[j], a, b);
    for (int j = 0; j < acc; ++j) benchmark::DoNotOptimize(r[j]);
  }
  s.counters["FLOPS"] =
      benchmark::Counter(inner * acc * 4.0 * 2.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(fma_f64);

}  // namespace

BENCHMARK_MAIN();
