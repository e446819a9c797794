#!/usr/bin/env bash
# Produce the pristine Linux 7.2.13 tarball the series is based on, checked
# against pinned hashes, and print its path as the last line of stdout.
# Usage: scripts/fetch-base.sh
# The first of these that is set or present is used:
#   BASE_TARBALL=/path  a linux-source-7.2.tar.xz
#   BASE_DEB=/path      a linux-source-7.2_7.2.13-1_all.deb
#   $BASE_CACHE_DIR/linux-source-7.2_7.2.13-1_all.deb (default <repo>/../shared/cache)
#   a download from Debian unstable through scripts/private-apt.sh
# BASE_VERSION=VER overrides the version to download and bypasses the existing
# tarball; only 7.2.13-1 matches the pins, so other values serve to test the
# "not on the mirror" message.
# BUILD_DIR defaults to <repo>/build; the tarball goes to $BUILD_DIR/base.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
pkg=linux-source-7.2
pinned=7.2.13-1
ver=${BASE_VERSION:-$pinned}
deb_sha=30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d
tar_sha=ecb3877b9988c936dcc64c63af8a54c2fa6df7f717d4e5ee429d0f4c4859e68b
base=$BUILD_DIR/base
out=$base/linux-source-7.2.tar.xz
deb_name=${pkg}_${ver}_all.deb
cached_deb=${BASE_CACHE_DIR:-$(dirname "$repo")/shared/cache}/$deb_name

die() {
	echo "fetch-base: $*" >&2
	exit 1
}

# Hashing the 160 MB tarball takes well under 2 s, so every call re-checks
# it instead of trusting a stamp.
sha_ok() { # FILE EXPECTED WHAT
	local actual
	actual=$(sha256sum "$1" | cut -d' ' -f1) || die "cannot read $1"
	[ "$actual" = "$2" ] && return 0
	echo "fetch-base: $3 $1 has the wrong sha256:" >&2
	echo "fetch-base:   expected $2" >&2
	echo "fetch-base:   actual   $actual" >&2
	return 1
}

download_deb() {
	# shellcheck source=scripts/private-apt.sh
	. "$repo/scripts/private-apt.sh"
	papt_workdir "$base/download" || die "cannot create $base/download"
	papt_update || die "cannot refresh the private apt lists (see above)"
	if (cd "$base/download" && papt -q download "$pkg=$ver" >&2); then
		deb=$base/download/$deb_name
		return
	fi
	local offers
	offers=$(papt_cache madison "$pkg" 2>/dev/null | awk -v p="$pkg" '$1 == p') || true
	echo "fetch-base: $pkg $ver is not available from $(papt_mirror) unstable; it offers:" >&2
	echo "${offers:-  no version of $pkg at all}" >&2
	echo "fetch-base: the pins fit only $pkg $pinned. Get that .deb elsewhere and run" >&2
	echo "fetch-base:   BASE_DEB=/path/to/${pkg}_${pinned}_all.deb $0" >&2
	die "or pass the tarball inside it: BASE_TARBALL=/path/to/linux-source-7.2.tar.xz $0"
}

mkdir -p "$base" || die "cannot create $base: check BUILD_DIR and its permissions"
if [ "$ver" = "$pinned" ] && [ -f "$out" ]; then
	if sha_ok "$out" "$tar_sha" "existing tarball"; then
		echo "$out"
		exit 0
	fi
	echo "fetch-base: replacing $out" >&2
	rm -f "$out"
fi

if [ -n "${BASE_TARBALL:-}" ]; then
	[ -f "$BASE_TARBALL" ] || die "BASE_TARBALL=$BASE_TARBALL does not exist"
	sha_ok "$BASE_TARBALL" "$tar_sha" BASE_TARBALL ||
		die "BASE_TARBALL is not the Linux 7.2.13 tarball from $pkg $pinned; unset it or fix the path"
	{ cp "$BASE_TARBALL" "$out.tmp" && mv "$out.tmp" "$out"; } ||
		die "cannot copy $BASE_TARBALL to $out: check free space in $base"
	echo "$out"
	exit 0
fi

if [ -n "${BASE_DEB:-}" ]; then
	[ -f "$BASE_DEB" ] || die "BASE_DEB=$BASE_DEB does not exist"
	deb=$BASE_DEB
elif [ -f "$cached_deb" ]; then
	deb=$cached_deb
else
	download_deb
fi
echo "fetch-base: using $deb" >&2
sha_ok "$deb" "$deb_sha" "package" ||
	die "$deb is not the pinned $pkg $pinned .deb; remove it or point BASE_DEB at the right one"

tmp=$(mktemp -d "$base/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/src/linux-source-7.2.tar.xz ||
	die "cannot extract usr/src/linux-source-7.2.tar.xz from $deb (truncated file or disk full?)"
sha_ok "$tmp/usr/src/linux-source-7.2.tar.xz" "$tar_sha" "extracted tarball" ||
	die "the tarball inside $deb does not match the pin; the .deb was rebuilt, do not use it"
mv "$tmp/usr/src/linux-source-7.2.tar.xz" "$out" || die "cannot move the tarball to $out"
echo "$out"
