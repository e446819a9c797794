#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/make-tree.sh [--keep]
#
# Create build/linux: a git repo whose first commit is the pristine base
# (BASE_MAIN in lib.sh, tagged "base") with patches/ applied on top by
# git am, one commit per patch.  Re-running is cheap: a tree that already
# holds the series is left alone, and a tree holding commits that patches/
# lacks is never reset: that is an error, or with --keep (used by make
# kunit while a developer works in the tree) a note, and the tree is used
# as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

keep=
case ${1:-} in
--keep) keep=1 ;;
"") ;;
*) die "usage: scripts/make-tree.sh [--keep]" ;;
esac

make_base() {
	local tarball tmp

	tarball=$("$TOP/scripts/fetch-base.sh" | tail -n 1)
	[ -f "$tarball" ] || die "fetch-base.sh gave no tarball"

	tmp=$TREE.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	note "unpacking $(basename "$tarball")"
	tar -xf "$tarball" -C "$tmp" --strip-components=1

	# Debian's tarball ends .gitignore with a block that ignores every
	# top-level entry (it is meant for Debian's packaging repo).  Drop it,
	# or git would not see files the series adds.
	awk '/^# Debian packaging:/ { exit } { l[n++] = $0 }
	     END { while (n && (l[n-1] == "" || l[n-1] == "#")) n--
		   for (i = 0; i < n; i++) print l[i] }' \
		"$tmp/.gitignore" > "$tmp/.gitignore.new"
	mv "$tmp/.gitignore.new" "$tmp/.gitignore"

	note "committing the base (this takes a minute)"
	git -C "$tmp" init -q -b master
	git -C "$tmp" config core.autocrlf false
	# Light compression: the base is 1.5 GB of source; at level 1 adding
	# it took 27s instead of 33s here, and .git grew from 606 to 632 MB.
	git -C "$tmp" -c core.looseCompression=1 add -A
	# Fixed identity and dates make the base commit id the same everywhere,
	# so the series' base-commit: trailer is stable.
	GIT_AUTHOR_NAME="Debian ${BASE_MAIN[0]}" \
	GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_COMMITTER_NAME="Debian ${BASE_MAIN[0]}" \
	GIT_COMMITTER_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" \
	GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git -C "$tmp" commit -q -m "$BASE_TITLE (Debian ${BASE_MAIN[0]} ${BASE_MAIN[1]})"
	git -C "$tmp" tag base
	mv "$tmp" "$TREE"
}

apply_series() {
	local p n=0

	git -C "$TREE" reset -q --hard base
	while read -r p; do
		[ -f "$PATCHES/$p" ] || die "patches/series lists $p, which does not exist"
		if ! git -C "$TREE" am -q --keep-cr "$PATCHES/$p" >/dev/null 2>"$BUILD_DIR/am.log"; then
			git -C "$TREE" am --abort 2>/dev/null || true
			die "patch $p does not apply to $BASE_TITLE ($(grep -m1 -o 'patch failed: .*' "$BUILD_DIR/am.log" || head -n1 "$BUILD_DIR/am.log")); fix it in build/linux and run make export"
		fi
		n=$((n + 1))
	done < <(series_patches)
	note "applied $n patches on top of base"
}

mkdir -p "$BUILD_DIR"
if ! git -C "$TREE" rev-parse -q --verify base >/dev/null 2>&1; then
	[ -e "$TREE" ] && die "$TREE exists but is not a harness tree; move it away"
	make_base
fi

if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
	[ -n "$keep" ] && { note "using build/linux as it is (it has uncommitted changes)"; exit 0; }
	die "$TREE has uncommitted changes; commit them and run make export, or discard them"
fi
if [ "$(tree_patch_ids)" = "$(series_patch_ids)" ]; then
	exit 0
fi
if [ -n "$(git -C "$TREE" rev-list base..HEAD)" ] &&
   ! git -C "$TREE" merge-base --is-ancestor HEAD refs/harness/exported 2>/dev/null; then
	[ -n "$keep" ] && { note "using build/linux as it is (it has commits patches/ does not hold: run make export)"; exit 0; }
	die "$TREE has commits that patches/ does not hold; run make export first (or reset the tree to base to drop them)"
fi
apply_series
git -C "$TREE" update-ref refs/harness/exported HEAD
