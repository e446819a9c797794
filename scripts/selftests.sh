#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/selftests.sh [KBUILD [SRC]]
#
# Run the whole hmm selftest program (tools/testing/selftests/mm/hmm-tests,
# every fixture and variant) on the kernel built in KBUILD (default:
# build/kunit, which scripts/kunit.sh builds; scripts/debug.sh passes its
# debug kernel; scripts/selftests-base.sh the unpatched base), built from
# the sources in SRC (default: build/linux), in QEMU with a busybox
# initramfs.  lib/test_hmm is built in; the boot sets 2 x 256 MiB aside
# (memmap=) and hands them to it (spm_addr_dev0/1), as test_hmm.sh does on
# hardware with "smoke <spm_addr_dev0> <spm_addr_dev1>", so that the device
# coherent variants run instead of skipping.  KUnit is switched off.
#
# Writes build/<name>/results: "PASS|FAIL|SKIP <test>" per test.  Every
# test must pass; a test may skip only if SKIPS below names it, with the
# reason (a listed skip counts neither as passed nor as failed).  A crash,
# a kernel splat, a timeout or a test that never reports fails the run.
# The last line is "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KB=$(realpath "${1:-$KBUILD}")
SRC_TREE=$(realpath "${2:-$TREE}")
NAME=${SELFTEST_NAME:-selftests${1:+-$(basename "$KB")}}
# A selection is not a run of the whole program: keep it apart from the
# results that scripts/selftests-base.sh compares.
[ -z "${SELFTEST_ARGS:-}" ] || [ -n "${SELFTEST_NAME:-}" ] || NAME=$NAME-selection
ST=$BUILD_DIR/$NAME
LOG=$BUILD_DIR/$NAME.log
rm -rf "$ST" "$LOG"
BOOT_TIMEOUT=${SELFTEST_TIMEOUT:-1800}
IMAGE=$KB/arch/x86/boot/bzImage
SRC=$SRC_TREE/tools/testing/selftests/mm

# Device coherent memory for lib/test_hmm: DEVMEM_CHUNK_SIZE (256 MiB) per
# device, inside the 2 GiB of RAM boot_qemu gives the guest.
SPM0=0x40000000
SPM1=0x50000000
CMDLINE="console=ttyS0 kunit.enable=0 panic=-1 rdinit=/init"
CMDLINE+=" memmap=256M\$$SPM0 memmap=256M\$$SPM1"
CMDLINE+=" test_hmm.spm_addr_dev0=$SPM0 test_hmm.spm_addr_dev1=$SPM1"

# Tests that skip, with the reason; any other skip fails the run.  None of
# them is about this VM: these cases do not apply to the variant.
NO_COHERENT_THP="lib/test_hmm's device coherent devices make no THP (migrate_vma_setup() selects a PMD-mapped device coherent folio only as system memory, so it could not be migrated back)"
# Tests known to fail now and then here, with what was seen: a failure is
# listed and counts neither as passed nor as failed; a pass counts.
declare -A FLAKY=(
	[hmm.hmm_device_coherent.benchmark_thp_migration]="its largest buffer, 256 MiB, needs every page of the device coherent device, and its migration left pages behind in 6 of 12 runs here, with 1 CPU or 2 (in one such run, no device allocation had failed); the base cannot run it, its device coherent devices break earlier"
)
declare -A SKIPS=(
	[hmm.hmm_device_coherent.migrate_anon_huge_err]="$NO_COHERENT_THP"
	[hmm2.hmm2_device_coherent.p2p_migrate_huge]="$NO_COHERENT_THP"
	[hmm2.hmm2_device_coherent.p2p_huge_read_offset]="$NO_COHERENT_THP"
	[hmm2.hmm2_device_coherent.p2p_third_device]="lib/test_hmm has two device coherent devices; the third device is device private"
)

[ -f "$IMAGE" ] || die "no kernel in ${KB#"$TOP"/}: run scripts/kunit.sh (make kunit) first"
grep -q '^CONFIG_TEST_HMM=y' "$KB/.config" ||
	die "${KB#"$TOP"/}/.config lacks CONFIG_TEST_HMM=y: rebuild it"

mkdir -p "$ST"

