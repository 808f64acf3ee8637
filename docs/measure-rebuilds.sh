#!/usr/bin/env bash
# What an edit costs: builds BUILD_DIR (default build) up to date, then for each file touches it
# and times the rebuild that follows, one after the other. Prints "file, steps, seconds".
#   docs/measure-rebuilds.sh [FILE...]
# Without files: the most included engine header, one engine source and one CLI source.
# ccache (when the build uses it) is disabled for the timed rebuilds: a touch changes no content,
# so the cache would answer every compile, and an edit would not be answered.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"
cd "$root"
[ -f "$build/build.ninja" ] || { echo "measure-rebuilds: no build in $build; run ./studio build first" >&2; exit 2; }
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(engine/include/irl/engine/sampling/sampler.h
                                 engine/src/learning/irl/irl_trainer.cpp
                                 app/cli/sample_command.cpp)
export CCACHE_DISABLE=1
cmake --build "$build" -j "$jobs" >/dev/null
printf '%-55s %6s %8s\n' file steps seconds
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "measure-rebuilds: no file '$f'" >&2; exit 2; }
  touch "$f"
  log="$(mktemp)"
  start=$(date +%s.%N)
  cmake --build "$build" -j "$jobs" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  end=$(date +%s.%N)
  steps=$(grep -c '^\[[0-9]*/[0-9]*\]' "$log" || true)
  rm -f "$log"
  printf '%-55s %6d %8.0f\n' "$f" "$steps" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
done
