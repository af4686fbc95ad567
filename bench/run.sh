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
#    to Google Benchmark JSON, medians of REPS repetitions, ROUNDS times
#    with the binaries interleaved (report.py keeps each benchmark's least
#    disturbed round, its smallest median, as bench/interleave.py does),
# 4. runs the compile-time depth sweep (tapeless and its hand-written Eigen
#    twin), unless SWEEP=0,
# 5. writes report.md (tables) and chart.svg (bench/report.py), and copies
#    the chart to bench/chart.svg.
# Everything lands in bench/results/<UTC date-time>/ (RESULTS= to choose).
# Environment: REPS (default 3), MIN_TIME (seconds per repetition, default
# 0.2), ROUNDS (3), SWEEP (1), SWEEP_DEPTHS ("2 4 8 16 32"), REPEAT (sweep
# runs per point, 3), BUILD (1; 0 runs the binaries already in bench/build/ and
# reports the compile times logged there). Run it on a quiet machine: nothing else compiling.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
reps=${REPS:-3}
min_time=${MIN_TIME:-0.2}
rounds=${ROUNDS:-3}
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

# libtorch sizes its threads through OpenMP. With the pthread build of
# OpenBLAS (what the alternatives select when libopenblas-dev came first, as
# after .ci/install-deps) every BLAS call also starts OpenBLAS's own threads:
# libtorch's "1 thread" ran P4 on two (15.7 ms) and its 2 threads
# oversubscribed the cores (40 ms), where the OpenMP build gives 28 and 15 ms
# (2026-12-05). So every binary, tapeless::blas's too, runs with the OpenMP
# build, whichever the alternatives select.
openmp_blas=/usr/lib/$(gcc -print-multiarch)/openblas-openmp
export LD_LIBRARY_PATH=$openmp_blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "g++: $(g++ --version | head -1)"
  echo "clang++: $(clang++ --version | head -1)"
  echo "libblas.so.3: $(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p') (the alternative; the binaries run with $openmp_blas first on LD_LIBRARY_PATH)"
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

run() {  # compiler-name binary [round]
  local exe=$here/build/$1/bench/$2 out=$results/$1-$2${3:+.r$3}
  [ -x "$exe" ] || { echo "skipped: $2 ($1): not built"; return 0; }
  echo "running $2 ($1)${3:+, round $3 of $rounds}"
  "$exe" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" --benchmark_out_format=json \
    --benchmark_out="$out.json" > "$out.txt" 2> "$out.err" ||
    { cat "$out.err"; echo "FAILED: $2 ($1)"; exit 1; }
}
run gcc bench_peak
# On this kind of machine the speed drifts by tens of percent over minutes:
# run one after the other, every binary sees one drift only and its ratios
# to the others do not mean much for small problems. Interleaved, each round
# puts all of them through the same conditions.
for ((round = 1; round <= rounds; round++)); do
  for c in gcc clang; do
    run "$c" bench_eigen "$round"; run "$c" bench_eigen_dyn "$round"
    run "$c" bench_tapeless "$round"; run "$c" bench_tapeless_blas "$round"
  done
  # The peers from the g++ build only: their time is their library's.
  run gcc bench_torch "$round"
  run gcc bench_adolc "$round"
done

if [ "${SWEEP:-1}" = 1 ]; then
  echo "compile-time sweep"
  # shellcheck disable=SC2086
  "$here/compile_time/measure.sh" ${SWEEP_DEPTHS:-2 4 8 16 32} > "$results/compile_sweep.md"
fi

python3 "$here/report.py" "$results" > /dev/null
cp "$results/chart.svg" "$here/chart.svg"   # the chart bench/README.md shows
echo "results: $results (report.md, chart.svg; chart copied to bench/chart.svg)"
