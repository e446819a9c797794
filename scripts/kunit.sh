#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/kunit.sh
#
# Build the KUnit kernel of build/linux from the series' .kunitconfig with
# the kernel's own kunit.py, boot it in QEMU (TCG: KVM guests hang on these
# machines) under a hard timeout, and parse the console with kunit.py parse.
# The raw console log is kept in build/kunit.log.  Fails, naming the reason,
# on any failed test, a missing suite, a crash, a kernel BUG/WARNING/Oops or
# a timeout.  The last line is "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITES=(hmm_p2p drm_gpusvm_p2p xe_svm_p2p)
LOG=$BUILD_DIR/kunit.log
JSON=$BUILD_DIR/kunit.json
BOOT_TIMEOUT=${KUNIT_TIMEOUT:-600}

kunit_build() {
	local opts=() v

	[ -f "$TREE/$KUNITCONFIG" ] ||
		die "$KUNITCONFIG is missing from build/linux: is the series applied? (make tree)"
	note "building the KUnit kernel (log: build/kunit-build.log)"
	for v in "${KMAKE_VARS[@]}"; do
		opts+=(--make_options="$v")
	done
	if ! (cd "$TREE" && python3 tools/testing/kunit/kunit.py build \
			"${KUNIT_CONFIG_ARGS[@]}" "${opts[@]}" \
			--build_dir="$KBUILD" --jobs="$JOBS") \
			> "$BUILD_DIR/kunit-build.log" 2>&1; then
		tail -n 30 "$BUILD_DIR/kunit-build.log" >&2
		die "the KUnit kernel did not build; see build/kunit-build.log"
	fi
}

kunit_boot() {
	note "booting under QEMU/TCG (timeout ${BOOT_TIMEOUT}s, log: build/kunit.log)"
	boot_qemu "$BOOT_TIMEOUT" "$LOG" "$KUNIT_CMDLINE"
}

kunit_check() {
	local failed=0 bad s parse_rc=0 passed nfail skipped

	(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse \
		--json="$JSON" "$LOG") || parse_rc=$?
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse \
		--failed "$LOG") >/dev/null 2>&1 || true

	for s in "${SUITES[@]}"; do
		# The serial console ends lines with CR LF.
		if ! tr -d '\r' < "$LOG" | grep -x "    # Subtest: $s\|# Subtest: $s" >/dev/null; then
			note "suite $s did not run"
			failed=1
		fi
	done
	bad=$(grep -E "$SPLAT_RE" "$LOG" | head -n 5 || true)
	if [ -n "$bad" ]; then
		note "the kernel log has a splat:"
		echo "$bad" >&2
		failed=1
	fi

	read -r passed nfail skipped < <(kunit_counts "$JSON")
	if [ "$skipped" -ne 0 ]; then
		note "$skipped test case(s) skipped"
		failed=1
	fi
	if [ "$parse_rc" -ne 0 ] || [ "$nfail" -ne 0 ]; then
		failed=1
	fi
	echo "$passed passed, $nfail failed"
	return $failed
}

mkdir -p "$BUILD_DIR"
"$TOP/scripts/setup-host.sh"
"$TOP/scripts/make-tree.sh" --keep
kunit_build
kunit_boot
kunit_check || die "KUnit run failed; see build/kunit.log"
