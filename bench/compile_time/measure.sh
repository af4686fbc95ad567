#!/usr/bin/env bash
# Compile time and peak compiler memory of a two-model gradient at several
# depths, with g++ and clang++ (-O2), one compilation at a time: tapeless
# (two_models.cpp), header-only and with the precompiled kernels of
# tapeless::kernels (-DTAPELESS_PRECOMPILED_KERNELS, linked against the
# kernels compiled once beforehand, not timed), next to its hand-written
# Eigen twin (eigen_twin.cpp, the same network and gradients). Prints a
# Markdown table; each figure is the median of REPEAT runs. Seconds are
# user + system CPU time: one compilation uses one core, so on a quiet
# machine that is its wall time, and on a shared virtual machine it is not
# inflated by time the host gives to others (wall times there varied by
# half between identical runs, 2026-12-04).
#   usage: bench/compile_time/measure.sh [depths...]   (default: 2 4 8)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repeat=${REPEAT:-3}
depths=("$@")
[ $# -eq 0 ] && depths=(2 4 8)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure compiler source depth [flags...]: prints "seconds MiB" (medians)
measure() {
  local cxx=$1 source=$2 depth=$3
  shift 3
  : > "$out/times"; : > "$out/mem"
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%U %S %M" -o "$out/t" "$cxx" -std=c++20 -O2 -DNDEBUG -DTAPELESS_DEPTH="$depth" \
      -I"$root/include" -isystem /usr/include/eigen3 "$@" "$here/$source" -o "$out/a.out"
    "$out/a.out" > /dev/null
    read -r user sys kib < "$out/t"
    awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f\n", u + s}' >> "$out/times"
    echo "$kib" >> "$out/mem"
  done
  echo "$(median < "$out/times") $(( $(median < "$out/mem") / 1024 ))"
}

echo "| compiler | depth | tapeless s | tapeless MiB | with tapeless::kernels s | MiB | Eigen twin s | Eigen twin MiB | time ratio | with kernels |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for cxx in g++ clang++; do
  "$cxx" -std=c++20 -O2 -DNDEBUG -I"$root/include" -isystem /usr/include/eigen3 \
    -c "$root/cmake/tapeless_kernels.cpp" -o "$out/kernels.o"
  for d in "${depths[@]}"; do
    read -r ts tm <<< "$(measure "$cxx" two_models.cpp "$d")"
    read -r ks km <<< "$(measure "$cxx" two_models.cpp "$d" -DTAPELESS_PRECOMPILED_KERNELS "$out/kernels.o")"
    read -r es em <<< "$(measure "$cxx" eigen_twin.cpp "$d")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$cxx" "$d" "$ts" "$tm" "$ks" "$km" \
      "$es" "$em" "$(awk -v a="$ts" -v b="$es" 'BEGIN {printf "%.2f", a / b}')" \
      "$(awk -v a="$ks" -v b="$es" 'BEGIN {printf "%.2f", a / b}')"
  done
done
