#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/check-full.sh
#
# make check, and what is too slow for it:
#   - the KUnit suite on arm64 with 64 KiB pages in QEMU (scripts/arm64.sh);
#   - the mutants the suite must catch (scripts/mutants.sh).
# Writes the summary of each part to docs/check-full-results.md, to be
# committed with the change it was run on.  The last line is
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RESULTS=$TOP/docs/check-full-results.md
total_p=0
total_f=0
rows=()

part() { # NAME SCRIPT
	local name=$1 script=$2 out rc=0 p=0 f=0 start end

	start=$(date +%s)
	out=$BUILD_DIR/check-full-$(basename "$script" .sh).out
	set +e
	"$script" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	end=$(date +%s)
	if read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" |
			tail -n 1 | sed -E 's/ passed, / /; s/ failed$//'); then :; fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	rows+=("| $name | $p | $f | $(( (end - start) / 60 ))m$(( (end - start) % 60 ))s |")
}

mkdir -p "$BUILD_DIR"
part "make check" "$TOP/scripts/check.sh"
part "KUnit on arm64, 64 KiB pages (QEMU TCG)" "$TOP/scripts/arm64.sh"
part "mutants the KUnit suite and the selftests must catch" "$TOP/scripts/mutants.sh"

{
	echo "# Last results of make check-full"
	echo
	echo "Run on $(date -u +%Y-%m-%d) at series $(git -C "$TREE" rev-parse --short=12 HEAD)"
	echo "($(git -C "$TREE" rev-list --count base..HEAD) patches on $BASE_TITLE), on $(nproc) cores."
	echo
	echo "| part | passed | failed | time |"
	echo "|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Skipped on arm64 with 64 KiB pages, and why:"
	echo
	grep -h '^skipped: ' "$BUILD_DIR/check-full-arm64.out" | sed 's/^skipped: */- /' || echo "- none"
	echo
	echo "Mutants:"
	echo
	grep -hE '^(PASS|FAIL): mutant' "$BUILD_DIR/check-full-mutants.out" | sed 's/^/- /' || true
} > "$RESULTS"
note "wrote ${RESULTS#"$TOP"/}"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
