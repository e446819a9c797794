#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug.sh
#
# Build a second kernel from build/linux, in build/debug, with the
# kernel's bug finders on (KASAN, KFENCE, PROVE_LOCKING, DEBUG_VM,
# DEBUG_ATOMIC_SLEEP, PREEMPT with DEBUG_PREEMPT), the hmm KUnit suite as a
# module and the drm_gpusvm one built in (not xe: its suite only tests a
# table), then boot it in QEMU twice:
#   - run the drm_gpusvm suite at boot; load the hmm suite's module (which
#     runs it), and unload it; then load
#     the benchmark module of make bench on 2 MiB ranges, so that it
#     cannot rot (scripts/bench.sh --smoke builds it, also without the
#     p2p API as make bench builds it for the base);
#   - run the hmm selftests (scripts/selftests.sh build/debug), all but
#     benchmark_thp_migration, whose timeout is too short for KASAN under
#     TCG.
# Fails on any failed or skipped case, a module that does not load or
# unload, a timeout, and any sanitizer report, lockdep splat, BUG: or
# WARNING: in the console.  The last line is "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB=$BUILD_DIR/debug
LOG=$BUILD_DIR/debug-kunit.log
JSON=$BUILD_DIR/debug-kunit.json
BOOT_TIMEOUT=${DEBUG_TIMEOUT:-1800}
IMAGE=$DB/arch/x86/boot/bzImage
MODULE=mm/hmm_p2p_kunit.ko

DEBUG_CONFIG_ARGS=("${KUNIT_NO_XE_CONFIG_ARGS[@]}")
for _opt in MODULES MODULE_UNLOAD KASAN KFENCE PROVE_LOCKING DEBUG_VM \
	    DEBUG_ATOMIC_SLEEP PREEMPT DEBUG_PREEMPT; do
	DEBUG_CONFIG_ARGS+=(--kconfig_add "CONFIG_$_opt=y")
done
DEBUG_CONFIG_ARGS+=(--kconfig_add CONFIG_HMM_P2P_KUNIT_TEST=m)
unset _opt

debug_build() {
	local opts=() v

	for v in "${KMAKE_VARS[@]}"; do
		opts+=(--make_options="$v")
	done
	note "building the debug kernel (log: build/debug-build.log)"
	if ! (cd "$TREE" && python3 tools/testing/kunit/kunit.py build \
			"${DEBUG_CONFIG_ARGS[@]}" "${opts[@]}" \
			--build_dir="$DB" --jobs="$JOBS") \
			> "$BUILD_DIR/debug-build.log" 2>&1; then
		tail -n 30 "$BUILD_DIR/debug-build.log" >&2
		die "the debug kernel did not build; see build/debug-build.log"
	fi
	[ -f "$DB/$MODULE" ] || die "the debug build has no $MODULE"
	BENCH_KO=$("$TOP/scripts/bench.sh" --smoke "$DB" | tail -n 1)
}

debug_kunit() {
	local initramfs parse_rc=0 failed=0 passed nfail skipped bad

	initramfs=$(cat <<-EOF | make_initramfs "$DB/initramfs" "$DB/$MODULE" "$BENCH_KO"
		insmod /bin/hmm_p2p_kunit.ko coherent_addr=$COHERENT_ADDR
		echo "hmm-p2p-debug: insmod exit status \$?"
		rmmod hmm_p2p_kunit
		echo "hmm-p2p-debug: rmmod exit status \$?"
		insmod /bin/hmm_p2p_bench.ko max_mib=2
		rmmod hmm_p2p_bench
		EOF
	)
	note "booting the debug kernel with the suite as a module (timeout ${BOOT_TIMEOUT}s, log: build/debug-kunit.log)"
	QEMU_KERNEL=$IMAGE boot_qemu "$BOOT_TIMEOUT" "$LOG" \
		"console=ttyS0 panic=-1 rdinit=/init memmap=2M\$$COHERENT_ADDR kunit.filter_glob=*p2p*" \
		-initrd "$initramfs"

	# The built-in run at boot (the drm_gpusvm suite) comes first, then
	# the module's.
	sed -n '1,/Run \/init as init process/p' "$LOG" > "$DB/builtin-run.log"
	sed -n '/Run \/init as init process/,$p' "$LOG" > "$DB/module-run.log"
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse \
		--json="$DB/builtin-run.json" "$DB/builtin-run.log") || parse_rc=$?
	read -r passed nfail skipped < <(kunit_counts "$DB/builtin-run.json")
	echo "$passed passed, $nfail failed, $skipped skipped (debug kernel, built in)"
	if ! tr -d '\r' < "$DB/builtin-run.log" | grep -x '    # Subtest: drm_gpusvm_p2p' >/dev/null; then
		note "suite drm_gpusvm_p2p did not run; see build/debug-kunit.log"
		failed=1
	fi
	BUILTIN_PASSED=$passed
	BUILTIN_FAILED=$((nfail + skipped))
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse \
		--json="$JSON" "$DB/module-run.log") || parse_rc=$?
	read -r passed nfail skipped < <(kunit_counts "$JSON")
	echo "$passed passed, $nfail failed, $skipped skipped (debug kernel, module)"
	if ! tr -d '\r' < "$LOG" | grep '^hmm-p2p-debug: insmod exit status 0$' >/dev/null; then
		note "the module did not load; see build/debug-kunit.log"
		failed=1
	fi
	if ! tr -d '\r' < "$LOG" | grep '^hmm-p2p-debug: rmmod exit status 0$' >/dev/null; then
		note "the module did not unload; see build/debug-kunit.log"
		failed=1
	fi
	if ! tr -d '\r' < "$LOG" | grep '^hmm-p2p-bench: done$' >/dev/null; then
		note "the benchmark's smoke run did not finish; see build/debug-kunit.log"
		failed=1
	else
		echo "the benchmark's smoke run finished:"
		tr -d '\r' < "$LOG" | grep '^hmm-p2p-bench: ' | head -n 4
	fi
	bad=$(grep -E "$SPLAT_RE" "$LOG" | head -n 5 || true)
	if [ -n "$bad" ]; then
		note "the debug kernel's log has a splat:"
		echo "$bad" >&2
		failed=1
	fi
	if [ "$skipped" -ne 0 ] || [ "$nfail" -ne 0 ] || [ "$parse_rc" -ne 0 ] ||
	   [ "$passed" -eq 0 ]; then
		failed=1
	fi
	DEBUG_PASSED=$((BUILTIN_PASSED + passed))
	DEBUG_FAILED=$((BUILTIN_FAILED + nfail + skipped + failed))
}

mkdir -p "$BUILD_DIR"
"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh" --keep
debug_build
debug_kunit
status=0
# benchmark_thp_migration migrates buffers of up to 256 MiB to the device
# and back, five times with THPs and five without, within 120 s: too much
# for KASAN under TCG.  It runs on the kernel of make kunit.
out=$(SELFTEST_EXCLUDE=benchmark_thp_migration \
      SELFTEST_EXCLUDE_WHY="exceeds its 120 s timeout with KASAN under TCG; runs on the non-debug kernel" \
      "$TOP/scripts/selftests.sh" "$DB" 2>&1) || status=$?
echo "$out"
read -r sp sf < <(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' |
		  tail -n 1 | sed -E 's/ passed, / /; s/ failed$//') || true
[ "$status" -eq 0 ] || sf=$((${sf:-0} + 1))
echo "$((DEBUG_PASSED + ${sp:-0})) passed, $((DEBUG_FAILED + sf)) failed"
[ "$DEBUG_FAILED" -eq 0 ] && [ "$sf" -eq 0 ]
