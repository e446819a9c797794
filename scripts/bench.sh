#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/bench.sh [--smoke KBUILD]
#
# Measure what hmm_range_fault() and migrate_vma_setup() cost per page,
# with the benchmark module in bench/ (harness code, not part of the
# series):
#   - build the kernel twice with the same configuration (bench/
#     bench.kunitconfig and the harness's trimmed x86 defaults, but with
#     the default CPU mitigations on): at base, and with the series;
#   - build the module against each (at base without the p2p API);
#   - boot each in QEMU with -icount shift=0 -smp 1, where guest time
#     counts instructions executed and repeats exactly, and the series'
#     kernel once more without -icount, on wall-clock time;
#   - write docs/bench/results.md (the table and the goals of issue 9,
#     each met or not) and docs/bench/ns-per-page.png.
# With --smoke KBUILD, only build the module (both variants) against the
# kernel in KBUILD and print where the .ko is; make check loads it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BE=$BUILD_DIR/bench
OUT=$TOP/docs/bench
BOOT_TIMEOUT=${BENCH_TIMEOUT:-2400}
# The kernels' release string must not follow build/linux's HEAD: a module
# built later would not load into a kernel built at another commit whose
# code did not change (and so was not relinked).
MAKE_VARS=("${KMAKE_VARS[@]}" LOCALVERSION=)

bench_config_args() {
	local i a

	for ((i = 0; i < ${#KUNIT_MM_CONFIG_ARGS[@]}; i++)); do
		a=${KUNIT_MM_CONFIG_ARGS[$i]}
		case $a in
		--kunitconfig=*) echo "--kunitconfig=$TOP/bench/bench.kunitconfig" ;;
		# Default CPU mitigations: indirect calls cost what they do in the
		# field.  ACPI finds the HPET the TSC is calibrated against
		# (without it the clock is jiffies), and it needs cpuidle and HID.
		--kconfig_add)
			case ${KUNIT_MM_CONFIG_ARGS[$((i + 1))]} in
			CONFIG_CPU_MITIGATIONS=n|CONFIG_ACPI=n|CONFIG_CPU_IDLE=n|CONFIG_HID_SUPPORT=n)
				i=$((i + 1)) ;;
			*) echo "$a" ;;
			esac
			;;
		*) echo "$a" ;;
		esac
	done
	echo --kconfig_add
	echo CONFIG_LOCALVERSION_AUTO=n
}

build_kernel() { # KBUILD
	local kb=$1 opts=() v args

	mapfile -t args < <(bench_config_args)
	for v in "${MAKE_VARS[@]}"; do
		opts+=(--make_options="$v")
	done
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py build "${args[@]}" \
		"${opts[@]}" --build_dir="$kb" --jobs="$JOBS") > "$kb.log" 2>&1 ||
		{ tail -n 20 "$kb.log" >&2; die "the kernel in ${kb#"$TOP"/} did not build; see ${kb#"$TOP"/}.log"; }
}

build_module() { # KBUILD DIR [base]
	local kb=$1 dir=$2

	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$TOP/bench/Makefile" "$TOP/bench/hmm_p2p_bench.c" "$dir/"
	make -C "$TREE" O="$kb" M="$dir" -j"$JOBS" "${MAKE_VARS[@]}" \
		${3:+HMM_P2P_BENCH_BASE=y} modules > "$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "the benchmark module did not build in ${dir#"$TOP"/}"; }
	if grep -E 'warning:' "$dir/build.log"; then
		die "the benchmark module builds with warnings in ${dir#"$TOP"/}"
	fi
}

run() { # NAME KBUILD MODULE-DIR QEMU-ARGS...
	local name=$1 kb=$2 dir=$3 initramfs
	shift 3

	# Start once the TSC has been calibrated again and is the clock: a
	# clock switch during the run would stall it.
	initramfs=$(printf '%s\n' \
		'until grep -qx tsc /sys/devices/system/clocksource/clocksource0/current_clocksource; do sleep 1; done' \
		'echo "hmm-p2p-bench: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" > /dev/kmsg' \
		'insmod /bin/hmm_p2p_bench.ko; rmmod hmm_p2p_bench' |
		    make_initramfs "$BE/initramfs-$name" "$dir/hmm_p2p_bench.ko")
	note "running $name (timeout ${BOOT_TIMEOUT}s, log: build/bench/$name.log)"
	QEMU_SMP=1 QEMU_KERNEL=$kb/arch/x86/boot/bzImage boot_qemu "$BOOT_TIMEOUT" \
		"$BE/$name.log" "console=ttyS0 kunit.enable=0 panic=-1 rdinit=/init" \
		-initrd "$initramfs" "$@"
	tr -d '\r' < "$BE/$name.log" | grep '^hmm-p2p-bench: done' >/dev/null ||
		die "the benchmark did not finish in $name; see build/bench/$name.log"
	tr -d '\r' < "$BE/$name.log" | grep 'hmm-p2p-bench: clocksource tsc$' >/dev/null ||
		die "the clock in $name is not the TSC; see build/bench/$name.log"
	if grep -qE "$SPLAT_RE" "$BE/$name.log"; then
		die "the kernel log of $name has a splat; see build/bench/$name.log"
	fi
	tr -d '\r' < "$BE/$name.log" | sed -n 's/^hmm-p2p-bench: \([a-z_0-9]* [0-9]* .*\)$/\1/p' \
		> "$BE/$name.txt"
}

if [ "${1:-}" = --smoke ]; then
	kb=${2:?usage: scripts/bench.sh --smoke KBUILD}
	MAKE_VARS=("${KMAKE_VARS[@]}")
	build_module "$kb" "$BE/smoke-base" base
	build_module "$kb" "$BE/smoke"
	echo "$BE/smoke/hmm_p2p_bench.ko"
	exit 0
fi

mkdir -p "$BE" "$OUT"
"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes; commit them first"
HEAD_REF=$(git -C "$TREE" symbolic-ref -q --short HEAD || git -C "$TREE" rev-parse HEAD)
trap 'git -C "$TREE" checkout -q "$HEAD_REF"' EXIT

note "building the kernel at base (log: build/bench/base.log)"
git -C "$TREE" checkout -q --detach base
build_kernel "$BE/base"
build_module "$BE/base" "$BE/module-base" base
git -C "$TREE" checkout -q "$HEAD_REF"
trap - EXIT
note "building the kernel with the series (log: build/bench/series.log)"
build_kernel "$BE/series"
build_module "$BE/series" "$BE/module-series"

run base-icount "$BE/base" "$BE/module-base" -icount shift=0
run series-icount "$BE/series" "$BE/module-series" -icount shift=0
run series-wall "$BE/series" "$BE/module-series"

python3 "$TOP/scripts/bench-report.py" "$BE" "$OUT" \
	"$(git -C "$TREE" rev-parse --short=12 HEAD)" "$BASE_TITLE"
note "wrote docs/bench/results.md and docs/bench/ns-per-page.png"
