#!/usr/bin/env python3
"""tapeless against hand-written Eigen with the binaries interleaved.

usage: python3 bench/interleave.py BUILD_DIR [ROUNDS] [MIN_TIME]
       python3 bench/interleave.py --baseline OLD_BENCH_TAPELESS BUILD_DIR [ROUNDS] [MIN_TIME]
       python3 bench/interleave.py --checked BUILD_DIR [ROUNDS] [MIN_TIME]
       python3 bench/interleave.py --threads GCC_BUILD_DIR CLANG_BUILD_DIR [ROUNDS] [MIN_TIME]

Runs bench_eigen, bench_eigen_dyn and bench_tapeless of BUILD_DIR/bench one
after the other, ROUNDS times (default 5), float and eval only, each time
with 3 repetitions, and prints for every problem the minimum over rounds of
each binary's median, and the ratio of tapeless to the faster Eigen. On a
shared or virtual machine the speed drifts by tens of percent over minutes;
interleaving puts every binary through the same drift, and the minimum
keeps each one's least disturbed round. Plain python3.

With --baseline, it compares bench_tapeless of BUILD_DIR with another build
of it (an older commit's, say) the same way, and prints new / old per
problem: the regression check of a change to the library.

With --checked, it compares BUILD_DIR's bench_checked (the same steps made
with tl::checked) with its bench_tapeless the same way, and prints checked /
unchecked: what checking for NaN and infinity costs when it is on.

With --threads, it runs P3 and P4 (float, eval) of bench_tapeless and
bench_tapeless_blas (the large products by OpenBLAS, 1 and 2 threads) of
both builds and bench_torch (1 and 2 threads) of the g++ build the same way,
and prints report.py's two-thread table and targets (libtorch with 2
threads; clang++ against g++) from the minima.
"""
import json
import os
import subprocess
import sys

import report

PROBLEMS = ["P1_seed", "P2_small", "P2_small_A_only", "P3_medium", "P4_large", "deep16"]
BINARIES = ["bench_eigen", "bench_eigen_dyn", "bench_tapeless"]


# As in run.sh: libtorch and tapeless::blas with OpenBLAS's OpenMP build,
# whichever build the alternatives select (with the pthread one, libtorch's
# thread count is not what it was set to).
ENV = dict(os.environ)
_multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
ENV["LD_LIBRARY_PATH"] = ":".join(filter(None, [f"/usr/lib/{_multiarch}/openblas-openmp",
                                                os.environ.get("LD_LIBRARY_PATH")]))


def run(path, min_time, only="/f32/eval"):
    """{(implementation, problem): (median ns, allocations per step)} of one run."""
    out = subprocess.run(
        [path, f"--benchmark_filter={only}", "--benchmark_repetitions=3",
         "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}",
         "--benchmark_format=json"],
        check=True, capture_output=True, text=True, env=ENV).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            impl, problem = b["run_name"].split("/")[:2]
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            times[(impl, problem)] = (b["real_time"] * scale, b.get("allocs_per_step"))
    return times


def threads(gcc, clang, rounds, min_time):
    paths = [(c, f"{build}/bench/{b}") for c, build in (("gcc", gcc), ("clang", clang))
             for b in ("bench_tapeless", "bench_tapeless_blas")] + [("gcc", f"{gcc}/bench/bench_torch")]
    rows = {}
    for _ in range(rounds):
        for c, path in paths:
            for (impl, problem), (ns, allocs) in run(path, min_time, "(P3_medium|P4_large)/f32/eval").items():
                key = (c, impl, problem, "f32", "eval")
                if key not in rows or ns < rows[key]["ns"]:
                    rows[key] = {"ns": ns, "allocs": allocs, "flops": None, "bytes": None}
    r = report.Run(None, rows)
    print(report.threads_table(r))
    print()
    for ok, text in report.threads_targets(r):
        print(f"- [{'x' if ok else ' '}] {text}")


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    args = sys.argv[1:]
    if args[:1] == ["--threads"]:
        threads(args[1], args[2], int(args[3]) if len(args) > 3 else 5,
                args[4] if len(args) > 4 else "0.2")
        return
    baseline = None
    checked = args[:1] == ["--checked"]
    if args[:1] == ["--baseline"]:
        baseline, args = args[1], args[2:]
    elif checked:
        args = args[1:]
        baseline = f"{args[0]}/bench/bench_tapeless"
    build = args[0]
    rounds = int(args[1]) if len(args) > 1 else 5
    min_time = args[2] if len(args) > 2 else "0.2"
    paths = {b: f"{build}/bench/{b}" for b in BINARIES}
    if baseline:
        new = f"{build}/bench/bench_checked" if checked else paths["bench_tapeless"]
        paths = {"baseline": baseline, "bench_tapeless": new}
    best = {b: {} for b in paths}
    for _ in range(rounds):
        for b, path in paths.items():
            for (_, problem), (ns, _) in run(path, min_time).items():
                best[b][problem] = min(ns, best[b].get(problem, ns))
    if baseline:
        print("| problem | unchecked | checked | checked / unchecked |" if checked else
              "| problem | baseline | this build | this / baseline |")
        print("|---|---|---|---|")
        for p in PROBLEMS:
            o, n = best["baseline"][p], best["bench_tapeless"][p]
            print(f"| {p} | {fmt(o)} | {fmt(n)} | {n / o:.3f} |")
        return
    print("| problem | Eigen fixed | Eigen dynamic | tapeless | tapeless / best Eigen "
          "| tapeless / Eigen fixed |")
    print("|---|---|---|---|---|---|")
    for p in PROBLEMS:
        e, d, t = (best[b][p] for b in BINARIES)
        print(f"| {p} | {fmt(e)} | {fmt(d)} | {fmt(t)} | {t / min(e, d):.2f} | {t / e:.2f} |")


if __name__ == "__main__":
    main()
