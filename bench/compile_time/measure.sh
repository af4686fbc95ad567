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
# half between identical runs, 2026-12-04). "kernels + PCH": also with
# <tapeless/tapeless.hpp> precompiled (built once beforehand, not timed),
# as README.md's target_precompile_headers line does. A second table: the
# copied-weights diagnostic (tests/compile_fail/unreachable_copied_weights.cpp,
# -fsyntax-only), without and with that precompiled header.
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

flags=(-std=c++20 -O2 -DNDEBUG -I"$root/include" -isystem /usr/include/eigen3)

# measure compiler source depth [flags...]: prints "seconds MiB" (medians);
# a depth of "-" compiles the source (a path) with -fsyntax-only, expecting
# the error it is there for, and does not run it.
measure() {
  local cxx=$1 source=$2 depth=$3
  shift 3
  : > "$out/times"; : > "$out/mem"
  for _ in $(seq "$repeat"); do
    if [ "$depth" = - ]; then
      /usr/bin/time -f "%U %S %M" -o "$out/t" "$cxx" "${flags[@]}" "$@" -fsyntax-only "$source" \
        > /dev/null 2>&1 || true
    else
      /usr/bin/time -f "%U %S %M" -o "$out/t" "$cxx" "${flags[@]}" -DTAPELESS_DEPTH="$depth" \
        "$@" "$here/$source" -o "$out/a.out"
      "$out/a.out" > /dev/null
    fi
    # the last line: a failed compilation adds "Command exited with..." before it
    read -r user sys kib < <(tail -n 1 "$out/t")
    awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f\n", u + s}' >> "$out/times"
    echo "$kib" >> "$out/mem"
  done
  echo "$(median < "$out/times") $(( $(median < "$out/mem") / 1024 ))"
}

# precompile compiler: <tapeless/tapeless.hpp> precompiled with the flags of
# the kernels' users; prints the flags that use it.
precompile() {
  local cxx=$1
  echo '#include <tapeless/tapeless.hpp>' > "$out/pch-$cxx.hpp"
  if [ "$cxx" = g++ ]; then
    "$cxx" "${flags[@]}" -DTAPELESS_PRECOMPILED_KERNELS -x c++-header "$out/pch-$cxx.hpp" \
      -o "$out/pch-$cxx.hpp.gch"
    echo "-include $out/pch-$cxx.hpp -Winvalid-pch"
  else
    "$cxx" "${flags[@]}" -DTAPELESS_PRECOMPILED_KERNELS -x c++-header "$out/pch-$cxx.hpp" \
      -o "$out/pch-$cxx.pch"
    echo "-include-pch $out/pch-$cxx.pch"
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "| compiler | depth | tapeless s | tapeless MiB | with tapeless::kernels s | MiB | kernels + PCH s | MiB | Eigen twin s | Eigen twin MiB | time ratio | with kernels | kernels + PCH |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -A pch
for cxx in g++ clang++; do
  "$cxx" "${flags[@]}" -c "$root/cmake/tapeless_kernels.cpp" -o "$out/kernels.o"
  pch[$cxx]=$(precompile "$cxx")
  for d in "${depths[@]}"; do
    read -r ts tm <<< "$(measure "$cxx" two_models.cpp "$d")"
    read -r ks km <<< "$(measure "$cxx" two_models.cpp "$d" -DTAPELESS_PRECOMPILED_KERNELS "$out/kernels.o")"
    # shellcheck disable=SC2086 # the flags are words
    read -r ps pm <<< "$(measure "$cxx" two_models.cpp "$d" -DTAPELESS_PRECOMPILED_KERNELS ${pch[$cxx]} "$out/kernels.o")"
    read -r es em <<< "$(measure "$cxx" eigen_twin.cpp "$d")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$cxx" "$d" "$ts" "$tm" \
      "$ks" "$km" "$ps" "$pm" "$es" "$em" "$(ratio "$ts" "$es")" "$(ratio "$ks" "$es")" \
      "$(ratio "$ps" "$es")"
  done
done

echo
echo "| compiler | copied-weights diagnostic s | MiB | with PCH s | MiB |"
echo "|---|---|---|---|---|"
copied=$root/tests/compile_fail/unreachable_copied_weights.cpp
diagnostic=(-DTAPELESS_EXPECT_FAIL -DTAPELESS_PRECOMPILED_KERNELS)
for cxx in g++ clang++; do
  read -r ds dm <<< "$(measure "$cxx" "$copied" - "${diagnostic[@]}")"
  # shellcheck disable=SC2086
  read -r ps pm <<< "$(measure "$cxx" "$copied" - "${diagnostic[@]}" ${pch[$cxx]})"
  printf '| %s | %s | %s | %s | %s |\n' "$cxx" "$ds" "$dm" "$ps" "$pm"
done
