#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/fetch-base.sh [main|stable]
#
# Produce the pristine kernel tarball of a pinned Debian linux-source
# package (scripts/lib.sh: BASE_MAIN, the series' base, by default;
# BASE_STABLE, the stable kernel the fixes must reach), checked against
# Debian's sha256 sums, and print its path as the last line of stdout.
# The first of these that is set or present is used:
#   BASE_TARBALL=/path  the tarball itself (main only)
#   BASE_DEB=/path      the .deb (main only)
#   $BASE_CACHE_DIR/<deb> (default <repo>/../shared/cache)
#   $DEB_CACHE/<deb> (default ~/.cache/hmm-p2p), kept from an earlier download
#   a download through scripts/private-apt.sh into $DEB_CACHE
# BASE_VERSION=VER overrides the version to download and bypasses the existing
# tarball; only the pinned version matches the sums, so other values serve to
# test the "not on the mirror" message.
# BUILD_DIR defaults to <repo>/build; the tarball goes to $BUILD_DIR/base.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

which=${1:-main}
case $which in
main) pin=("${BASE_MAIN[@]}") ;;
stable)
	pin=("${BASE_STABLE[@]}")
	unset BASE_TARBALL BASE_DEB
	;;
*) die "usage: scripts/fetch-base.sh [main|stable]" ;;
esac
pkg=${pin[0]}
pinned=${pin[1]}
suite=${pin[2]}
deb_sha=${pin[3]}
tar_sha=${pin[4]}
title=${pin[5]}
ver=${BASE_VERSION:-$pinned}
if [ "$which" = stable ]; then
	ver=$pinned
fi
tar_name=$pkg.tar.xz
base=$BUILD_DIR/base
out=$base/$tar_name
deb_name=${pkg}_${ver}_all.deb
cached_deb=${BASE_CACHE_DIR:-$(dirname "$TOP")/shared/cache}/$deb_name

# Hashing the 160 MB tarball takes well under 2 s, so every call re-checks
# it instead of trusting a stamp.
sha_ok() { # FILE EXPECTED WHAT
	local actual
	actual=$(sha256sum "$1" | cut -d' ' -f1) || die "cannot read $1"
	[ "$actual" = "$2" ] && return 0
	note "$3 $1 has the wrong sha256:"
	note "  expected $2"
	note "  actual   $actual"
	return 1
}

download_deb() {
	local offers

	# shellcheck source=scripts/private-apt.sh
	. "$TOP/scripts/private-apt.sh"
	papt_workdir "$DEB_CACHE" || die "cannot create $DEB_CACHE; set DEB_CACHE to a writable directory"
	papt_update || die "cannot refresh the private apt lists (see above)"
	note "downloading $pkg $ver from $suite into $DEB_CACHE"
	if (cd "$DEB_CACHE" && papt -q download "$pkg=$ver" >&2); then
		deb=$DEB_CACHE/$deb_name
		return
	fi
	offers=$(papt_cache madison "$pkg" 2>/dev/null | awk -v p="$pkg" '$1 == p') || true
	note "$pkg $ver is not available from $(papt_mirror) ($PAPT_SUITES); it offers:"
	echo "${offers:-  no version of $pkg at all}" >&2
	note "the pins in scripts/lib.sh fit only $pkg $pinned. Get that .deb elsewhere and run"
	note "  BASE_DEB=/path/to/${pkg}_${pinned}_all.deb $0"
	die "or pass the tarball inside it: BASE_TARBALL=/path/to/$tar_name $0"
}

mkdir -p "$base" || die "cannot create $base: check BUILD_DIR and its permissions"
if [ "$ver" = "$pinned" ] && [ -f "$out" ]; then
	if sha_ok "$out" "$tar_sha" "existing tarball"; then
		echo "$out"
		exit 0
	fi
	note "replacing $out"
	rm -f "$out"
fi

if [ -n "${BASE_TARBALL:-}" ]; then
	[ -f "$BASE_TARBALL" ] || die "BASE_TARBALL=$BASE_TARBALL does not exist"
	sha_ok "$BASE_TARBALL" "$tar_sha" BASE_TARBALL ||
		die "BASE_TARBALL is not the $title tarball from $pkg $pinned; unset it or fix the path"
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
elif [ -f "$DEB_CACHE/$deb_name" ]; then
	deb=$DEB_CACHE/$deb_name
else
	download_deb
fi
note "using $deb"
sha_ok "$deb" "$deb_sha" "package" ||
	die "$deb is not the pinned $pkg $pinned .deb; remove it or point BASE_DEB at the right one"

tmp=$(mktemp -d "$base/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/src/$tar_name" ||
	die "cannot extract usr/src/$tar_name from $deb (truncated file or disk full?)"
sha_ok "$tmp/usr/src/$tar_name" "$tar_sha" "extracted tarball" ||
	die "the tarball inside $deb does not match the pin; the .deb was rebuilt, do not use it"
mv "$tmp/usr/src/$tar_name" "$out" || die "cannot move the tarball to $out"
echo "$out"
