#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/selftests.sh [KBUILD]
#
# Run the hmm selftests that pin down how device-private pages of two
# devices behave (tools/testing/selftests/mm/hmm-tests with lib/test_hmm
# built in), in QEMU with a busybox initramfs, on the kernel built in
# KBUILD (default: build/kunit, which scripts/kunit.sh builds; scripts/
# debug.sh passes its debug kernel).  KUnit is switched off for this boot.
# The last line is "N passed, N failed"; any failed test, crash, kernel
# splat or timeout fails the run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KB=${1:-$KBUILD}
NAME=selftests${1:+-$(basename "$KB")}
ST=$BUILD_DIR/$NAME
LOG=$BUILD_DIR/$NAME.log
BOOT_TIMEOUT=${SELFTEST_TIMEOUT:-1800}
IMAGE=$KB/arch/x86/boot/bzImage
SRC=$TREE/tools/testing/selftests/mm

# The default behaviour the p2p work must keep: one device, and two devices
# with different owners (hmm2: a page on the other device is not the
# caller's, is migrated back to RAM on access, and is not migrated by it).
TESTS=(
	hmm.hmm_device_private.open_close
	hmm.hmm_device_private.anon_read
	hmm.hmm_device_private.anon_write
	hmm.hmm_device_private.anon_write_child
	hmm.hmm_device_private.migrate
	hmm.hmm_device_private.migrate_fault
	hmm.hmm_device_private.migrate_multiple
	hmm.hmm_device_private.exclusive
	hmm.hmm_device_private.hmm_cow_in_device
	hmm.hmm_device_private.migrate_anon_huge_empty
	hmm.hmm_device_private.migrate_anon_huge_fault
	hmm2.hmm2_device_private.migrate_mixed
	hmm2.hmm2_device_private.snapshot
	hmm2.hmm2_device_private.double_map
)

[ -f "$IMAGE" ] || die "no kernel in ${KB#"$TOP"/}: run scripts/kunit.sh (make kunit) first"
grep -q '^CONFIG_TEST_HMM=y' "$KB/.config" ||
	die "${KB#"$TOP"/}/.config lacks CONFIG_TEST_HMM=y: rebuild it"

rm -rf "$ST"
mkdir -p "$ST"

note "building hmm-tests (static)"
(cd "$SRC" && gcc -static -O2 -Wall -I "$TREE" -I .. \
	-isystem "$TREE/tools/include/uapi" -U_FORTIFY_SOURCE -no-pie \
	hmm-tests.c vm_util.c hugepage_settings.c -lrt -lpthread -lm \
	-o "$ST/hmm-tests") > "$ST/build.log" 2>&1 ||
	{ tail -n 20 "$ST/build.log" >&2; die "hmm-tests did not build (log: build/$NAME/build.log)"; }

initramfs=$({
	printf '/bin/hmm-tests'
	printf ' -r %s' "${TESTS[@]}"
	echo
	echo 'echo "hmm-selftests: exit status $?"'
} | make_initramfs "$ST/initramfs" "$ST/hmm-tests")

note "booting ${KB#"$TOP"/} under QEMU/TCG (timeout ${BOOT_TIMEOUT}s, log: build/$NAME.log)"
QEMU_KERNEL=$IMAGE boot_qemu "$BOOT_TIMEOUT" "$LOG" \
	"console=ttyS0 kunit.enable=0 panic=-1 rdinit=/init" -initrd "$initramfs"

tr -d '\r' < "$LOG" > "$ST/console.txt"
passed=$(grep -cE '^ok [0-9]+ ' "$ST/console.txt" || true)
failed=$(grep -cE '^not ok [0-9]+ ' "$ST/console.txt" || true)
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$ST/console.txt" || true)
grep -E '^(not )?ok [0-9]+ ' "$ST/console.txt" || true
status=0
if ! grep -q '^hmm-selftests: exit status' "$ST/console.txt"; then
	note "hmm-tests did not finish; see build/$NAME.log"
	status=1
fi
if grep -qE "$SPLAT_RE" "$ST/console.txt"; then
	note "the kernel log has a splat; see build/$NAME.log"
	status=1
fi
if [ "$skipped" -ne 0 ] || [ "$((passed + failed))" -ne "${#TESTS[@]}" ]; then
	note "expected ${#TESTS[@]} tests to run and pass, $skipped skipped"
	status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$((passed - skipped)) passed, $((failed + skipped)) failed"
exit $status
