# SPDX-License-Identifier: GPL-2.0
# Common settings for the harness scripts; sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$TOP/build}
TREE=${TREE:-$BUILD_DIR/linux}
PATCHES=$TOP/patches

# The kernel sources the harness works on, each a Debian linux-source
# package pinned by version and by Debian's own sha256 of the .deb and of
# the tarball inside it.  This is the only place they are named.
#   main:   the base the series applies to (build/linux);
#   stable: the stable kernel the series' fixes must also reach
#           (patches/stable-7.2/, checked by make check).
# Fields: package, version, suite, .deb sha256, tarball sha256, title.
BASE_MAIN=(linux-source-7.3 '7.3~rc7-1~exp1' experimental
	   8bf8ca5ea8b1b307ca698db982ba48d6d223263b4d3dfb1973d055e316c44e75
	   d958c61d44f5be4e6c874d860889e3f15a7f1d238c58458e91f685f79f721df1
	   'Linux 7.3-rc7')
BASE_STABLE=(linux-source-7.2 7.2.13-1 unstable
	     30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d
	     ecb3877b9988c936dcc64c63af8a54c2fa6df7f717d4e5ee429d0f4c4859e68b
	     'Linux 7.2.13')
BASE_TITLE=${BASE_MAIN[5]}
STABLE_TITLE=${BASE_STABLE[5]}
# The version of the series, in the subjects of the exported patches.
SERIES_PREFIX="PATCH v2"
# Backports of the series' fixes to the stable kernel, and their tree.
STABLE_PATCHES=$PATCHES/stable-7.2
STABLE_TREE=$BUILD_DIR/stable-7.2
# Downloaded .debs are kept outside build/ so that a fresh clone on the
# same machine does not download them again.
DEB_CACHE=${DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmm-p2p}
# The one kernel build directory: the KUnit kernel, which also boots the
# selftests, and the per-patch builds of make check.
KBUILD=$BUILD_DIR/kunit
KERNEL_IMAGE=$KBUILD/arch/x86/boot/bzImage
# The KUnit boot sets 2 MiB of RAM aside (memmap=) for the suite's fake
# device coherent device, so that its case runs instead of skipping.
COHERENT_ADDR=0x40000000
KUNIT_CMDLINE="console=ttyS0 kunit_shutdown=reboot panic=-1 memmap=2M\$$COHERENT_ADDR hmm_p2p_kunit.coherent_addr=$COHERENT_ADDR kunit.filter_glob=*p2p*"
# What a console log must not contain.  BUG: and WARNING: cover the
# sanitizers and lockdep of the debug kernel too (BUG: KASAN, BUG: KFENCE,
# BUG: sleeping function called from invalid context, WARNING: possible
# circular locking dependency, WARNING: suspicious RCU usage, ...).
SPLAT_RE='BUG:|WARNING:|Oops|Kernel panic|general protection|Call Trace:|KASAN|KFENCE|INFO: task .* blocked'

# Identity used for commits the harness makes itself (the base commit and
# commits replayed by git am); patches keep their own authors.
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-hmm-p2p harness}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-harness@localhost}

# Let ccache share results between clones of the repo in other folders
# (CI builds a fresh clone): paths under the repo are hashed relative.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
# Depend mode takes the headers from the compiler's -MMD output instead of
# running the preprocessor a second time: with an empty cache, the kernel
# build of a fresh clone's make kunit took 8m13s instead of 10m20s here.
export CCACHE_DEPEND=${CCACHE_DEPEND:-1}

# Parallel make jobs (one more than the CPUs measured no faster).
JOBS=${JOBS:-$(nproc)}

# Make variables for every build of build/kunit, kunit.py's and check.sh's
# alike (a different command line would rebuild everything).  -pipe spares
# gcc a temporary assembler file per object.
KMAKE_VARS=("CC=ccache gcc" "KCFLAGS=-pipe")

