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
#   - the whole hmm selftest program, every fixture and variant, device
#     coherent memory included (scripts/selftests.sh);
#   - the regression gate: the base's own hmm selftests on the unpatched
#     base kernel, and every case that passes there passes with the series
#     (scripts/selftests-base.sh);
#   - both again on a debug kernel: KASAN, KFENCE, lockdep, DEBUG_VM,
#     DEBUG_ATOMIC_SLEEP, DEBUG_PREEMPT, the suite as a module
#     (scripts/debug.sh);
#   - the touched files on other configurations and architectures, with no
#     new W=1 warning (scripts/matrix.sh);
#   - the fixes for stable apply and build on the stable kernel
#     (scripts/stable.sh);
#   - every file the series adds is covered by MAINTAINERS;
#   - make export reproduces patches/ byte for byte.
# Each check, and each KUnit case, counts once in the last line:
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Selections and exclusions are for reproducing a failure, not for make check.
unset SELFTEST_ARGS SELFTEST_EXCLUDE SELFTEST_EXCLUDE_WHY SELFTEST_NAME

CK=$BUILD_DIR/check

summary() {
	local f

	for f in "${failures[@]}"; do
		echo "failed: $f"
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# --- checkpatch ---------------------------------------------------------

# checkpatch asks "does MAINTAINERS need updating?" of every patch that
# adds a file (FILE_PATH_CHANGES).  That question is answered by
# check_maintainers instead: a MAINTAINERS line for a file that an entry
# already covers would be redundant.  And it cannot look up the commits
# that Fixes: tags name (UNKNOWN_COMMIT_ID): the base is a release
# tarball without history.  It still checks the tags' form.
check_checkpatch() {
	local p out

	while read -r p; do
		# Debian's python3 first: spdxcheck.py needs its python3-ply.
		if out=$(cd "$TREE" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict -q \
				--ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID --no-summary \
				"$PATCHES/$p" 2>&1) &&
		   [ -z "$out" ]; then
			pass "checkpatch --strict $p"
		else
			echo "$out"
			fail "checkpatch --strict $p"
		fi
	done < <(series_patches)
}

# Every file the series adds has maintainers of its own in MAINTAINERS
# (an entry other than THE REST), as get_maintainer.pl sees it.
check_maintainers() {
	local f sections

	for f in $(git -C "$TREE" diff --name-only --diff-filter=A base..HEAD); do
		sections=$(cd "$TREE" && ./scripts/get_maintainer.pl --no-git \
				--no-git-fallback --no-rolestats --sections -f "$f" 2>/dev/null |
			   awk 'prev == "" && NF && $0 !~ /^[A-Z]:\t/ { print } { prev = $0 }' |
			   grep -vx 'THE REST' | paste -sd ';' -) || true
		if [ -n "$sections" ]; then
			pass "MAINTAINERS covers $f ($sections)"
		else
			fail "MAINTAINERS covers $f"
		fi
	done
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
#
# Each patch is checked out in build/linux in turn and built with the KUnit
# configuration in build/kunit, so a patch costs only what it changes; the
# KUnit run afterwards starts from the last patch's objects.

kmake() {
	make -C "$TREE" O="$KBUILD" ARCH=x86_64 -j"$JOBS" "${KMAKE_VARS[@]}" "$@"
}

# Warnings of one kind for the files "$@" at the commit checked out, with
# line and column numbers dropped so that two commits compare.
warnings_of() {
	local kind=$1
	shift
	local f objs=()

	case $kind in
	kernel-doc)
		for f in "$@"; do
			[ -f "$TREE/$f" ] || continue
			(cd "$TREE" && ./scripts/kernel-doc -none -Wall "$f" 2>&1) || true
		done
		;;
	w1|sparse)
		# Only files its Makefile builds: a test included by the file
		# it tests (xe's tests/*_kunit.c) is compiled with that file.
		for f in "$@"; do
			[ -f "$TREE/$f" ] &&
				grep -qw "$(basename "${f%.c}").o" "$TREE/$(dirname "$f")/Makefile" 2>/dev/null &&
				objs+=("${f%.c}.o")
		done
		[ "${#objs[@]}" -gt 0 ] || return 0
		if [ "$kind" = w1 ]; then
			kmake W=1 "${objs[@]}" 2>&1 >/dev/null |
				grep -E 'warning:|error:' || true
		else
			kmake C=2 CHECK="$SPARSE" "${objs[@]}" 2>&1 >/dev/null |
				grep -E 'warning:|error:|not available or not up to date' || true
		fi
		;;
	esac | sed -E 's/:[0-9]+(:[0-9]+)?([: ])/\2/' | sort -u
}

restore_tree() {
	git -C "$TREE" checkout -q "$HEAD_REF"
}

