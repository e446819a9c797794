# SPDX-License-Identifier: GPL-2.0
#
# The harness around the patch series in patches/.  See README.md.

SHELL := /bin/bash
S := scripts

.PHONY: help kunit check check-full bench tree export clean setup base sparse

help:
	@echo "make kunit   - apply the series to 7.3-rc7, build, boot in QEMU, run the KUnit suite"
	@echo "make check   - everything the project tests (checkpatch, bisect build, W=1,"
	@echo "               sparse, kernel-doc, KUnit, selftests, a debug kernel, other"
	@echo "               configs and arches, stable fixes on 7.2.13, export round trip)"
	@echo "make check-full - make check, the suite on arm64 with 64K pages, mutants"
	@echo "make bench   - cost per page, series vs base, in QEMU with -icount (docs/bench/)"
	@echo "make tree    - create build/linux: the 7.3-rc7 base plus the series as commits"
	@echo "make export  - write build/linux base..HEAD back to patches/"
	@echo "make clean   - remove build output (keeps a build/linux with unexported work)"

kunit:
	@$(S)/kunit.sh

check:
	@$(S)/check.sh

check-full:
	@$(S)/check-full.sh

bench:
	@$(S)/bench.sh

tree:
	@$(S)/setup-host.sh
	@$(S)/make-tree.sh

export:
	@$(S)/export.sh

setup:
	@$(S)/setup-host.sh

base:
	@$(S)/fetch-base.sh

sparse:
	@$(S)/get-sparse.sh

clean:
	@$(S)/clean.sh