# How kunit.py configures the kernel, for make kunit and make check alike
# (the same .config keeps builds incremental).  Besides the series'
# .kunitconfig it carries lib/test_hmm and what an initramfs boot needs,
# so that the same kernel also runs the hmm selftests.
#
# The rest turns off x86 defaults that a QEMU guest running these tests
# never uses, to keep a cold build short (about 800 objects instead of
# 1200): ACPI (QEMU boots from its MP tables and reboots through the
# keyboard controller), machine checks, suspend, cpuidle, HID, the input
# layer, serio and virtual terminals (the console is a serial port), the
# IOMMU layer, hardware RNG drivers, io_uring, CPU mitigations (retpoline
# thunks and PTI) and the compressed-initramfs decoders (the selftests'
# initramfs is a plain cpio).  EXPERT makes the input layer, serio,
# virtual terminals and io_uring optional; it also enables DEBUG_KERNEL,
# whose default-on FTRACE is turned off again.  None of this is in the
# series' .kunitconfig: "kunit.py run --kunitconfig=mm/hmm_p2p.kunitconfig"
# builds the same suite with the defaults.
KUNITCONFIG=mm/hmm_p2p.kunitconfig
KUNIT_CONFIG_ARGS=(--arch=x86_64 --kunitconfig="$KUNITCONFIG"
		   --kconfig_add CONFIG_TEST_HMM=y
		   --kconfig_add CONFIG_BLK_DEV_INITRD=y
		   --kconfig_add CONFIG_DEVTMPFS=y)
# What the rest of hmm-tests needs, so that the whole program runs: a tmpfs
# /tmp for its O_TMPFILE files, hugetlbfs, /sys/kernel/debug/gup_test and
# userfaultfd.
for _opt in TMPFS HUGETLBFS DEBUG_FS GUP_TEST USERFAULTFD; do
	KUNIT_CONFIG_ARGS+=(--kconfig_add "CONFIG_$_opt=y")
done
KUNIT_CONFIG_ARGS+=(--kconfig_add CONFIG_EXPERT=y)
for _opt in ACPI X86_MCE SUSPEND CPU_IDLE HID_SUPPORT INPUT VT IO_URING \
	    SERIO IOMMU_SUPPORT HW_RANDOM FTRACE CPU_MITIGATIONS \
	    RD_GZIP RD_BZIP2 RD_LZMA RD_XZ RD_LZO RD_LZ4 RD_ZSTD; do
	KUNIT_CONFIG_ARGS+=(--kconfig_add "CONFIG_$_opt=n")
done
# That much is the mm side, which make bench builds on its own.
KUNIT_MM_CONFIG_ARGS=("${KUNIT_CONFIG_ARGS[@]}")
# The GPU user: the drm_gpusvm/drm_pagemap suite of the series
# (GPUSVM_KUNITCONFIG; the debug kernel has it too), and xe with its KUnit
# tests (XE_CONFIG_ARGS).  The kernel boots with kunit.filter_glob=*p2p*
# (KUNIT_CMDLINE): xe's other suites need a GPU, and without one they skip.
GPUSVM_KUNITCONFIG=drivers/gpu/drm/tests/drm_gpusvm.kunitconfig
KUNIT_CONFIG_ARGS+=(--kunitconfig="$GPUSVM_KUNITCONFIG")
XE_CONFIG_ARGS=()
for _opt in PCI DRM_XE DRM_XE_KUNIT_TEST; do
	XE_CONFIG_ARGS+=(--kconfig_add "CONFIG_$_opt=y")
