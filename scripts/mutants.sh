#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/mutants.sh
#
# Show that the tests catch what they claim to: undo each fix, or break the
# feature in a way a review would worry about, rebuild the KUnit kernel,
# and check that the KUnit cases named for that mutant fail, and the hmm
# selftests named for it too (booted on the same kernel, which has
# lib/test_hmm built in).  The tree is restored after each mutant (and on
# exit).  Part of make check-full.  The last line is "N passed, N failed":
# a mutant passes when all its cases fail.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MU=$BUILD_DIR/mutants
passed=0
failed=0

# name%file%old text%new text%KUnit cases that must fail%hmm selftests that
# must fail (the texts with \n and \t escapes, the cases comma-separated;
# either list may be empty; a selftest written ~name runs first, to set the
# stage, and need not fail)
MUTANTS=(
"pmd-offset%mm/hmm.c%softleaf_to_pfn(entry) +\n\t\t\t\t    ((start & ~PMD_MASK) >> PAGE_SHIFT);%softleaf_to_pfn(entry);%own folio entered half way,allowed foreign folio entered half way%hmm.hmm_device_private.migrate_mprotect_read,hmm2.hmm2_device_private.p2p_huge_read_offset"
"pmd-error%mm/hmm.c%required_fault, walk);\n\t\treturn hmm_pfns_fill(start, end, range, 0);%required_fault, walk);\n\t\treturn hmm_pfns_fill(start, end, range, HMM_PFN_ERROR);%foreign folio not valid in a snapshot"
"own-read-only-pte%mm/hmm.c%\t\t\t\tif (required_fault)\n\t\t\t\t\tgoto fault;\n\t\t\t}%\t\t\t}%own read-only pages for write,allowed read-only pages for write"
"own-read-only-pmd%mm/hmm.c%\t\t\tif (required_fault)\n\t\t\t\treturn hmm_record_fault(addr, end,\n\t\t\t\t\t\t\trequired_fault, walk);\n\t\t}%\t\t}%own read-only folio for write,allowed read-only folio for write"
"fault-in-place-pages%mm/hmm.c%\tend = hmm_pte_fault_end(hmm_vma_walk, addr, end, ptep, hmm_pfn);\n%%own pages after a fault stay in place,allowed pages after a fault stay in place"
"ask-about-own-pages%mm/hmm.c%\tif (pgmap->owner == range->dev_private_owner)\n\t\treturn true;%\tif (range->p2p && hmm_p2p_allow(hmm_vma_walk, pgmap, page))\n\t\treturn true;\n\tif (pgmap->owner == range->dev_private_owner)\n\t\treturn true;%mixed pages"
"cache-without-flag%mm/hmm.c%\tif (!(p2p->flags & P2P_ALLOW_PER_PGMAP))\n\t\treturn allowed;\n%%a page refused on its own migrates,a policy by page is asked about every page"
"no-cache%mm/hmm.c%\tif (pgmap == hmm_vma_walk->p2p_allowed)\n\t\treturn true;\n%%a policy by pgmap is asked once,a policy by pgmap is asked once per pgmap"
"no-p2p-flags-check%include/linux/memremap.h%\treturn p2p->ops && p2p->ops->p2p_allow &&\n\t       !(p2p->flags & ~P2P_ALLOW_PER_PGMAP);%\treturn p2p->ops && p2p->ops->p2p_allow;%hmm_p2p_fault_no_callback,hmm_p2p_migrate_no_callback"
"rfc-migrate-logic%mm/migrate_device.c%\treturn (migrate->flags & MIGRATE_VMA_SELECT_DEVICE_P2P) &&\n\t       !folio_test_large%\treturn false && !folio_test_large%allowed foreign pages,4 KiB pages"
"split-foreign-thp%mm/migrate_device.c%if (!migrate || migrate_vma_foreign(migrate, folio)) {%if (!migrate) {%THP to a device out of THPs"
"no-unknown-flag-check%mm/migrate_device.c%\tif (WARN_ON_ONCE(args->flags & ~MIGRATE_VMA_SELECT_KNOWN))\n\t\treturn -EINVAL;\n%%hmm_p2p_migrate_unknown_flags"
"test-hmm-device-page%lib/test_hmm.c%\t\tentry = dmirror_backing_page(page);%\t\tentry = page;%%hmm.hmm_device_private.migrate_mprotect_read,hmm2.hmm2_device_private.p2p_read_write_in_place"
"test-hmm-skip-peer-invalidation%lib/test_hmm.c%\t    range->owner == dmirror->mdevice)%\t    range->owner)%%hmm2.hmm2_device_private.p2p_invalidate"
"test-hmm-coherent-thp%lib/test_hmm.c%if (is_large && dmirror_is_private_zone(mdevice) &&%if (is_large &&%%~hmm.hmm_device_coherent.migrate_release,hmm.hmm_device_coherent.migrate_multiple"
"gpusvm-get-pages-no-p2p%drivers/gpu/drm/drm_gpusvm.c%\t\t.p2p = drm_gpusvm_p2p(&p2p_wrap, ctx->device_private_page_owner,\n\t\t\t\t      ctx->p2p),%\t\t.p2p = NULL,%drm_test_gpusvm_get_pages_allowed,drm_test_gpusvm_invalidate_peer_migration"
"gpusvm-check-pages-no-p2p%drivers/gpu/drm/drm_gpusvm.c%\t\t.p2p = drm_gpusvm_p2p(&p2p_wrap, dev_private_owner, p2p),\n\t};\n\tunsigned long timeout =\n%\t\t.p2p = NULL,\n\t};\n\tunsigned long timeout =\n%drm_test_gpusvm_range_check_pages"
"gpusvm-scan-no-p2p%drivers/gpu/drm/drm_gpusvm.c%\t\t.p2p = drm_gpusvm_p2p(&p2p_wrap, dev_private_owner, p2p),\n\t};\n\tunsigned long timeout = msecs%\t\t.p2p = NULL,\n\t};\n\tunsigned long timeout = msecs%drm_test_gpusvm_scan_mm"
"gpusvm-p2p-without-owner%drivers/gpu/drm/drm_gpusvm.c%\tif (!p2p || WARN_ON_ONCE(!dev_private_owner))%\tif (!p2p)%drm_test_gpusvm_get_pages_bad_policy"
"pagemap-guard-any-pgmap%drivers/gpu/drm/drm_pagemap.c%\t       pgmap->ops == &drm_pagemap_pagemap_ops &&\n%%drm_test_gpusvm_get_pages_other_driver"
"pagemap-migrate-no-p2p%drivers/gpu/drm/drm_pagemap.c%\t\tmigrate.flags |= MIGRATE_VMA_SELECT_DEVICE_P2P;%\t\tmigrate.p2p = NULL;%drm_test_gpusvm_migrate_allowed"
"xe-directions-swapped%drivers/gpu/drm/xe/xe_svm.c%\t\treturn d != p && test_bit(d * t->ndevs + p, t->links->bits);\n\treturn test_bit(p * t->ndevs + d, t->links->bits);%\t\treturn d != p && test_bit(p * t->ndevs + d, t->links->bits);\n\treturn test_bit(d * t->ndevs + p, t->links->bits);%xe_p2p_test_one_way,xe_p2p_test_pagemap_leaves"
"xe-no-clear-in-place%drivers/gpu/drm/xe/xe_svm.c%\t\t\tWRITE_ONCE(t->pgmaps[i].pgmap, NULL);\n\t\t\tWRITE_ONCE(t->pgmaps[i].dev, NULL);\n%%xe_p2p_test_no_memory"
"xe-migrate-within-device%drivers/gpu/drm/xe/xe_svm.c%\t\treturn d != p && test_bit(%\t\treturn test_bit(%xe_p2p_test_same_device"
)

