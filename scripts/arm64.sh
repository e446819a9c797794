#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/arm64.sh
#
# Build the KUnit suite for arm64 with 64 KiB pages (a PMD maps 512 MiB
# there, 8192 pages) with the kernel's own kunit.py and the series'
# .kunitconfig, boot it in QEMU (TCG) and parse the results.  Part of
# make check-full: the build is a cold cross build of a whole kernel and
# the boot runs the suite's THP cases on 512 MiB folios.  A case may skip
# only with a reason this geometry or machine explains; any failure, a
# missing suite or a splat fails the run.  The last line is
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

AB=$BUILD_DIR/arm64-64k
LOG=$BUILD_DIR/arm64-64k-kunit.log
JSON=$BUILD_DIR/arm64-64k-kunit.json
BOOT_TIMEOUT=${ARM64_TIMEOUT:-3600}
IMAGE=$AB/arch/arm64/boot/Image.gz

"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh" --keep

note "building the arm64 64K-page KUnit kernel (log: build/arm64-64k-build.log)"
if ! (cd "$TREE" && python3 tools/testing/kunit/kunit.py build \
		--arch=arm64 --cross_compile=aarch64-linux-gnu- \
		--kunitconfig="$KUNITCONFIG" \
		--kconfig_add CONFIG_ARM64_64K_PAGES=y \
		--kconfig_add CONFIG_ARM64_VA_BITS_48=y \
		--make_options="CC=ccache aarch64-linux-gnu-gcc" \
		--make_options=KCFLAGS=-pipe \
		--build_dir="$AB" --jobs="$JOBS") > "$BUILD_DIR/arm64-64k-build.log" 2>&1; then
	tail -n 30 "$BUILD_DIR/arm64-64k-build.log" >&2
	die "the arm64 kernel did not build; see build/arm64-64k-build.log"
fi
grep -q '^CONFIG_ARM64_64K_PAGES=y' "$AB/.config" || die "the arm64 kernel does not have 64 KiB pages"

note "booting under qemu-system-aarch64/TCG (timeout ${BOOT_TIMEOUT}s, log: build/arm64-64k-kunit.log)"
rc=0
timeout --foreground -k 10 "$BOOT_TIMEOUT" \
	qemu-system-aarch64 -nodefaults -accel tcg -machine virt -cpu max \
		-m 4096 -smp 2 -kernel "$IMAGE" \
		-append "console=ttyAMA0 kunit_shutdown=poweroff panic=-1" \
		-no-reboot -nographic -display none -serial stdio \
		< /dev/null > "$LOG" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "QEMU exited with status $rc (124: timeout); see build/arm64-64k-kunit.log"

parse_rc=0
(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse --json="$JSON" "$LOG") || parse_rc=$?
read -r passed nfail skipped < <(kunit_counts "$JSON")
failed=0
tr -d '\r' < "$LOG" | grep '# Subtest: hmm_p2p' >/dev/null || { note "suite hmm_p2p did not run"; failed=1; }
if grep -qE "$SPLAT_RE" "$LOG"; then
	note "the kernel log has a splat:"
	grep -E "$SPLAT_RE" "$LOG" | head -n 5 >&2
	failed=1
fi
# Skips are allowed, but only for reasons of the machine, listed here.
tr -d '\r' < "$LOG" | grep -E '# SKIP' | sed 's/^/skipped: /' || true
if tr -d '\r' < "$LOG" | grep -E '# SKIP' | grep -v 'no reserved memory' >/dev/null; then
	note "a case skipped for a reason this run does not expect"
	failed=1
fi
[ "$parse_rc" -eq 0 ] && [ "$nfail" -eq 0 ] || failed=1
echo "$passed passed, $((nfail + failed)) failed"
[ "$failed" -eq 0 ]
