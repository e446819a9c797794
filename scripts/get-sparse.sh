#!/usr/bin/env bash
# Build sparse from Debian unstable's source package: bookworm's 0.6.4 lacks
# __typeof_unqual__, so Linux 7.2's scripts/checker-valid.sh rejects it and
# `make C=1` cannot run. Prints the binary's path as the last stdout line.
# Usage: scripts/get-sparse.sh
# Env: BUILD_DIR (default <repo>/build; binary at $BUILD_DIR/tools/sparse/sparse),
#      SPARSE_DEB_VERSION (default 0.6.5~rc1-2; if unstable lacks it, its
#      current version is used and a warning says so).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
want=${SPARSE_DEB_VERSION:-0.6.5~rc1-2}
bin=$BUILD_DIR/tools/sparse/sparse
work=$BUILD_DIR/tools/sparse-src

die() {
	echo "get-sparse: $*" >&2
	exit 1
}

if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi

# shellcheck source=scripts/private-apt.sh
. "$repo/scripts/private-apt.sh"
papt_update || die "cannot refresh the private apt lists (see above)"
rm -rf "$work"
papt_workdir "$work" || die "cannot create $work: check BUILD_DIR and its permissions"
cd "$work"
have=$(papt_cache showsrc sparse 2>/dev/null | awk '/^Version:/ { printf "%s%s", sep, $2; sep = " " }')
[ -n "$have" ] || die "unstable has no sparse source package; check $PAPT_DIR/sources.list"
spec=sparse=$want
if [[ " $have " != *" $want "* ]]; then
	echo "get-sparse: warning: sparse $want is not in unstable; building what it has: $have" >&2
	spec=sparse
fi
papt -q source --download-only "$spec" >&2 ||
	die "downloading the $spec source from $(papt_mirror) failed (see above)"

dscs=(sparse_*.dsc)
[ -f "${dscs[0]}" ] || die "apt-get source left no sparse_*.dsc in $work"
# apt already checked the files against the signed Sources index; dpkg-source
# only warns that it has no uploader keyring, which is harmless.
dpkg-source -x "${dscs[0]}" src >&2 || die "dpkg-source -x ${dscs[0]} failed in $work (see above)"
ver=${dscs[0]#sparse_}
ver=${ver%.dsc}
# Debian's patch sets CC=gcc-16, which bookworm lacks; the Makefile's own
# version probe would run `git describe` on the enclosing harness repo.
if ! make -C src -j2 CC=gcc SPARSE_VERSION="$ver (Debian source)" sparse \
		> "$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	die "building sparse failed (log: $work/build.log); scripts/setup-host.sh installs the compiler"
fi
install -D -m 755 src/sparse "$bin" || die "cannot install $bin: check BUILD_DIR and its permissions"
"$bin" --version >&2 || die "the freshly built $bin does not run"
echo "$bin"
