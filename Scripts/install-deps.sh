#!/usr/bin/env bash
# Installs what a fresh machine lacks for building and testing Lantern. Idempotent: installs nothing
# when everything is present. apt needs root (or sudo); pip installs for the current user's python3.
set -euo pipefail

# With --test, also what the tests need: orthanc, orthanc-dicomweb, nginx-light and openssl are peers for the
# client tests (Tests/e2e/peers.py); the pip packages are the Python test clients (websockets for the UPS-RS event channel) and reference readers (numpy for pydicom's pixel decoders).
# The codec libraries (Sources/CLanternCodecs): libjpeg-turbo for 8-bit JPEG, GDCM's IJG builds (libgdcm-dev) for 12-bit
# and lossless JPEG, OpenJPEG for JPEG 2000 and HTJ2K decoding, OpenJPH for HTJ2K encoding, CharLS for JPEG-LS.
APT_PACKAGES=(pkg-config zlib1g-dev libturbojpeg0-dev libgdcm-dev libopenjp2-7-dev libcharls-dev libopenjph-dev)
# Reference decoders for Tests/e2e/test_codecs.py: pydicom's plugins (GDCM, pylibjpeg with libjpeg and OpenJPEG,
# pyjpegls), and DCMTK (apt, with --test) for the file they all refuse.
PIP_PACKAGES=("pydicom==3.0.1" "pytest" "dicomweb-client==0.59.3" "pillow" "numpy" "openapi-spec-validator" "websockets==13.1"
    "prometheus-client"
    "pylibjpeg==2.0.1" "pylibjpeg-libjpeg==2.5.0" "pylibjpeg-openjpeg==2.6.0" "pyjpegls==1.5.1" "python-gdcm==3.2.6")
TEST=0
[ "${1:-}" = "--test" ] && TEST=1
[ $TEST = 1 ] && APT_PACKAGES+=(orthanc orthanc-dicomweb nginx-light openssl dcmtk)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: apt-get install ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    # Packages with services (orthanc, nginx) must not start them: the tests start their own, on loopback.
    # policy-rc.d answering 101 is Debian's way to say so (invoke-rc.d(8)); only ours is removed afterwards.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    [ -z "$policy" ] || $SUDO rm -f "$policy"
fi

[ $TEST = 1 ] || exit 0
python3 -c '
import dicomweb_client, pydicom, pytest, PIL, numpy, openapi_spec_validator, websockets, prometheus_client
import pylibjpeg, libjpeg, openjpeg, jpeg_ls, gdcm
assert pydicom.__version__ == "3.0.1" and dicomweb_client.__version__ == "0.59.3"
' 2>/dev/null || {
    echo "install-deps: pip install ${PIP_PACKAGES[*]}"
    python3 -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
}
