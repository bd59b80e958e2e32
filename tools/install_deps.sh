#!/usr/bin/env bash
# Installs the Debian packages fpaudit needs to build and test. Idempotent; run as root.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config
      libmpfr-dev libgmp-dev libboost-dev libeigen3-dev libcli11-dev nlohmann-json3-dev
      libgtest-dev libgmock-dev libbenchmark-dev libopenblas-dev libdnnl-dev zlib1g-dev libzip-dev
      liblzma-dev  # the .xz tensor-core validation data
      clang-14 libclang-rt-14-dev)  # clang + libFuzzer for tools/fuzz.sh
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#pkgs[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install_deps: installed ${missing[*]}"
