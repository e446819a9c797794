#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/selftests-base.sh
#
# The regression gate of the hmm selftests: run the whole hmm-tests program
# of the unpatched base (its own lib/test_hmm and tools/testing/selftests/mm,
# from a worktree of build/linux at tag base, build/base-linux) on the base
# kernel, built with the configuration of build/kunit in build/kunit-base,
# and compare with the series' run (build/selftests/results, written by
# scripts/selftests.sh, which must have run first).  Every case that passes
# on the base must pass with the series: each counts once.  Cases that fail
# on the base are listed with their first assertion, and with the series'
# result, but do not count: the gate is about what the series changes.
# The last line is "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BASE_TREE=$BUILD_DIR/base-linux
BASE_KB=$BUILD_DIR/kunit-base
SERIES=$BUILD_DIR/selftests/results
BASE=$BUILD_DIR/selftests-base

[ -f "$SERIES" ] || die "no results of the series' run: run scripts/selftests.sh first"
[ ! -s "$BUILD_DIR/selftests/args" ] ||
	die "build/selftests/results are of a selection ($(cat "$BUILD_DIR/selftests/args")): run scripts/selftests.sh without one"
[ "$SERIES" -nt "$KERNEL_IMAGE" ] ||
	die "build/selftests/results are older than the kernel in build/kunit: run scripts/selftests.sh again"
[ -f "$KBUILD/.config" ] || die "no build/kunit/.config: run scripts/kunit.sh (make kunit) first"

base_rev=$(git -C "$TREE" rev-parse base)
if [ ! -d "$BASE_TREE" ] ||
   [ "$(git -C "$BASE_TREE" rev-parse HEAD 2>/dev/null)" != "$base_rev" ] ||
   [ -n "$(git -C "$BASE_TREE" status --porcelain 2>/dev/null)" ]; then
	rm -rf "$BASE_TREE"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$BASE_TREE" base
fi

note "building the base kernel in build/kunit-base (log: build/kunit-base-build.log)"
mkdir -p "$BASE_KB"
cp "$KBUILD/.config" "$BASE_KB/.config"
# The GPU side is not what the base runs here: leave DRM out, and xe with it.
"$TREE/scripts/config" --file "$BASE_KB/.config" -d DRM
make -C "$BASE_TREE" O="$BASE_KB" ARCH=x86_64 -j"$JOBS" "${KMAKE_VARS[@]}" \
	olddefconfig bzImage > "$BUILD_DIR/kunit-base-build.log" 2>&1 ||
	{ tail -n 20 "$BUILD_DIR/kunit-base-build.log" >&2; die "the base kernel did not build"; }

# The base's own run fails on its own bugs (see below); what counts is the
# comparison.
SELFTEST_NAME=selftests-base "$TOP/scripts/selftests.sh" "$BASE_KB" "$BASE_TREE" \
	> "$BASE.out" 2>&1 || true
[ -s "$BASE/results" ] || { tail -n 20 "$BASE.out" >&2; die "the base run reported nothing; see build/selftests-base.log"; }
# The gate compares the whole program: a base run cut short would shrink it.
base_plan=$(sed -nE '/^1\.\.[0-9]+$/{s/^1\.\.//p;q}' "$BASE/console.txt")
if [ "$base_plan" != "$(wc -l < "$BASE/results")" ] ||
   ! grep -q '^hmm-selftests: exit status' "$BASE/console.txt"; then
	fail "the base run reports all ${base_plan:-?} cases it plans (see build/selftests-base.log)"
fi

declare -A series_result
while read -r s t; do
	series_result[$t]=$s
done < "$SERIES"

base_pass=0
base_other=0
while read -r s t; do
	r=${series_result[$t]:-MISSING}
	if [ "$s" = PASS ]; then
		base_pass=$((base_pass + 1))
		if [ "$r" = PASS ]; then
			pass "passes on the base and with the series: $t"
		else
			fail "passes on the base, $r with the series: $t"
		fi
	else
		base_other=$((base_other + 1))
		# The test's first assertion, or how it ended.
		why=$(awk -v t="$t" '$0 ~ "RUN +" t " " { on = 1; next }
			on && /^# (hmm-tests\.c:[0-9]+:|.*Test terminated)/ { sub(/^# /, ""); print; exit }
			on && /^(not )?ok / { exit }' "$BASE/console.txt")
		echo "base $s, series $r: $t${why:+ ($why)}"
	fi
done < "$BASE/results"
if grep -qE "$SPLAT_RE" "$BASE/console.txt"; then
	echo "the base kernel's log has splats of its own, e.g.:"
	{ grep -E "WARNING:|BUG:|Oops" "$BASE/console.txt" || true; } | sort | uniq -c | sort -rn | head -n 3 || true
fi
echo "upstream hmm-tests cases: $base_pass of $((base_pass + base_other)) pass on the base," \
     "$(grep -c '^PASS' "$SERIES") of $(wc -l < "$SERIES") with the series (which adds cases)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
