#!/usr/bin/env bash
# Compile time and peak compiler memory of a two-model gradient at several
# depths, with g++ and clang++ (-O2), one compilation at a time. Prints a
# Markdown table; each figure is the median of REPEAT runs.
#   usage: bench/compile_time/measure.sh [depths...]   (default: 2 4 8)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repeat=${REPEAT:-3}
depths=("${@:-2 4 8}")
[ $# -eq 0 ] && depths=(2 4 8)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| compiler | depth | seconds (median of $repeat) | peak MiB |"
echo "|---|---|---|---|"
for cxx in g++ clang++; do
  for d in "${depths[@]}"; do
    : > "$out/times"; : > "$out/mem"
    for _ in $(seq "$repeat"); do
      /usr/bin/time -f "%e %M" -o "$out/t" "$cxx" -std=c++20 -O2 -DNDEBUG -DTAPELESS_DEPTH="$d" \
        -I"$root/include" -isystem /usr/include/eigen3 "$here/two_models.cpp" -o "$out/a.out"
      "$out/a.out" > /dev/null
      read -r secs kib < "$out/t"
      echo "$secs" >> "$out/times"; echo "$kib" >> "$out/mem"
    done
    printf '| %s | %s | %s | %s |\n' "$cxx" "$d" "$(median < "$out/times")" \
      "$(( $(median < "$out/mem") / 1024 ))"
  done
done