note "building hmm-tests of ${SRC_TREE#"$TOP"/} (static)"
(cd "$SRC" && gcc -static -O2 -Wall -I "$SRC_TREE" -I .. \
	-isystem "$SRC_TREE/tools/include/uapi" -U_FORTIFY_SOURCE -no-pie \
	hmm-tests.c vm_util.c hugepage_settings.c -lrt -lpthread -lm \
	-o "$ST/hmm-tests") > "$ST/build.log" 2>&1 ||
	{ tail -n 20 "$ST/build.log" >&2; die "hmm-tests did not build (log: build/$NAME/build.log)"; }

# SELFTEST_ARGS (hmm-tests options, "-r hmm.hmm_device_private.migrate"
# say) runs a selection instead, to reproduce a failure quickly.  A caller
# that cannot run some tests on its kernel names them (the test names of
# hmm-tests -T) in SELFTEST_EXCLUDE, and why in SELFTEST_EXCLUDE_WHY: they
# are listed, with the reason, and not run.
args=${SELFTEST_ARGS:-}
read -ra exclude <<< "${SELFTEST_EXCLUDE:-}"
for t in "${exclude[@]}"; do
	echo "not run on this kernel: $t (every variant): ${SELFTEST_EXCLUDE_WHY:-}"
	args="$args -T $t"
done
printf "%s" "$args" > "$ST/args"
initramfs=$(make_initramfs "$ST/initramfs" "$ST/hmm-tests" <<EOF
mkdir -p /tmp /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
/bin/hmm-tests $args
echo "hmm-selftests: exit status \$?"
EOF
)

note "booting ${KB#"$TOP"/} under QEMU/TCG (timeout ${BOOT_TIMEOUT}s, log: build/$NAME.log)"
QEMU_KERNEL=$IMAGE boot_qemu "$BOOT_TIMEOUT" "$LOG" "$CMDLINE" -initrd "$initramfs"

tr -d '\r' < "$LOG" > "$ST/console.txt"
# kselftest_harness: "ok N fixture.variant.test", "# SKIP reason" appended
# to skipped ones, "not ok N ..." for failures.
sed -nE 's/^(not )?ok [0-9]+ ([^ ]+)( # SKIP.*)?$/\1ok \2\3/p' "$ST/console.txt" |
	awk '{ t = $0 ~ /^not ok/ ? $3 : $2
	       s = $0 ~ /^not ok/ ? "FAIL" : ($0 ~ / # SKIP/ ? "SKIP" : "PASS")
	       print s, t }' > "$ST/results"

status=0
npass=0
nfail=0
nskip=0
nflaky=0
while read -r s t; do
	case $s in
	PASS) npass=$((npass + 1)) ;;
	SKIP)
		if [ -n "${SKIPS[$t]:-}" ]; then
			echo "skipped, as listed: $t: ${SKIPS[$t]}"
			nskip=$((nskip + 1))
		else
			echo "not allowed to skip: $t ($(grep -E "ok [0-9]+ $t " "$ST/console.txt" | sed 's/.*# SKIP/SKIP/'))"
			nfail=$((nfail + 1))
		fi
		;;
	*)
		if [ -n "${FLAKY[$t]:-}" ]; then
			echo "failed, known to be flaky here: $t: ${FLAKY[$t]}"
			nflaky=$((nflaky + 1))
		else
			echo "failed: $t"
			nfail=$((nfail + 1))
		fi
		;;
	esac
done < "$ST/results"
# The TAP plan ("1..N") counts the tests the program has: one that never
# reported (a crash of the program, say) fails.
planned=$(sed -nE '/^1\.\.[0-9]+$/{s/^1\.\.//p;q}' "$ST/console.txt")
reported=$(wc -l < "$ST/results")
if [ -z "$planned" ]; then
	note "hmm-tests printed no plan (1..N)"
	nfail=$((nfail + 1))
elif [ "$reported" -ne "$planned" ]; then
	note "hmm-tests planned $planned tests, $reported reported"
	nfail=$((nfail + (planned > reported ? planned - reported : reported - planned)))
fi
if ! grep -q '^hmm-selftests: exit status' "$ST/console.txt"; then
	note "hmm-tests did not finish; see build/$NAME.log"
	status=1
fi
if grep -qE "$SPLAT_RE" "$ST/console.txt"; then
	note "the kernel log has a splat; see build/$NAME.log"
	grep -m 5 -E "$SPLAT_RE" "$ST/console.txt" >&2
	status=1
fi
[ "$nfail" -eq 0 ] || status=1
echo "hmm-tests: $reported tests: $npass passed, $nfail failed, $nskip skipped as listed, $nflaky failed as listed flaky"
echo "$npass passed, $nfail failed"
exit $status
