#!/usr/bin/env bash
# Install the Debian 12 packages the harness needs, if any are missing.
# Usage: scripts/setup-host.sh
set -euo pipefail

pkgs=(build-essential flex bison bc libelf-dev libssl-dev ccache python3 git
      xz-utils qemu-system-x86 qemu-system-arm busybox-static
      gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu gcc-s390x-linux-gnu
      dpkg-dev cpio rsync perl python3-ply python3-git gnuplot-nox)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-host: missing packages: ${missing[*]}" >&2
	echo "setup-host: run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "setup-host: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
	echo "setup-host: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi
