#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/matrix.sh [CONFIG...]
#
# Build what the series touches in configurations and on architectures
# other than the KUnit kernel's, at base and with the series, and fail on
# a build error or a W=1 warning that the series adds:
#   x86_64-no-device-private  the KUnit config, DEVICE_PRIVATE=n
#   x86_64-no-thp             the KUnit config, TRANSPARENT_HUGEPAGE=n
#   x86_64-no-hmm-mirror      the KUnit config, no user of HMM_MIRROR
#   x86_64-xe-no-gpusvm       the KUnit config, xe without DRM_XE_GPUSVM
#                             (drm_gpusvm and drm_pagemap still built)
#   x86_64-no-zone-device     the KUnit config, ZONE_DEVICE=n: xe without
#                             GPUSVM, drm_gpusvm without drm_pagemap
#   arm64-4k, arm64-64k       defconfig plus device private memory, 4 KiB
#                             and 64 KiB pages
#   ppc64le                   ppc64le_defconfig (book3s64: PMD_SHIFT is not
#                             a constant) plus device private memory
#   s390x                     defconfig plus device private memory
#   i386                      i386_defconfig (no ZONE_DEVICE there)
# The objects built are those of the files the series changes or adds,
# and of in-tree users of what it changes, that the configuration
# enables; the list for each is printed.  The last line is
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MX=$BUILD_DIR/matrix

ALL=(x86_64-no-device-private x86_64-no-thp x86_64-no-hmm-mirror
     x86_64-xe-no-gpusvm x86_64-no-zone-device
     arm64-4k arm64-64k ppc64le s390x i386)

# What a configuration needs to build the series' code, when the
# architecture allows it.
DEVMEM_OPTS=(-e MEMORY_HOTPLUG -e MEMORY_HOTREMOVE -e SPARSEMEM_VMEMMAP
	     -e ZONE_DEVICE -e DEVICE_PRIVATE -e TRANSPARENT_HUGEPAGE
	     -e KUNIT -e HMM_P2P_KUNIT_TEST -e TEST_HMM)

# Object and the options that build it, joined by +.
OBJECTS=(mm/hmm.o:HMM_MIRROR mm/migrate_device.o:DEVICE_MIGRATION
	 mm/hmm_p2p_kunit.o:HMM_P2P_KUNIT_TEST mm/memremap.o:ZONE_DEVICE
	 mm/migrate.o:MIGRATION mm/memory.o:MMU lib/test_hmm.o:TEST_HMM
	 drivers/gpu/drm/drm_pagemap.o:DRM_GPUSVM+ZONE_DEVICE
	 drivers/gpu/drm/drm_gpusvm.o:DRM_GPUSVM
	 drivers/gpu/drm/tests/drm_gpusvm_p2p_test.o:DRM_GPUSVM_KUNIT_TEST
	 drivers/gpu/drm/xe/xe_svm.o:DRM_XE_GPUSVM
	 drivers/gpu/drm/xe/xe_vm.o:DRM_XE
	 drivers/gpu/drm/xe/xe_userptr.o:DRM_XE
	 arch/powerpc/kvm/book3s_hv_uvmem.o:PPC_UV)

# ARCH CROSS_COMPILE for CONFIG
arch_of() {
	case $1 in
	x86_64-*) echo "x86_64 -" ;;
	arm64-*) echo "arm64 aarch64-linux-gnu-" ;;
	ppc64le) echo "powerpc powerpc64le-linux-gnu-" ;;
	s390x) echo "s390 s390x-linux-gnu-" ;;
	i386) echo "i386 -" ;;
	esac
}

mmake() { # CONFIG make-args...
	local c=$1 arch cross
	shift
	read -r arch cross < <(arch_of "$c")
	[ "$cross" = - ] && cross=
	make -C "$TREE" O="$MX/$c" ARCH="$arch" ${cross:+CROSS_COMPILE=$cross} \
		-j"$JOBS" CC="ccache ${cross}gcc" KCFLAGS=-pipe "$@"
}