restore() {
	git -C "$TREE" checkout -q -- mm include lib drivers/gpu/drm
}

[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes; commit them first"
mkdir -p "$MU"
trap restore EXIT

for m in "${MUTANTS[@]}"; do
	IFS='%' read -r name file old new cases selftests <<< "$m"
	if ! python3 - "$TREE/$file" "$old" "$new" <<-'PY'
		import sys
		path, old, new = sys.argv[1:4]
		old = old.encode().decode("unicode_escape")
		new = new.encode().decode("unicode_escape")
		s = open(path).read()
		if s.count(old) != 1:
		    sys.exit("mutant anchor not found once in " + path)
		open(path, "w").write(s.replace(old, new))
		PY
	then
		echo "FAIL: mutant $name applies (the code it mutates has changed)"
		failed=$((failed + 1))
		restore
		continue
	fi
	opts=()
	for v in "${KMAKE_VARS[@]}"; do
		opts+=(--make_options="$v")
	done
	if ! (cd "$TREE" && python3 tools/testing/kunit/kunit.py build \
			"${KUNIT_CONFIG_ARGS[@]}" "${opts[@]}" --build_dir="$KBUILD" \
			--jobs="$JOBS") > "$MU/$name-build.log" 2>&1; then
		echo "FAIL: mutant $name builds (see build/mutants/$name-build.log)"
		failed=$((failed + 1))
		restore
		continue
	fi
	restore
	# A mutant may crash the kernel: that is caught too, if the cases fail.
	(boot_qemu 600 "$MU/$name.log" "$KUNIT_CMDLINE") || true
	missing=
	IFS=',' read -ra want <<< "$cases"
	for c in "${want[@]}"; do
		tr -d '\r' < "$MU/$name.log" | grep -E "^ *not ok [0-9]+ $c\$" >/dev/null ||
			missing="$missing \"$c\""
	done
	# The selftests: each must fail, or crash the kernel while it runs.
	if [ -n "$selftests" ]; then
		IFS=',' read -ra want <<< "$selftests"
		args=
		for c in "${want[@]}"; do
			args="$args -r ${c#\~}"
		done
		SELFTEST_NAME=mutants/$name-selftests SELFTEST_ARGS=$args \
			"$TOP/scripts/selftests.sh" > "$MU/$name-selftests.out" 2>&1 || true
		# Caught: the case failed, or the kernel died while it ran.
		for c in "${want[@]}"; do
			[ "${c#\~}" = "$c" ] || continue
			grep -qx "FAIL $c" "$MU/$name-selftests/results" 2>/dev/null ||
			{ grep -qE "RUN +$c " "$MU/$name-selftests/console.txt" 2>/dev/null &&
			  ! grep -q '^hmm-selftests: exit status' "$MU/$name-selftests/console.txt"; } ||
				missing="$missing \"$c\""
		done
		cases=${cases:+$cases,}$selftests
	fi
	if [ -z "$missing" ]; then
		echo "PASS: mutant $name is caught by: $cases"
		passed=$((passed + 1))
	else
		echo "FAIL: mutant $name is not caught by:$missing (see build/mutants/$name.log${selftests:+ and build/mutants/$name-selftests.log})"
		failed=$((failed + 1))
	fi
done

# Leave build/kunit built from the unmutated tree.
(cd "$TREE" && python3 tools/testing/kunit/kunit.py build "${KUNIT_CONFIG_ARGS[@]}" \
	"${opts[@]}" --build_dir="$KBUILD" --jobs="$JOBS") > "$MU/restore-build.log" 2>&1 ||
	die "the KUnit kernel does not build again without mutants"
trap - EXIT
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
