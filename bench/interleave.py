#!/usr/bin/env python3
"""tapeless against hand-written Eigen with the binaries interleaved.

usage: python3 bench/interleave.py BUILD_DIR [ROUNDS] [MIN_TIME]
       python3 bench/interleave.py --baseline OLD_BENCH_TAPELESS BUILD_DIR [ROUNDS] [MIN_TIME]
       python3 bench/interleave.py --checked BUILD_DIR [ROUNDS] [MIN_TIME]

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
"""
import json
import subprocess
import sys

PROBLEMS = ["P1_seed", "P2_small", "P2_small_A_only", "P3_medium", "P4_large", "deep16"]
BINARIES = ["bench_eigen", "bench_eigen_dyn", "bench_tapeless"]


def run(path, min_time):
    out = subprocess.run(
        [path, "--benchmark_filter=/f32/eval", "--benchmark_repetitions=3",
         "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}",
         "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            problem = b["run_name"].split("/")[1]
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            times[problem] = b["real_time"] * scale
    return times


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    args = sys.argv[1:]
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
            for problem, ns in run(path, min_time).items():
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