configure() { # CONFIG
	local c=$1 cfg=$MX/$c/.config

	mkdir -p "$MX/$c"
	case $c in
	x86_64-*)
		cp "$KBUILD/.config" "$cfg"
		case $c in
		# Options that select what a configuration turns off go too.
		*-no-device-private) "$TREE/scripts/config" --file "$cfg" \
				-d DEVICE_PRIVATE -d DRM_XE_GPUSVM -d DRM_GPUSVM_KUNIT_TEST ;;
		*-no-thp) "$TREE/scripts/config" --file "$cfg" -d TRANSPARENT_HUGEPAGE ;;
		*-no-hmm-mirror) "$TREE/scripts/config" --file "$cfg" \
				-d HMM_P2P_KUNIT_TEST -d TEST_HMM -d DRM_GPUSVM \
				-d DRM_XE -d DRM_GPUSVM_KUNIT_TEST ;;
		*-xe-no-gpusvm) "$TREE/scripts/config" --file "$cfg" -d DRM_XE_GPUSVM ;;
		*-no-zone-device) "$TREE/scripts/config" --file "$cfg" -d ZONE_DEVICE ;;
		esac
		;;
	arm64-*|s390x)
		mmake "$c" defconfig
		"$TREE/scripts/config" --file "$cfg" "${DEVMEM_OPTS[@]}"
		[ "$c" = arm64-64k ] && "$TREE/scripts/config" --file "$cfg" \
			-d ARM64_4K_PAGES -e ARM64_64K_PAGES
		;;
	ppc64le)
		mmake "$c" ppc64le_defconfig
		"$TREE/scripts/config" --file "$cfg" "${DEVMEM_OPTS[@]}"
		;;
	i386)
		mmake "$c" i386_defconfig
		"$TREE/scripts/config" --file "$cfg" "${DEVMEM_OPTS[@]}"
		;;
	esac
	mmake "$c" olddefconfig
	# The configuration must be what it is named after.
	case $c in
	*-no-device-private) ! grep -q '^CONFIG_DEVICE_PRIVATE=y' "$cfg" ;;
	*-no-hmm-mirror) ! grep -q '^CONFIG_HMM_MIRROR=y' "$cfg" ;;
	*-xe-no-gpusvm) grep -q '^CONFIG_DRM_XE=y' "$cfg" &&
			! grep -q '^CONFIG_DRM_XE_GPUSVM=y' "$cfg" ;;
	*-no-zone-device) ! grep -q '^CONFIG_ZONE_DEVICE=y' "$cfg" &&
			  grep -q '^CONFIG_DRM_GPUSVM=y' "$cfg" &&
			  grep -q '^CONFIG_DRM_XE=y' "$cfg" ;;
	esac || { echo "$c: the configuration is not what it is named after"; return 1; }
	cp "$cfg" "$MX/$c/config.series"
}

# The objects that CONFIG's .config (default: the series' one) enables, of
# those that exist at the commit checked out.
objects_of() {
	local c=$1 cfg=${2:-$MX/$1/config.series} o obj opt

	for o in "${OBJECTS[@]}"; do
		obj=${o%%:*}
		opt=${o#*:}
		[ -f "$TREE/${obj%.o}.c" ] || continue
		while [ -n "$opt" ]; do
			grep -q "^CONFIG_${opt%%+*}=[ym]" "$cfg" || continue 2
			[ "$opt" = "${opt#*+}" ] && opt= || opt=${opt#*+}
		done
		echo "$obj"
	done
}

# Build CONFIG's objects with W=1 at the commit checked out; print the
# warnings and errors, line numbers dropped.
build_objects() {
	local c=$1 objs

	# At base, options the series adds drop out of the configuration.
	cp "$MX/$c/config.series" "$MX/$c/.config"
	mmake "$c" olddefconfig >/dev/null 2>&1
	mapfile -t objs < <(objects_of "$c" "$MX/$c/.config")
	[ "${#objs[@]}" -gt 0 ] || return 0
	mmake "$c" prepare >/dev/null 2>&1 || echo "error: make prepare failed"
	mmake "$c" -k W=1 "${objs[@]}" 2>&1 >/dev/null |
		grep -E 'warning:|error:|Error' |
		sed -E 's/:[0-9]+(:[0-9]+)?([: ])/\2/' | sort -u || true
}

restore_tree() {
	git -C "$TREE" checkout -q "$HEAD_REF"
}

configs=("$@")
[ "${#configs[@]}" -gt 0 ] || configs=("${ALL[@]}")
[ -f "$KBUILD/.config" ] || die "no build/kunit/.config: run scripts/kunit.sh (make kunit) first"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes; commit them first"
mkdir -p "$MX"
HEAD_REF=$(git -C "$TREE" symbolic-ref -q --short HEAD || git -C "$TREE" rev-parse HEAD)
trap restore_tree EXIT

for c in "${configs[@]}"; do
	note "configuring $c"
	configure "$c" > "$MX/$c.log" 2>&1 ||
		{ tail -n 5 "$MX/$c.log"; fail "$c configures"; continue; }
	echo "$c builds: $(objects_of "$c" | tr '\n' ' ')"
done

# Base first, then the series: each switch rebuilds only what it changes.
note "building at base"
git -C "$TREE" checkout -q --detach base
for c in "${configs[@]}"; do
	[ -f "$MX/$c/config.series" ] || continue
	build_objects "$c" > "$MX/$c.base" 2>>"$MX/$c.log"
done
note "building with the series"
restore_tree
for c in "${configs[@]}"; do
	[ -f "$MX/$c/config.series" ] || continue
	build_objects "$c" > "$MX/$c.series" 2>>"$MX/$c.log"
	new=$(comm -13 "$MX/$c.base" "$MX/$c.series")
	if [ -z "$new" ]; then
		pass "$c builds with no new warning"
	else
		echo "$new" | head -n 20
		fail "$c builds with no new warning (see build/matrix/$c.series)"
	fi
done
trap - EXIT
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
