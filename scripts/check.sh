#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check.sh
#
# Everything the project tests, on the series in patches/:
#   - checkpatch.pl --strict on every patch;
#   - every patch builds on its own (bisectability), and adds no W=1,
#     sparse or kernel-doc warning to the files the series touches;
#   - the KUnit suite (scripts/kunit.sh);
#   - make export reproduces patches/ byte for byte.
# Each check, and each KUnit case, counts once in the last line:
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CK=$BUILD_DIR/check
passed=0
failed=0
failures=()

pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}

fail() {
	failed=$((failed + 1))
	failures+=("$*")
	echo "FAIL: $*"
}

summary() {
	local f

	for f in "${failures[@]}"; do
		echo "failed: $f"
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# --- checkpatch ---------------------------------------------------------

check_checkpatch() {
	local p out

	while read -r p; do
		if out=$(cd "$TREE" && ./scripts/checkpatch.pl --strict -q \
				--no-summary "$PATCHES/$p" 2>&1) && [ -z "$out" ]; then
			pass "checkpatch --strict $p"
		else
			echo "$out"
			fail "checkpatch --strict $p"
		fi
	done < <(series_patches)
}

# --- export round trip --------------------------------------------------

check_export() {
	local tmp

	tmp=$(mktemp -d "$BUILD_DIR/export-check.XXXXXX")
	cp -a "$PATCHES/." "$tmp/"
	if ! PATCHES_OUT=$tmp "$TOP/scripts/export.sh" >/dev/null 2>&1; then
		fail "make export runs on the applied series"
	elif diff -r "$PATCHES" "$tmp" > "$CK/export.diff"; then
		pass "make export reproduces patches/"
	else
		head -n 20 "$CK/export.diff"
		fail "make export reproduces patches/ (see build/check/export.diff)"
	fi
	rm -rf "$tmp"
}

# --- per-patch builds and warnings --------------------------------------

# Source files the series touches, of a kind the checks below understand.
touched_c_files() {
	git -C "$TREE" diff --name-only base..HEAD -- '*.c'
}

touched_doc_files() {
	git -C "$TREE" diff --name-only base..HEAD -- '*.c' '*.h'
}

# Warnings of one kind for the files "$@" in the worktree at its current
# commit, with line and column numbers dropped so that two commits compare.
warnings_of() {
	local kind=$1
	shift
	local f objs=()

	case $kind in
	kernel-doc)
		for f in "$@"; do
			[ -f "$WT/$f" ] || continue
			(cd "$WT" && ./scripts/kernel-doc -none -Wall "$f" 2>&1) || true
		done
		;;
	w1|sparse)
		for f in "$@"; do
			[ -f "$WT/$f" ] && objs+=("${f%.c}.o")
		done
		[ "${#objs[@]}" -gt 0 ] || return 0
		if [ "$kind" = w1 ]; then
			make -C "$WT" O="$OUT" -j"$(nproc)" CC="ccache gcc" W=1 \
				"${objs[@]}" 2>&1 >/dev/null | grep -E 'warning:|error:' || true
		else
			make -C "$WT" O="$OUT" -j"$(nproc)" CC="ccache gcc" C=2 \
				CHECK="$SPARSE" "${objs[@]}" 2>&1 >/dev/null |
				grep -E 'warning:|error:|not available or not up to date' || true
		fi
		;;
	esac | sed -E 's/:[0-9]+(:[0-9]+)?:/:/' | sort -u
}

check_patches_build() {
	local commits c i=0 p kind files new

	SPARSE=$("$TOP/scripts/get-sparse.sh" | tail -n 1)
	WT=$CK/tree
	OUT=$CK/out
	if [ ! -d "$WT" ]; then
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$WT" base
	fi
	mkdir -p "$OUT"
	# The KUnit configuration, so that the new test builds too.
	cp "$BUILD_DIR/kunit/.config" "$OUT/.config"

	mapfile -t files_c < <(touched_c_files)
	mapfile -t files_doc < <(touched_doc_files)

	git -C "$WT" checkout -q --detach base
	make -C "$WT" O="$OUT" olddefconfig >/dev/null
	for kind in w1 sparse kernel-doc; do
		if [ "$kind" = kernel-doc ]; then
			warnings_of "$kind" "${files_doc[@]}" > "$CK/base.$kind"
		else
			warnings_of "$kind" "${files_c[@]}" > "$CK/base.$kind"
		fi
	done

	mapfile -t commits < <(git -C "$TREE" rev-list --reverse base..HEAD)
	while read -r p; do
		c=${commits[$i]}
		i=$((i + 1))
		git -C "$WT" checkout -q --detach "$c"
		make -C "$WT" O="$OUT" olddefconfig >/dev/null
		if make -C "$WT" O="$OUT" -j"$(nproc)" CC="ccache gcc" vmlinux \
				> "$CK/build-$i.log" 2>&1; then
			pass "$p builds on its own"
		else
			grep -E 'error|Error' "$CK/build-$i.log" | head -n 10
			fail "$p builds on its own (see build/check/build-$i.log)"
			continue
		fi
		for kind in w1 sparse kernel-doc; do
			if [ "$kind" = kernel-doc ]; then
				warnings_of "$kind" "${files_doc[@]}" > "$CK/$i.$kind"
			else
				warnings_of "$kind" "${files_c[@]}" > "$CK/$i.$kind"
			fi
			new=$(comm -13 "$CK/base.$kind" "$CK/$i.$kind")
			if [ -z "$new" ]; then
				pass "$p adds no $kind warning"
			else
				echo "$new"
				fail "$p adds no $kind warning"
			fi
		done
	done < <(series_patches)
}

# --- main ---------------------------------------------------------------

mkdir -p "$BUILD_DIR" "$CK"
"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh"
[ "$(tree_patch_ids)" = "$(series_patch_ids)" ] ||
	die "build/linux does not hold exactly patches/; run make export (or make clean && make tree)"

check_checkpatch
check_export

# The KUnit run also builds the configuration the per-patch builds reuse.
kunit_out=$CK/kunit.out
if "$TOP/scripts/kunit.sh" 2>&1 | tee "$kunit_out"; then
	:
fi
if read -r kp kf < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$kunit_out" |
			tail -n 1 | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/'); then
	passed=$((passed + kp))
	failed=$((failed + kf))
	if grep -q '^kunit.sh: ' "$kunit_out" && [ "$kf" -eq 0 ] &&
	   grep -qE '^kunit.sh: .*(failed|timed out|exited|did not|splat|skipped)' "$kunit_out"; then
		fail "KUnit run (see build/kunit.log)"
	fi
else
	fail "KUnit run produced no results (see build/kunit-build.log, build/kunit.log)"
fi

if [ -f "$BUILD_DIR/kunit/.config" ]; then
	check_patches_build
else
	fail "per-patch builds (no KUnit .config to build with)"
fi

summary