# Build every patch on its own, and compare the W=1, sparse and kernel-doc
# warnings of the files the series touches with those of the patch before.
# The first patch is compared with base: kernel-doc on base's files, and
# for W=1 and sparse (which need the series' configuration) the first
# patch's own warnings in the files it leaves as they were in base.
# W=1 and sparse look at the .c files the series has changed up to the
# patch, plus those the next patch changes (as they are before it, the
# comparison's other side): a file the series does not touch yet costs
# nothing, which matters for the big ones of the GPU user.  Warnings that
# a header change adds to a file the series has not touched yet are only
# seen by the build itself, when they are errors.
check_patches_build() {
	local commits c i=0 p kind new files_c files_doc f now next

	SPARSE=$("$TOP/scripts/get-sparse.sh" | tail -n 1)
	HEAD_REF=$(git -C "$TREE" symbolic-ref -q --short HEAD || git -C "$TREE" rev-parse HEAD)
	trap restore_tree EXIT

	(cd "$TREE" && python3 tools/testing/kunit/kunit.py config \
		"${KUNIT_CONFIG_ARGS[@]}" \
		--build_dir="$KBUILD") > "$CK/config.log" 2>&1 ||
		{ fail "kunit.py config (see build/check/config.log)"; return; }

	files_c=$(git -C "$TREE" diff --name-only base..HEAD -- '*.c')
	# The .c files changed in base..REV that build as kernel objects.
	changed_c() {
		git -C "$TREE" diff --name-only "base..$1" -- '*.c' | grep -v '^tools/' || true
	}
	files_doc=$(git -C "$TREE" diff --name-only base..HEAD -- '*.c' '*.h')
	mapfile -t commits < <(git -C "$TREE" rev-list --reverse base..HEAD)

	# kernel-doc of base, from a scratch copy of base's files.
	rm -rf "$CK/base-tree"
	mkdir -p "$CK/base-tree"
	for f in $files_doc; do
		mkdir -p "$CK/base-tree/$(dirname "$f")"
		git -C "$TREE" show "base:$f" > "$CK/base-tree/$f" 2>/dev/null ||
			rm -f "$CK/base-tree/$f"
	done
	for f in $files_doc; do
		[ -f "$CK/base-tree/$f" ] || continue
		(cd "$CK/base-tree" && "$TREE/scripts/kernel-doc" -none -Wall "$f" 2>&1) || true
	done | sed -E 's/:[0-9]+(:[0-9]+)?([: ])/\2/' | sort -u > "$CK/0.kernel-doc"

	while read -r p; do
		c=${commits[$i]}
		i=$((i + 1))
		git -C "$TREE" checkout -q --detach "$c"
		if kmake olddefconfig vmlinux > "$CK/build-$i.log" 2>&1; then
			pass "$p builds on its own"
		else
			grep -E 'error|Error' "$CK/build-$i.log" | head -n 10
			fail "$p builds on its own (see build/check/build-$i.log)"
			for kind in w1 sparse kernel-doc; do
				cp "$CK/$((i - 1)).$kind" "$CK/$i.$kind" 2>/dev/null ||
					: > "$CK/$i.$kind"
			done
			continue
		fi
		if [ "$i" -eq 1 ]; then
			local unchanged
			unchanged=$(for f in $files_c; do
				git -C "$TREE" diff --quiet base "$c" -- "$f" && echo "$f"
			done)
			# shellcheck disable=SC2086 # word splitting is intended
			warnings_of w1 $unchanged > "$CK/0.w1"
			# shellcheck disable=SC2086
			warnings_of sparse $unchanged > "$CK/0.sparse"
		fi
		now=$(changed_c "$c")
		next=$(changed_c "${commits[$i]:-$c}" | grep -vxF -e "$now" || true)
		for kind in w1 sparse kernel-doc; do
			# shellcheck disable=SC2086
			if [ "$kind" = kernel-doc ]; then
				warnings_of "$kind" $files_doc > "$CK/$i.$kind"
			else
				warnings_of "$kind" $now > "$CK/$i.$kind"
			fi
			new=$(comm -13 "$CK/$((i - 1)).$kind" "$CK/$i.$kind")
			# What the next patch compares with.
			if [ "$kind" != kernel-doc ] && [ -n "$next" ]; then
				# shellcheck disable=SC2086
				{ cat "$CK/$i.$kind"; warnings_of "$kind" $next; } |
					sort -u > "$CK/$i.$kind.tmp"
				mv "$CK/$i.$kind.tmp" "$CK/$i.$kind"
			fi
			if [ -z "$new" ]; then
				pass "$p adds no $kind warning"
			else
				echo "$new"
				fail "$p adds no $kind warning"
			fi
		done
	done < <(series_patches)
	restore_tree
	trap - EXIT
}

# Run a script whose last line is "N passed, N failed" and add its counts;
# its failing exit status counts as one more failure, named WHAT.
run_counted() {
	local script=$1 what=$2 out rc p f

	out=$CK/$(basename "$script" .sh).out
	set +e
	"$script" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	if read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" |
			tail -n 1 | sed -E 's/ passed, / /; s/ failed$//'); then
		passed=$((passed + p))
		failed=$((failed + f))
	fi
	if [ "$rc" -ne 0 ]; then
		fail "$what"
	fi
}

# --- main ---------------------------------------------------------------

mkdir -p "$BUILD_DIR" "$CK"
"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh"
[ "$(tree_patch_ids)" = "$(series_patch_ids)" ] ||
	die "build/linux does not hold exactly patches/; run make export (or make clean && make tree)"

check_checkpatch
check_maintainers
check_export

check_patches_build

# KUnit and the selftests: their cases count one by one.  A crash, a
# splat, a timeout or a missing suite fails the run even when every case
# that ran passed.
run_counted "$TOP/scripts/kunit.sh" "KUnit run (see build/kunit.log)"
run_counted "$TOP/scripts/selftests.sh" "hmm selftests (see build/selftests.log)"
run_counted "$TOP/scripts/selftests-base.sh" \
	"hmm selftests of $BASE_TITLE on $BASE_TITLE (see build/selftests-base.out)"
# The same on a kernel with the sanitizers and lockdep, the suite as a
# module.
run_counted "$TOP/scripts/debug.sh" "debug kernel (see build/debug-kunit.log)"
# The series on other configurations and architectures.
run_counted "$TOP/scripts/matrix.sh" "build matrix (see build/matrix/)"
# The fixes for stable on the stable kernel.
run_counted "$TOP/scripts/stable.sh" "stable fixes on $STABLE_TITLE"

summary
