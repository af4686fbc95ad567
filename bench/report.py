#!/usr/bin/env python3
"""Tables (report.md) and chart (chart.svg) from one run of bench/run.sh.

usage: python3 bench/report.py RESULTS_DIR

Reads the Google Benchmark JSON files RESULTS_DIR/<compiler>-<binary>.json
or, from interleaved rounds, <compiler>-<binary>.r<round>.json (medians of
repetitions; of several rounds, each benchmark's smallest median),
compile_times-<compiler>.txt, compile_sweep.md and machine.txt. Every ratio
divides two times from the same run. Plain python3, no third-party modules.
"""
import json
import math
import os
import re
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
PROBLEMS = ["P1_seed", "P2_small", "P2_small_A_only", "P3_medium", "P4_large", "deep16"]
COMPILERS = [("gcc", "g++"), ("clang", "clang++")]


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def load(results):
    """{(compiler, impl, problem, scalar, mode): {ns, flops, allocs, bytes}}, contexts."""
    rows, contexts, samples = {}, {}, {}
    for f in sorted(os.listdir(results)):
        m = re.fullmatch(r"(gcc|clang)-(bench_\w+?)(?:\.r\d+)?\.json", f)
        if not m:
            continue
        with open(os.path.join(results, f)) as fh:
            data = json.load(fh)
        contexts[(m.group(1), m.group(2))] = data.get("context", {})
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            parts = b.get("run_name", b["name"]).split("/")
            key = (m.group(1),) + tuple(parts[:4]) if len(parts) >= 4 else (m.group(1), parts[0])
            ns = b["real_time"] * UNIT_NS[b.get("time_unit", "ns")]
            rec = {
                "ns": ns,
                # FLOP/s against real time where the per-step count is there
                "flops": b["flop_per_step"] / ns * 1e9 if b.get("flop_per_step") else b.get("FLOPS"),
                "allocs": b.get("allocs_per_step"),
                "bytes": b.get("workspace_bytes"),
            }
            if b.get("run_type") == "aggregate":
                # Of several rounds, the least disturbed one.
                if key not in rows or rec["ns"] < rows[key]["ns"]:
                    rows[key] = rec
            else:  # no aggregates in this file: take the median ourselves
                samples.setdefault(key, []).append(rec)
    for key, recs in samples.items():
        if key not in rows:
            rows[key] = {k: median([r[k] for r in recs if r[k] is not None] or [0]) for k in recs[0]}
    return rows, contexts


def fmt_ns(ns):
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_bytes(b):
    if b is None:
        return "–"
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if b >= scale:
            return f"{b / scale:.3g} {unit}"
    return f"{b:.0f} B"


def fmt_ratio(r):
    if r is None:
        return "–"
    return f"{r:.2f}" if 0.1 <= r < 100 else f"{r:.2g}" if r < 0.1 else f"{r:.0f}"


def fmt_allocs(a):
    if a is None:
        return "–"
    return f"{a:.0f}" if abs(a - round(a)) < 1e-9 else f"{a:.2f}"


class Run:
    def __init__(self, results, rows=None):
        """From a results directory, or from rows made elsewhere (interleave.py)."""
        self.rows, self.contexts = (rows, {}) if rows is not None else load(results)
        peak = self.rows.get(("gcc", "fma_f32")) or self.rows.get(("gcc", "fma_f32", ))
        self.peak = peak["flops"] if peak else None
        peak64 = self.rows.get(("gcc", "fma_f64"))
        self.peak64 = peak64["flops"] if peak64 else None

    def get(self, compiler, impl, problem, scalar="f32", mode="eval"):
        return self.rows.get((compiler, impl, problem, scalar, mode))

    def ns(self, *key, **kw):
        r = self.get(*key, **kw)
        return r["ns"] if r else None

    def reference(self, compiler, problem, scalar="f32", mode="eval"):
        """The best hand-written Eigen time: fixed-size or dynamic-size."""
        times = [t for t in (self.ns(compiler, "eigen", problem, scalar, mode),
                             self.ns(compiler, "eigen_dyn", problem, scalar, mode)) if t]
        return min(times) if times else None

    def ratio(self, num, den):
        return num / den if num and den else None


def table_or_note(rows):
    """A table with no data row says so instead."""
    return rows if rows.count("\n") > 1 else "(not run)"


