#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing Lantern. Idempotent: installs nothing
# when everything is present. apt needs root (or sudo); pip installs for the current user's python3.
set -euo pipefail

APT_PACKAGES=(pkg-config zlib1g-dev)
PIP_PACKAGES=("pydicom==3.0.1" "pytest" "dicomweb-client==0.59.3")

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: apt-get install ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -c '
import dicomweb_client, pydicom, pytest
assert pydicom.__version__ == "3.0.1" and dicomweb_client.__version__ == "0.59.3"
' 2>/dev/null || {
    echo "install-deps: pip install ${PIP_PACKAGES[*]}"
    python3 -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
}
