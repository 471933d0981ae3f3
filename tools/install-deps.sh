#!/usr/bin/env bash
# Installs the Debian bookworm packages Portico builds and tests with (ARCHITECTURE.md §5).
# Idempotent: only missing packages are installed. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates clang libclang-rt-14-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev prometheus-cpp-dev googletest libgmock-dev libgtest-dev libbenchmark-dev
  libyaml-cpp-dev libre2-dev libhiredis-dev liburing-dev
  nginx-light haproxy wrk redis-server procps openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# nginx, haproxy and redis-server are only run by tests and benchmarks on loopback; keep their
# services off.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
for svc in nginx haproxy redis-server; do
  if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  if [ -x "/etc/init.d/$svc" ]; then $sudo "/etc/init.d/$svc" stop >/dev/null 2>&1 || true; fi
done
