#!/usr/bin/env bash
# The whole benchmark suite, from a fresh Debian 12 machine, as root, from
# anywhere:
#   bash bench/run.sh
# 1. installs what is missing (compilers, Eigen, Boost, Google Benchmark and
#    the peers: libtorch, ADOL-C; OpenBLAS, OpenMP build, for libtorch and
#    tapeless::blas alike),
# 2. builds the benchmarks with g++ and with clang++ (one compilation at a
#    time, each timed: compile_times.txt),
# 3. runs every binary (validation first: a gradient mismatch stops the run)
#    to Google Benchmark JSON, medians of REPS repetitions,
# 4. runs the compile-time depth sweep (tapeless and its hand-written Eigen
#    twin), unless SWEEP=0,
# 5. writes report.md (tables) and chart.svg (bench/report.py), and copies
#    the chart to bench/chart.svg.
# Everything lands in bench/results/<UTC date-time>/ (RESULTS= to choose).
# Environment: REPS (default 5), MIN_TIME (seconds per repetition, default
# 0.5), SWEEP (1), SWEEP_DEPTHS ("2 4 8 16 32"), REPEAT (sweep runs per
# point, 3), BUILD (1; 0 runs the binaries already in bench/build/ and
# reports the compile times logged there). Run it on a quiet machine: nothing else compiling.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
reps=${REPS:-5}
min_time=${MIN_TIME:-0.5}
results=${RESULTS:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$results"

packages=(cmake ninja-build g++ clang time libeigen3-dev libboost-dev
          libbenchmark-dev libtorch-dev libadolc-dev libopenblas-openmp-dev python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "g++: $(g++ --version | head -1)"
  echo "clang++: $(clang++ --version | head -1)"
  echo "libblas.so.3: $(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
  echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
} > "$results/machine.txt"
cat "$results/machine.txt"

for c in gcc:g++ clang:clang++; do
  [ "${BUILD:-1}" = 1 ] || break
  name=${c%%:*}; cxx=${c#*:}
  build=$here/build/$name
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
    -DTAPELESS_BUILD_BENCHMARKS=ON -DTAPELESS_BENCH_TIME_COMPILES=ON -DBUILD_TESTING=OFF \
    -DTAPELESS_BUILD_TESTS=OFF -DTAPELESS_BUILD_EXAMPLES=OFF -DTAPELESS_COMPILE_FAIL_TESTS=OFF \
    -DTAPELESS_CONSUMER_TESTS=OFF > "$results/cmake-$name.log"
  grep "tapeless benchmarks" "$results/cmake-$name.log" || true
  rm -f "$build/compile_times.txt"
  echo "building with $cxx (one compilation at a time)"
  cmake --build "$build" -j1 --clean-first > "$results/build-$name.log"
  cp "$build/compile_times.txt" "$results/compile_times-$name.txt"
done

if [ "${BUILD:-1}" != 1 ]; then
  for name in gcc clang; do
    [ -f "$here/build/$name/compile_times.txt" ] &&
      cp "$here/build/$name/compile_times.txt" "$results/compile_times-$name.txt"
  done
fi

run() {  # compiler-name binary
  local exe=$here/build/$1/bench/$2
  [ -x "$exe" ] || { echo "skipped: $2 ($1): not built"; return 0; }
  echo "running $2 ($1)"
  "$exe" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" --benchmark_out_format=json \
    --benchmark_out="$results/$1-$2.json" > "$results/$1-$2.txt" 2> "$results/$1-$2.err" ||
    { cat "$results/$1-$2.err"; echo "FAILED: $2 ($1)"; exit 1; }
}
run gcc bench_peak
for c in gcc clang; do
  run "$c" bench_eigen; run "$c" bench_eigen_dyn; run "$c" bench_tapeless; run "$c" bench_tapeless_blas
done
# The peers once, from the g++ build: their time is their library's.
run gcc bench_torch
run gcc bench_adolc

if [ "${SWEEP:-1}" = 1 ]; then
  echo "compile-time sweep"
  # shellcheck disable=SC2086
  "$here/compile_time/measure.sh" ${SWEEP_DEPTHS:-2 4 8 16 32} > "$results/compile_sweep.md"
fi

python3 "$here/report.py" "$results" > /dev/null
cp "$results/chart.svg" "$here/chart.svg"   # the chart bench/README.md shows
echo "results: $results (report.md, chart.svg; chart copied to bench/chart.svg)"
