#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/clean.sh
#
# Remove build output.  build/linux goes too, but only when everything in
# it is in patches/: a tree with unexported commits or uncommitted edits is
# kept, and the reason is printed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$BUILD_DIR" ] || exit 0
keep_tree=
if git -C "$TREE" rev-parse -q --verify base >/dev/null 2>&1; then
	if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
		keep_tree="it has uncommitted changes"
	elif [ "$(tree_patch_ids)" != "$(series_patch_ids)" ]; then
		keep_tree="its commits differ from patches/ (run make export)"
	fi
fi

find "$BUILD_DIR" -mindepth 1 -maxdepth 1 ! -name linux ! -name base \
	! -name apt ! -name tools -exec rm -rf {} +
if [ -n "$keep_tree" ]; then
	note "kept build/linux: $keep_tree"
	exit 1
fi
rm -rf "$TREE" "$TREE.tmp"
note "removed build output (downloads in build/base, build/apt and build/tools are kept)"
