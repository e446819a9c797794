#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/stable.sh
#
# Check that the series' fixes for stable reach the stable kernel
# (BASE_STABLE in lib.sh, Linux 7.2.13):
#   - every patch of the series tagged "Cc: stable@vger.kernel.org" is in
#     patches/stable-7.2/series, as itself or as a backport whose commit
#     message is the patch's own plus a "[ Backport ... ]" note;
#   - that series applies in order to a pristine 7.2.13 (git apply, no
#     fuzz);
#   - the C files it touches build there (x86_64 defconfig plus what they
#     need) and gain no W=1 or sparse warning.
# The last line is "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ST=$STABLE_TREE
SRC=$ST/linux
OUT=$ST/build

stable_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$STABLE_PATCHES/series"
}

subject_of() {
	# The subject without its [PATCH ...] prefix, unfolded.
	sed -n '/^Subject:/,/^$/p' "$1" | sed -e 's/^Subject: *//' |
		tr '\n' ' ' | sed -e 's/  */ /g' -e 's/ *$//' -e 's/^\[[^]]*\] *//'
}

# The commit message: from the blank line after the headers to "---",
# without backport notes ("[ ... ]" lines, which may wrap).
message_of() {
	awk 'body == 0 && /^$/ { body = 1; next }
	     body == 1 && /^---$/ { exit }
	     body == 1 { print }' "$1" |
		awk '/^\[ / { note = 1 } note == 0 { print } note && / \]$/ { note = 0 }'
}

check_coverage() {
	local p s found q

	while read -r p; do
		grep -qi '^Cc: *stable@vger.kernel.org' "$PATCHES/$p" || continue
		s=$(subject_of "$PATCHES/$p")
		found=
		while read -r q; do
			[ "$(subject_of "$STABLE_PATCHES/$q")" = "$s" ] || continue
			found=$q
			break
		done < <(stable_patches)
		if [ -z "$found" ]; then
			fail "stable-7.2 has \"$s\" ($p is Cc: stable)"
		elif [ "$(message_of "$STABLE_PATCHES/$found")" != "$(message_of "$PATCHES/$p")" ]; then
			diff <(message_of "$PATCHES/$p") <(message_of "$STABLE_PATCHES/$found") | head -n 10
			fail "stable-7.2/$found has the commit message of $p"
		else
			pass "stable-7.2 has $p"
		fi
	done < <(series_patches)
}

kmake() {
	make -C "$SRC" O="$OUT" ARCH=x86_64 -j"$JOBS" "${KMAKE_VARS[@]}" "$@"
}

# W=1 and sparse warnings of the objects "$@", line numbers dropped.
warnings() {
	{
		kmake W=1 "$@" 2>&1 >/dev/null
		kmake C=2 CHECK="$SPARSE" "$@" 2>&1 >/dev/null
	} | grep -E 'warning:|error:|not available or not up to date' |
		sed -E 's/:[0-9]+(:[0-9]+)?([: ])/\2/' | sort -u || true
}

check_apply_build() {
	local tarball p objs=() f new

	tarball=$("$TOP/scripts/fetch-base.sh" stable | tail -n 1)
	SPARSE=$("$TOP/scripts/get-sparse.sh" | tail -n 1)
	rm -rf "$SRC"
	mkdir -p "$SRC" "$OUT"
	note "unpacking $(basename "$tarball")"
	tar -xf "$tarball" -C "$SRC" --strip-components=1

	for f in $(stable_patches | while read -r p; do
			sed -n 's@^+++ b/\(.*\.c\)$@\1@p' "$STABLE_PATCHES/$p"
		   done | sort -u); do
		objs+=("${f%.c}.o")
	done

	note "configuring $STABLE_TITLE (log: ${OUT#"$TOP"/}/build.log)"
	if ! { kmake defconfig &&
	       "$SRC/scripts/config" --file "$OUT/.config" \
			-e MEMORY_HOTPLUG -e MEMORY_HOTREMOVE -e ZONE_DEVICE \
			-e DEVICE_PRIVATE -e TRANSPARENT_HUGEPAGE -e TEST_HMM &&
	       kmake olddefconfig && kmake prepare; } > "$OUT/build.log" 2>&1; then
		tail -n 20 "$OUT/build.log"
		fail "$STABLE_TITLE configures and prepares"
		return
	fi
	grep -q '^CONFIG_DEVICE_PRIVATE=y' "$OUT/.config" ||
		{ fail "$STABLE_TITLE config has DEVICE_PRIVATE"; return; }
	warnings "${objs[@]}" > "$ST/before.warnings"

	while read -r p; do
		if (cd "$SRC" && git apply --check "$STABLE_PATCHES/$p" &&
		    git apply "$STABLE_PATCHES/$p") 2> "$ST/apply.log"; then
			pass "$p applies to $STABLE_TITLE"
		else
			cat "$ST/apply.log"
			fail "$p applies to $STABLE_TITLE"
			return
		fi
	done < <(stable_patches)

	if kmake "${objs[@]}" >> "$OUT/build.log" 2>&1; then
		pass "the stable fixes build on $STABLE_TITLE (${objs[*]})"
	else
		grep -E 'error' "$OUT/build.log" | head -n 10
		fail "the stable fixes build on $STABLE_TITLE"
		return
	fi
	warnings "${objs[@]}" > "$ST/after.warnings"
	new=$(comm -13 "$ST/before.warnings" "$ST/after.warnings")
	if [ -z "$new" ]; then
		pass "the stable fixes add no W=1 or sparse warning on $STABLE_TITLE"
	else
		echo "$new"
		fail "the stable fixes add no W=1 or sparse warning on $STABLE_TITLE"
	fi
}

[ -f "$STABLE_PATCHES/series" ] || die "no patches/stable-7.2/series"
mkdir -p "$ST"
check_coverage
check_apply_build
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
