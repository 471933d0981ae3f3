#!/usr/bin/env bash
# Runs all tests (the README's "run all tests" command; CI runs it): installs the build
# dependencies, configures and builds Release in build/, then runs ctest.
#
# Usage: tools/test.sh [CTEST ARGS...]      e.g. tools/test.sh -L unit, tools/test.sh -R registry
# Env: BUILD_DIR (default <repo>/build), JOBS (build parallelism, default 2),
#      SKIP_DEPS=1 (do not run tools/install-deps.sh), BUILD_LOCK (a file to flock around the build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
JOBS=${JOBS:-2}
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}

case "${1:-}" in
  -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

locked() { if [ -n "${BUILD_LOCK:-}" ]; then flock "$BUILD_LOCK" "$@"; else "$@"; fi; }

if [ "${SKIP_DEPS:-0}" != 1 ]; then
  "$root/tools/install-deps.sh"
fi

configure=(cmake -S "$root" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  configure+=(-G Ninja)  # an existing build dir keeps the generator it was made with
fi
echo "test.sh: configuring $BUILD_DIR (Release)"
"${configure[@]}"
echo "test.sh: building with -j$JOBS"
locked cmake --build "$BUILD_DIR" -j"$JOBS"

echo "test.sh: ctest $*"
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "test.sh: FAILED (ctest exit code $status)" >&2
else
  echo "test.sh: all tests passed"
fi
exit "$status"