def tapeless_table(run, compiler, mode):
    out = [f"| problem | Eigen fixed | Eigen dynamic | tapeless | ratio to best Eigen | ratio to Eigen fixed "
           f"| tapeless GFLOP/s | % of FP32 peak | allocs/step tapeless / Eigen fixed | "
           f"workspace tapeless / Eigen fixed |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for p in PROBLEMS:
        t = run.get(compiler, "tapeless", p, "f32", mode)
        e = run.get(compiler, "eigen", p, "f32", mode)
        if not t and not e:
            continue
        ref = run.reference(compiler, p, "f32", mode)
        gf = t["flops"] / 1e9 if t and t["flops"] else None
        pct = 100 * t["flops"] / run.peak if t and t["flops"] and run.peak else None
        out.append("| {} | {} | {} | {} | **{}** | {} | {} | {} | {} / {} | {} / {} |".format(
            p, fmt_ns(e and e["ns"]), fmt_ns(run.ns(compiler, "eigen_dyn", p, "f32", mode)),
            fmt_ns(t and t["ns"]), fmt_ratio(run.ratio(t and t["ns"], ref)),
            fmt_ratio(run.ratio(t and t["ns"], e and e["ns"])),
            "–" if gf is None else f"{gf:.1f}", "–" if pct is None else f"{pct:.0f}",
            fmt_allocs(t and t["allocs"]), fmt_allocs(e and e["allocs"]),
            fmt_bytes(t and t["bytes"]), fmt_bytes(e and e["bytes"])))
    return "\n".join(out)


def torch_table(run):
    out = ["| problem | best Eigen (g++) | tapeless (g++) | libtorch 1 thread | libtorch 2 threads "
           "| tapeless / Eigen | torch 1t / Eigen | torch 2t / Eigen | tapeless / torch 1t |",
           "|---|---|---|---|---|---|---|---|---|"]
    for p in PROBLEMS:
        ref = run.reference("gcc", p)
        t = run.ns("gcc", "tapeless", p)
        t1 = run.ns("gcc", "torch_1t", p)
        t2 = run.ns("gcc", "torch_2t", p)
        if not (t1 or t2):
            continue
        out.append(f"| {p} | {fmt_ns(ref)} | {fmt_ns(t)} | {fmt_ns(t1)} | {fmt_ns(t2)} | "
                   f"{fmt_ratio(run.ratio(t, ref))} | {fmt_ratio(run.ratio(t1, ref))} | "
                   f"{fmt_ratio(run.ratio(t2, ref))} | {fmt_ratio(run.ratio(t, t1))} |")
    return "\n".join(out)


THREADED = ("P3_medium", "P4_large")


def threads_table(run):
    """P3 and P4 with the products by OpenBLAS (bench_tapeless_blas) on 1 and 2 threads, both
    compilers, against libtorch (g++ build) on 1 and 2 threads, and tapeless with Eigen."""
    out = ["| problem | tapeless, Eigen: g++ / clang++ | OpenBLAS 1 thread: g++ / clang++ "
           "| OpenBLAS 2 threads: g++ / clang++ | libtorch 1 / 2 threads "
           "| 2 threads / libtorch 2 threads: g++ / clang++ | clang++ / g++: 1 / 2 threads "
           "| allocs/step 2 threads: g++ / clang++ |",
           "|---|---|---|---|---|---|---|---|"]
    for p in THREADED:
        e = [run.ns(c, "tapeless", p) for c, _ in COMPILERS]
        b1 = [run.ns(c, "tapeless_blas_1t", p) for c, _ in COMPILERS]
        b2 = [run.get(c, "tapeless_blas_2t", p) for c, _ in COMPILERS]
        t1, t2 = run.ns("gcc", "torch_1t", p), run.ns("gcc", "torch_2t", p)
        if not any(b2):
            continue
        n2 = [b and b["ns"] for b in b2]
        out.append(f"| {p} | {fmt_ns(e[0])} / {fmt_ns(e[1])} | {fmt_ns(b1[0])} / {fmt_ns(b1[1])} | "
                   f"{fmt_ns(n2[0])} / {fmt_ns(n2[1])} | {fmt_ns(t1)} / {fmt_ns(t2)} | "
                   f"{fmt_ratio(run.ratio(n2[0], t2))} / {fmt_ratio(run.ratio(n2[1], t2))} | "
                   f"{fmt_ratio(run.ratio(b1[1], b1[0]))} / {fmt_ratio(run.ratio(n2[1], n2[0]))} | "
                   f"{fmt_allocs(b2[0] and b2[0]['allocs'])} / {fmt_allocs(b2[1] and b2[1]['allocs'])} |")
    return "\n".join(out)


def threads_targets(run):
    """(met, text) for goals 1 and 2 of the performance issue: two threads against libtorch's
    two, and clang++ against g++, with the products by OpenBLAS."""
    out = []
    for p in THREADED:
        t2 = run.ns("gcc", "torch_2t", p)
        mine = [(cname, run.ns(c, "tapeless_blas_2t", p)) for c, cname in COMPILERS]
        mine = [(cname, t) for cname, t in mine if t]
        if t2 and mine:
            out.append((all(t <= t2 for _, t in mine),
                        f"{p}: with 2 threads at least as fast as libtorch with 2 threads ("
                        + ", ".join(f"{cname} {t / t2:.2f}x its time" for cname, t in mine) + ")"))
    allocs = [r["allocs"] for p in THREADED for c, _ in COMPILERS
              for r in [run.get(c, "tapeless_blas_2t", p)] if r and r["allocs"] is not None]
    if allocs:
        out.append((max(allocs) == 0, "P3_medium, P4_large: no heap allocation per step with 2 "
                    f"threads, both compilers (at most {max(allocs):g})"))
    for p in THREADED:
        ratios = [(threads, run.ratio(run.ns("clang", f"tapeless_blas_{threads}t", p),
                                      run.ns("gcc", f"tapeless_blas_{threads}t", p)))
                  for threads in (1, 2)]
        ratios = [(threads, r) for threads, r in ratios if r]
        if ratios:
            out.append((all(r <= 1.10 for _, r in ratios),
                        f"{p}: the clang++ build within 1.10x of the g++ build ("
                        + ", ".join(f"{threads} thread{'s' if threads > 1 else ''}: {r:.2f}x"
                                    for threads, r in ratios) + ")"))
    return out


def adolc_table(run):
    out = ["| problem | Eigen f64 eval | tapeless f64 eval / build | ADOL-C replay | ADOL-C re-record "
           "| tapeless / Eigen | replay / Eigen | re-record / Eigen | ADOL-C allocs/step replay / re-record |",
           "|---|---|---|---|---|---|---|---|---|"]
    for p in PROBLEMS:
        e = run.ns("gcc", "eigen", p, "f64")
        t = run.ns("gcc", "tapeless", p, "f64")
        tb = run.ns("gcc", "tapeless", p, "f64", "build")
        r = run.get("gcc", "adolc", p, "f64", "eval")
        b = run.get("gcc", "adolc", p, "f64", "build")
        if not (r or b):
            continue
        out.append(f"| {p} | {fmt_ns(e)} | {fmt_ns(t)} / {fmt_ns(tb)} | {fmt_ns(r and r['ns'])} | "
                   f"{fmt_ns(b and b['ns'])} | {fmt_ratio(run.ratio(t, e))} | "
                   f"{fmt_ratio(run.ratio(r and r['ns'], e))} | {fmt_ratio(run.ratio(b and b['ns'], e))} | "
                   f"{fmt_allocs(r and r['allocs'])} / {fmt_allocs(b and b['allocs'])} |")
    return "\n".join(out)


def compile_table(results):
    times = {}
    for c, _ in COMPILERS:
        path = os.path.join(results, f"compile_times-{c}.txt")
        if not os.path.exists(path):
            continue
        for line in open(path):  # the last record of a target wins
            f = line.split()
            if len(f) >= 3 and f[0] != "tapeless_bench_heap":
                times[(c, f[0])] = (float(f[1]), int(f[2]) / 1024)
    if not times:
        return "(no compile_times files)"
    out = ["| target (its one translation unit) | g++ s | g++ peak MiB | g++ ratio to bench_eigen | clang++ s | "
           "clang++ peak MiB | clang++ ratio to bench_eigen |", "|---|---|---|---|---|---|---|"]
    for tu in sorted({k[1] for k in times}):
        cells = []
        for c, _ in COMPILERS:
            v, ref = times.get((c, tu)), times.get((c, "bench_eigen"))
            cells += ["–", "–", "–"] if not v else [
                f"{v[0]:.1f}", f"{v[1]:.0f}", fmt_ratio(v[0] / ref[0] if ref else None)]
        out.append(f"| {tu} | " + " | ".join(cells) + " |")
    return "\n".join(out), times


def targets(run, ctimes):
    lines = []

    def check(ok, text):
        lines.append(f"- [{'x' if ok else ' '}] {text}")

    for c, cname in COMPILERS:
        for mode in ("eval", "build"):
            worst = []
            for p in PROBLEMS:
                r = run.ratio(run.ns(c, "tapeless", p, "f32", mode), run.reference(c, p, "f32", mode))
                if r:
                    worst.append((r, p))
            if worst:
                r, p = max(worst)
                check(r <= 1.10, f"{cname}, {mode}: tapeless within 1.10x of the best hand-written "
                      f"Eigen on every problem (worst {r:.2f}, {p})")
    for p in ("P1_seed", "P2_small", "deep16"):
        allocs = [run.get(c, "tapeless", p)["allocs"] for c, _ in COMPILERS if run.get(c, "tapeless", p)]
        if allocs:
            check(max(allocs) == 0, f"zero heap allocations per step on {p} (eval: {max(allocs):g})")
    allocs = [run.get(c, "tapeless", "P2_small", "f32", "alternate") for c, _ in COMPILERS]
    allocs = [a["allocs"] for a in allocs if a]
    if allocs:
        check(max(allocs) == 0, "zero heap allocations per step on P2 with a run-time batch that "
              f"alternates between two sizes ({max(allocs):g})")
    for p in ("P3_medium", "P4_large"):
        for c, cname in COMPILERS:
            t, e = run.get(c, "tapeless", p), run.get(c, "eigen", p)
            if t and e:
                check(t["allocs"] <= e["allocs"], f"{cname} {p}: allocations per step no more than "
                      f"hand-written Eigen ({t['allocs']:g} vs {e['allocs']:g})")
        t, t1 = run.ns("gcc", "tapeless", p), run.ns("gcc", "torch_1t", p)
        if t and t1:
            check(t <= t1, f"{p}: at least as fast as single-threaded libtorch ({t / t1:.2f}x its time)")
    for c, cname in COMPILERS:
        a, b = run.ns(c, "tapeless", "P2_small_A_only"), run.ns(c, "tapeless", "P2_small")
        if a and b:
            check(a < b, f"{cname}: P2 gradient of A only cheaper than of both ({a / b:.2f}x)")
    for ok, text in threads_targets(run):
        check(ok, text)
    if ctimes:
        for c, cname in COMPILERS:
            t, e = ctimes.get((c, "bench_tapeless")), ctimes.get((c, "bench_eigen"))
            if t and e:
                check(t[0] <= 1.5 * e[0], f"{cname}: tapeless.cpp compiles in at most 1.5x the time "
                      f"of eigen.cpp, same problems and scalar types ({t[0] / e[0]:.2f}x)")
    return "\n".join(lines)


def chart(run, path):
    """Horizontal bars, log scale: time per step / hand-written Eigen (eval)."""
    series = [
        ("tapeless g++", "#1f77b4", lambda p: run.ratio(run.ns("gcc", "tapeless", p), run.reference("gcc", p))),
        ("tapeless clang++", "#6baed6",
         lambda p: run.ratio(run.ns("clang", "tapeless", p), run.reference("clang", p))),
        ("tapeless, OpenBLAS, 2 threads, g++", "#9467bd",
         lambda p: run.ratio(run.ns("gcc", "tapeless_blas_2t", p), run.reference("gcc", p))),
        ("tapeless, OpenBLAS, 2 threads, clang++", "#c5b0d5",
         lambda p: run.ratio(run.ns("clang", "tapeless_blas_2t", p), run.reference("clang", p))),
        ("libtorch, 1 thread", "#d62728", lambda p: run.ratio(run.ns("gcc", "torch_1t", p), run.reference("gcc", p))),
        ("libtorch, 2 threads", "#ff9896", lambda p: run.ratio(run.ns("gcc", "torch_2t", p), run.reference("gcc", p))),
        ("ADOL-C replay (f64)", "#2ca02c",
         lambda p: run.ratio(run.ns("gcc", "adolc", p, "f64", "eval"), run.ns("gcc", "eigen", p, "f64"))),
        ("ADOL-C re-record (f64)", "#98df8a",
         lambda p: run.ratio(run.ns("gcc", "adolc", p, "f64", "build"), run.ns("gcc", "eigen", p, "f64"))),
    ]
    data = [(p, [(name, color, f(p)) for name, color, f in series]) for p in PROBLEMS]
    values = [v for _, s in data for _, _, v in s if v]
    if not values:
        return
    lo = 10 ** math.floor(math.log10(min(min(values), 1.0) * 0.9))
    hi = 10 ** math.ceil(math.log10(max(max(values), 1.0) * 1.1))
    bar, gap, left, width, top = 11, 14, 150, 560, 40
    n = len(series)
    height = top + len(data) * (n * bar + gap) + 70
    x = lambda v: left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 190}" height="{height}" '
         f'font-family="sans-serif" font-size="11">',
         f'<text x="{left}" y="18" font-size="13">Time per gradient step relative to hand-written Eigen '
         f'(log scale; 1 = same time; evaluate only)</text>']
    decade = lo
    while decade <= hi * 1.0001:
        for m in (1, 2, 5):
            v = decade * m
            if lo <= v <= hi:
                s.append(f'<line x1="{x(v):.1f}" y1="{top - 6}" x2="{x(v):.1f}" y2="{height - 50}" '
                         f'stroke="{"#999" if m == 1 else "#ddd"}"/>')
                s.append(f'<text x="{x(v):.1f}" y="{height - 36}" text-anchor="middle">{v:g}</text>')
        decade *= 10
    s.append(f'<line x1="{x(1):.1f}" y1="{top - 6}" x2="{x(1):.1f}" y2="{height - 50}" stroke="#000" '
             f'stroke-width="1.5"/>')
    y = top
    for p, bars in data:
        s.append(f'<text x="{left - 8}" y="{y + n * bar / 2 + 4:.1f}" text-anchor="end">{p}</text>')
        for name, color, v in bars:
            if v:
                s.append(f'<rect x="{x(lo):.1f}" y="{y}" width="{x(v) - x(lo):.1f}" height="{bar - 2}" '
                         f'fill="{color}"><title>{name}: {v:.2f}</title></rect>')
                s.append(f'<text x="{x(v) + 3:.1f}" y="{y + bar - 3}" font-size="9">{v:.2f}</text>')
            y += bar
        y += gap
    ly = top
    for name, color, _ in series:
        s.append(f'<rect x="{left + width + 40}" y="{ly}" width="10" height="10" fill="{color}"/>')
        s.append(f'<text x="{left + width + 55}" y="{ly + 9}">{name}</text>')
        ly += 16
    s.append(f'<text x="{left + width / 2}" y="{height - 16}" text-anchor="middle">time / hand-written '
             f'Eigen time (same compiler, same run; ADOL-C against Eigen in double)</text>')
    s.append("</svg>")
    with open(path, "w") as fh:
        fh.write("\n".join(s) + "\n")


