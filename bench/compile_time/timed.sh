#!/usr/bin/env bash
# Compiler launcher (CMake CXX_COMPILER_LAUNCHER): runs the compilation under
# /usr/bin/time and appends "<target> <seconds> <peak KiB> <compiler>" to the
# log named by the first argument; the target is read from the object's
# path (CMakeFiles/<target>.dir/...).
set -euo pipefail
log=$1; shift
obj=unknown prev=
for a in "$@"; do [ "$prev" = -o ] && obj=$a; prev=$a; done
target=$(echo "$obj" | sed -n 's#.*CMakeFiles/\([^/]*\)\.dir/.*#\1#p')
tmp=$(mktemp)
status=0
/usr/bin/time -f "%e %M" -o "$tmp" "$@" || status=$?
# the last line: a failed command adds "Command exited with..." before it
read -r secs kib < <(tail -n 1 "$tmp"); rm -f "$tmp"
echo "${target:-$obj} $secs $kib $(basename "$1")" >> "$log"
exit $status