done
KUNIT_NO_XE_CONFIG_ARGS=("${KUNIT_CONFIG_ARGS[@]}")
KUNIT_CONFIG_ARGS+=("${XE_CONFIG_ARGS[@]}")
unset _opt

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Make a busybox initramfs in DIR (emptied first) holding FILEs in /bin,
# whose /init runs the shell commands on standard input after mounting
# proc, sysfs and devtmpfs, then reboots (QEMU runs with -no-reboot, so it
# exits).  Prints the path of the cpio archive.
# Usage: make_initramfs DIR [FILE...] < commands
make_initramfs() {
	local dir=$1 t
	shift

	rm -rf "$dir"
	mkdir -p "$dir/root/bin" "$dir/root/proc" "$dir/root/sys" "$dir/root/dev"
	cp /bin/busybox "$@" "$dir/root/bin/"
	for t in sh mount mkdir echo reboot insmod rmmod cat grep sleep; do
		ln -s busybox "$dir/root/bin/$t"
	done
	{
		echo '#!/bin/sh'
		echo 'mount -t proc proc /proc'
		echo 'mount -t sysfs sysfs /sys'
		echo 'mount -t devtmpfs devtmpfs /dev'
		cat
		echo 'reboot -f'
	} > "$dir/root/init"
	chmod +x "$dir/root/init"
	(cd "$dir/root" && find . | cpio -o -H newc --quiet) > "$dir/initramfs.cpio"
	echo "$dir/initramfs.cpio"
}

# The tally of a script that runs several checks: pass/fail print one
# line each and count it; failures keeps what failed, for a summary.
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

note() {
	echo "${0##*/}: $*" >&2
}

# Counts from a JSON file of kunit.py parse: "passed failed skipped" over
# all test cases.
# Usage: kunit_counts JSON
kunit_counts() {
	python3 - "$1" <<'PY'
import json, sys

def walk(t, c):
    subs = t.get("sub_groups") or []
    cases = t.get("test_cases") or []
    for s in subs:
        walk(s, c)
    for k in cases:
        c[k.get("status", "FAIL")] = c.get(k.get("status", "FAIL"), 0) + 1

with open(sys.argv[1]) as f:
    d = json.load(f)
c = {}
walk(d, c)
print(c.get("PASS", 0), sum(v for k, v in c.items() if k not in ("PASS", "SKIP")),
      c.get("SKIP", 0))
PY
}

# The series in order, as listed in patches/series (comments and blank
# lines ignored).
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series"
}

# Stable patch ids of base..HEAD in the tree and of the exported series;
# equal output means the tree holds exactly what patches/ holds.
tree_patch_ids() {
	git -C "$TREE" format-patch --stdout base..HEAD |
		git patch-id --stable | cut -d' ' -f1
}

series_patch_ids() {
	local p

	series_patches | while read -r p; do
		git patch-id --stable < "$PATCHES/$p" | cut -d' ' -f1
	done
}

# Boot QEMU_KERNEL (default KERNEL_IMAGE) in QEMU with TCG (KVM guests
# hang on these machines) under a hard timeout, the console going to LOG.
# The CPU model claims Intel: with an AMD one, DEBUG_PREEMPT kernels print
# a "BUG: using __this_cpu_read() in preemptible code" of the base kernel
# (x86 cacheinfo under TCG) at boot.
# Usage: boot_qemu TIMEOUT LOG CMDLINE [extra QEMU arguments...]
boot_qemu() {
	local timeout=$1 log=$2 cmdline=$3 rc=0
	shift 3

	timeout --foreground -k 10 "$timeout" \
		qemu-system-x86_64 -nodefaults -accel tcg -machine q35 \
			-cpu max,vendor=GenuineIntel -m 2048 -smp "${QEMU_SMP:-2}" \
			-kernel "${QEMU_KERNEL:-$KERNEL_IMAGE}" \
			-append "$cmdline" "$@" \
			-no-reboot -nographic -display none -serial stdio \
			< /dev/null > "$log" 2>&1 || rc=$?
	case $rc in
	0) ;;
	124|137) die "QEMU timed out after ${timeout}s; see ${log#"$TOP"/}" ;;
	*) die "QEMU exited with status $rc; see ${log#"$TOP"/}" ;;
	esac
}