def main():
    results = sys.argv[1]
    run = Run(results)
    ctab = compile_table(results)
    ctable, ctimes = ctab if isinstance(ctab, tuple) else (ctab, {})
    md = ["# Benchmark results", ""]
    machine = os.path.join(results, "machine.txt")
    if os.path.exists(machine):
        md += ["```", open(machine).read().rstrip(), "```", ""]
    ctx = run.contexts.get(("gcc", "bench_torch"), {})
    if ctx.get("torch_blas"):
        md += [f"libtorch {ctx.get('torch_version', '')} ran on: `{ctx['torch_blas']}`", ""]
    if run.peak:
        md += [f"Single-core peak (FMA loop, bench_peak): {run.peak / 1e9:.1f} GFLOP/s FP32"
               + (f", {run.peak64 / 1e9:.1f} GFLOP/s FP64" if run.peak64 else "") + ".", ""]
    rounds = len({f for f in os.listdir(results) if re.fullmatch(r"gcc-bench_tapeless\.r\d+\.json", f)})
    md += ["Times are medians of the repetitions, per gradient step"
           + (f"; of {rounds} interleaved rounds, the smallest median" if rounds > 1 else "")
           + ". *eval*: workspace built once; "
           "*build*: built inside the loop. Ratios divide times of the same run; the reference is the "
           "faster of the two hand-written Eigen versions (fixed-size where small, or all dynamic).", ""]
    md += ["## Targets", "", targets(run, ctimes), ""]
    for c, cname in COMPILERS:
        for mode in ("eval", "build"):
            md += [f"## tapeless vs hand-written Eigen: {cname}, float, {mode}", "",
                   table_or_note(tapeless_table(run, c, mode)), ""]
    md += ["## libtorch (float, g++ build)", "", table_or_note(torch_table(run)), "",
           "## Two threads: OpenBLAS for the large products (tapeless::blas) and libtorch", "",
           table_or_note(threads_table(run)), "",
           "## ADOL-C (double, g++ build)", "", table_or_note(adolc_table(run)), "",
           "## Compile time and peak memory per translation unit (-j1, the benchmark flags)", "",
           ctable, ""]
    sweep = os.path.join(results, "compile_sweep.md")
    if os.path.exists(sweep):
        md += ["## Compile-time depth sweep (bench/compile_time/measure.sh)", "", open(sweep).read(), ""]
    with open(os.path.join(results, "report.md"), "w") as fh:
        fh.write("\n".join(md))
    chart(run, os.path.join(results, "chart.svg"))
    print("\n".join(md))


if __name__ == "__main__":
    main()
