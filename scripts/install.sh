#!/usr/bin/env bash
# Install Textning on a fresh Debian machine: system packages, a venv in .venv, Python packages.
#   bash scripts/install.sh          runtime only
#   bash scripts/install.sh --test   runtime + what the tests need
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
# System packages: FFmpeg always; Debian's Chromium for the browser tests (Playwright drives it, no download).
packages=(ffmpeg)
[ "${1:-}" = "--test" ] && packages+=(chromium)
missing=()
for package in "${packages[@]}"; do
  command -v "$package" >/dev/null || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# The CPU build of torch first: an unpinned or later resolution would pull CUDA packages.
.venv/bin/python -m pip install -q torch==2.13.0
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -r requirements-test.txt
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi
echo "Textning installed in .venv"
