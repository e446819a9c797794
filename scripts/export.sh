#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/export.sh
#
# Write the commits base..HEAD of build/linux back to patches/ as
# git format-patch files, a cover letter (text from docs/cover-letter.txt)
# and a quilt-style series file, so that a fresh make tree reproduces them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# make check exports to a scratch copy to compare with patches/.
dest=${PATCHES_OUT:-$PATCHES}

git -C "$TREE" rev-parse -q --verify base >/dev/null 2>&1 ||
	die "no kernel tree at build/linux; run make tree first"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes; commit them (git -C build/linux commit) before exporting"
n=$(git -C "$TREE" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "build/linux has no commits on top of base; nothing to export"

out=$(mktemp -d "$BUILD_DIR/export.XXXXXX")
trap 'rm -rf "$out"' EXIT

# The cover letter's subject and blurb come from docs/cover-letter.txt; the
# rest (shortlog, diffstat) is made by format-patch.  --zero-commit and no
# signature keep the files identical across machines and re-exports.
desc=$TOP/docs/cover-letter.txt
[ -f "$desc" ] || die "docs/cover-letter.txt is missing"
# The cover letter is "sent" by the author of the last patch, dated like it.
GIT_COMMITTER_NAME=$(git -C "$TREE" log -1 --format=%an HEAD) \
GIT_COMMITTER_EMAIL=$(git -C "$TREE" log -1 --format=%ae HEAD) \
GIT_COMMITTER_DATE=$(git -C "$TREE" log -1 --format=%aD HEAD) \
git -C "$TREE" -c core.abbrev=12 -c "branch.$(git -C "$TREE" branch --show-current).description=$(cat "$desc")" \
	format-patch -q --zero-commit --no-signature --no-thread --base=base \
		--subject-prefix="$SERIES_PREFIX" \
		--cover-letter --cover-from-description=subject \
		-o "$out" base..HEAD

mkdir -p "$dest"
rm -f "$dest"/[0-9][0-9][0-9][0-9]-*.patch
cp "$out"/*.patch "$dest"/
(cd "$dest" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-cover-letter') > "$dest/series"
if [ "$dest" = "$PATCHES" ]; then
	git -C "$TREE" update-ref refs/harness/exported HEAD
	note "exported $n patches to patches/"
fi
