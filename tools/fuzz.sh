#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in their own build directory and runs each
# for a bounded time on a copy of its seed corpus (fuzz/corpus/<target>/). Exits non-zero when
# a target crashes or breaks an invariant; the input is kept as <build>/artifacts/<target>-*.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
# Env: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_TARGETS (default: all five),
#      JOBS (build parallelism, default 2), BUILD_LOCK (file to flock around the build;
#      default /tmp/portico-build.lock, so it never builds alongside another build; do not run
#      this script, or a ctest that runs it, while holding that lock yourself).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=${FUZZ_TARGETS:-"request response path_normalizer route_matcher jwt"}
JOBS=${JOBS:-2}
lock=${BUILD_LOCK:-/tmp/portico-build.lock}

case "$seconds" in
  -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  ''|*[!0-9]*) echo "fuzz.sh: SECONDS_PER_TARGET must be a number" >&2; exit 2 ;;
esac

started=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "fuzz.sh: configuring $build (clang, PORTICO_FUZZ=ON)"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DPORTICO_FUZZ=ON -DPORTICO_BUILD_TESTS=OFF >/dev/null
fi
echo "fuzz.sh: building the fuzzers (-j$JOBS, lock $lock)"
asked=$(date +%s)
# Reports the wait for the lock apart from the build: other people's builds are not ours.
flock "$lock" sh -c 'echo "fuzz.sh: waited $(( $(date +%s) - $0 )) s for the build lock"
  exec cmake --build "$1" -j"$2" --target portico_fuzzers' "$asked" "$build" "$JOBS"
built=$(date +%s)
echo "fuzz.sh: configure + lock wait + build took $((built - started)) s"

status=0
for target in $targets; do
  corpus="$build/corpus/$target"     # grows while fuzzing; the seeds in the tree stay as they are
  artifacts="$build/artifacts"
  mkdir -p "$corpus" "$artifacts"
  log="$build/$target.log"
  echo "fuzz.sh: $target for ${seconds}s"
  if "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
      "$corpus" "$root/fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    echo "fuzz.sh: $target ok: ${runs:-?} executions, coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) inputs"
  else
    status=1
    echo "fuzz.sh: $target FAILED; the last lines of $log:" >&2
    tail -40 "$log" >&2
  fi
done
echo "fuzz.sh: done in $(( $(date +%s) - started )) s"
exit "$status"
