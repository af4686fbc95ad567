#!/usr/bin/env bash
# Instructions per gradient step under callgrind (valgrind), tapeless and the
# hand-written code, for each problem: bench_instructions run 20 and 220
# steps, the difference divided by 200 (setup cancels out). Prints a
# Markdown table. Needs valgrind and a Release build of bench_instructions.
#   usage: bench/instructions.sh <build dir> [problems...]   (default: p1 p2 p2a deep)
set -euo pipefail
exe=$1/bench/bench_instructions
shift
problems=("$@")
[ $# -eq 0 ] && problems=(p1 p2 p2a deep)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# instructions <problem> <impl> <steps>: the run's total, as callgrind counts it
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$exe" "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_step() { echo $((($(instructions "$1" "$2" 220) - $(instructions "$1" "$2" 20)) / 200)); }

echo "| problem | tapeless | hand-written, fixed sizes | hand-written, dynamic | tapeless / fixed |"
echo "|---|---|---|---|---|"
for p in "${problems[@]}"; do
  t=$(per_step "$p" tapeless) f=$(per_step "$p" fixed) d=$(per_step "$p" dynamic)
  echo "| $p | $t | $f | $d | $(awk -v a="$t" -v b="$f" 'BEGIN {printf "%.3f", a / b}') |"
done
