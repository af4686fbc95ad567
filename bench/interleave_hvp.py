#!/usr/bin/env python3
"""Second order: H v against a gradient step, tapeless and libtorch, interleaved.

usage: python3 bench/interleave_hvp.py BUILD_DIR [ROUNDS] [MIN_TIME]

Runs bench_hvp and (if built) bench_torch_hvp of BUILD_DIR/bench one after
the other, ROUNDS times (default 5), each run with 3 repetitions and the
benchmarks of a binary in random order
(--benchmark_enable_random_interleaving). For every benchmark it keeps the
median of each round, and prints the median over rounds (and the range),
and for every implementation and scalar type the ratio hvp / grad: computed
within each round (the two ran seconds apart), median over rounds. Real
time, and CPU time (which leaves out the time the process waited for a core:
the better figure when other jobs share the machine). Plain python3.
"""
import json
import os
import statistics
import subprocess
import sys

from interleave import fmt

BINARIES = ["bench_hvp", "bench_torch_hvp"]


def run(path, min_time):
    out = subprocess.run(
        [path, "--benchmark_repetitions=3", "--benchmark_enable_random_interleaving=true",
         "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}",
         "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            name = b["run_name"].removesuffix("/real_time")
            times[name] = b["real_time"] * scale
            times[name + "@cpu"] = b["cpu_time"] * scale
    return times


def main():
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    min_time = sys.argv[3] if len(sys.argv) > 3 else "0.2"
    paths = [f"{build}/bench/{b}" for b in BINARIES if os.path.exists(f"{build}/bench/{b}")]
    series = {}  # benchmark name -> [median of each round]
    for _ in range(rounds):
        for path in paths:
            for name, ns in run(path, min_time).items():
                series.setdefault(name, []).append(ns)
    # name: impl/problem/scalar/mode
    keys = sorted({tuple(n.split("/")[:3]) for n in series})
    for clock, suffix in (("real time", ""), ("CPU time", "@cpu")):
        print(f"{clock}:")
        print()
        print("| implementation | problem | scalar | gradient step | H v | H v / gradient "
              "(median of per-round ratios) | range of the ratio |")
        print("|---|---|---|---|---|---|---|")
        for impl, problem, scalar in keys:
            g = series.get(f"{impl}/{problem}/{scalar}/grad{suffix}")
            h = series.get(f"{impl}/{problem}/{scalar}/hvp{suffix}")
            if not g or not h:
                continue
            ratios = [b / a for a, b in zip(g, h)]
            print(f"| {impl} | {problem} | {scalar} | {fmt(statistics.median(g))} "
                  f"| {fmt(statistics.median(h))} | {statistics.median(ratios):.2f} "
                  f"| {min(ratios):.2f}-{max(ratios):.2f} |")
        print()
    print()
    print("Per benchmark, median over rounds (min-max of the rounds' medians):")
    for name in sorted(series):
        s = series[name]
        print(f"  {name}: {fmt(statistics.median(s))} ({fmt(min(s))}-{fmt(max(s))})")


if __name__ == "__main__":
    main()
