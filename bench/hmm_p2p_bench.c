// SPDX-License-Identifier: GPL-2.0
/*
 * hmm_p2p_bench: what hmm_range_fault() and migrate_vma_setup() cost per
 * page, with and without a p2p_allow policy, on fake device private memory.
 *
 * Not part of the posted series: the harness (scripts/bench.sh) builds it
 * as an external module against the patched kernel and against the
 * unpatched base (with -DHMM_P2P_BENCH_BASE, where the p2p API does not
 * exist), loads it in QEMU, and reads the results it prints:
 *
 *   hmm-p2p-bench: <path> <MiB> <ns per page> <callback calls per call>
 *
 * It runs in the context of the process that loads it, on anonymous memory
 * of that process.  Two fake devices, A (the caller) and B, are made the
 * way lib/test_hmm.c makes them; each keeps the data of its pages in
 * memory of its own, so that a copy costs what copying a page costs.
 */
#include <linux/hmm.h>
#include <linux/huge_mm.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static unsigned int max_mib = 256;
module_param(max_mib, uint, 0444);
MODULE_PARM_DESC(max_mib, "Largest range measured, in MiB (2 to 256)");

static const unsigned int sizes_mib[] = { 2, 16, 64, 256 };

#define PMD_PAGES	HPAGE_PMD_NR

struct bench_dev {
	struct dev_pagemap pgmap;
	struct resource *res;
	unsigned long pfn_first;
	unsigned long npages;
	void *mem;			/* the device's memory */
	spinlock_t lock;		/* protects @used, @hint */
	unsigned long *used;
	unsigned long hint;		/* where the next search starts */
	atomic_t migrate_to_ram_calls;
};

static struct bench_dev devs[2];
#define DEV_A	(&devs[0])
#define DEV_B	(&devs[1])

static const struct dev_pagemap_ops bench_devmem_ops;

static struct bench_dev *bench_page_dev(struct page *page)
{
	if (!page || !is_zone_device_page(page) ||
	    page_pgmap(page)->ops != &bench_devmem_ops)
		return NULL;
	return container_of(page_pgmap(page), struct bench_dev, pgmap);
}

static void *bench_dev_addr(struct bench_dev *dev, struct page *page)
{
	return dev->mem + (page_to_pfn(page) - dev->pfn_first) * PAGE_SIZE;
}

/*
 * A free folio of order 0 or PMD order, next fit: a search from the start
 * each time would cost more the more pages are in use, and make the cost
 * per page of a migration grow with the size of the range.
 */
static struct page *bench_dev_alloc(struct bench_dev *dev, unsigned int order)
{
	unsigned long nr = 1UL << order, idx;
	struct page *page;

	spin_lock(&dev->lock);
	idx = bitmap_find_next_zero_area(dev->used, dev->npages, dev->hint, nr,
					 nr - 1);
	if (idx >= dev->npages)
		idx = bitmap_find_next_zero_area(dev->used, dev->npages, 0, nr,
						 nr - 1);
	if (idx < dev->npages)
		dev->hint = idx + nr;
	if (idx >= dev->npages) {
		spin_unlock(&dev->lock);
		return NULL;
	}
	bitmap_set(dev->used, idx, nr);
	spin_unlock(&dev->lock);
	page = pfn_to_page(dev->pfn_first + idx);
	/*
	 * Not page_folio(page): a page that was a tail of a THP freed before
	 * still points at its old head until it is initialized.
	 */
	zone_device_folio_init((struct folio *)page, &dev->pgmap, order);
	return page;
}

static void bench_folio_free(struct folio *folio)
{
	struct bench_dev *dev = bench_page_dev(&folio->page);

	spin_lock(&dev->lock);
	bitmap_clear(dev->used, folio_pfn(folio) - dev->pfn_first,
		     folio_nr_pages(folio));
	spin_unlock(&dev->lock);
}

static void bench_copy(struct page *dpage, struct page *spage)
{
	struct bench_dev *sdev = bench_page_dev(spage);
	struct bench_dev *ddev = bench_page_dev(dpage);
	void *src, *dst;

	src = spage ? (sdev ? bench_dev_addr(sdev, spage) :
		       kmap_local_page(spage)) : NULL;
	dst = ddev ? bench_dev_addr(ddev, dpage) : kmap_local_page(dpage);
	if (src)
		memcpy(dst, src, PAGE_SIZE);
	else
		memset(dst, 0, PAGE_SIZE);
	if (!ddev)
		kunmap_local(dst);
	if (spage && !sdev)
		kunmap_local(src);
}

/* Copy what @args collected to @dst (system memory if NULL), as a driver does. */
static void bench_alloc_and_copy(struct migrate_vma *args, struct bench_dev *dst)
{
	unsigned long i, j, nr;

	for (i = 0; i < args->npages; i += nr) {
		unsigned long src = args->src[i];
		struct page *spage = migrate_pfn_to_page(src);
		unsigned int order = 0;
		struct page *dpage = NULL;

		nr = 1;
		if (!(src & MIGRATE_PFN_MIGRATE))
			continue;
		if (src & MIGRATE_PFN_COMPOUND) {
			order = HPAGE_PMD_ORDER;
			nr = PMD_PAGES;
		}
		if (dst) {
			dpage = bench_dev_alloc(dst, order);
		} else {
			struct folio *folio;

			folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN,
						order, args->vma,
						args->start + i * PAGE_SIZE);
			if (folio) {
				folio_lock(folio);
				dpage = folio_page(folio, 0);
			}
		}
		if (!dpage)
			continue;
		for (j = 0; j < nr; j++)
			bench_copy(dpage + j, spage ? spage + j : NULL);
		args->dst[i] = migrate_pfn(page_to_pfn(dpage)) |
			       (src & (MIGRATE_PFN_WRITE | MIGRATE_PFN_COMPOUND));
	}
}

static vm_fault_t bench_migrate_to_ram(struct vm_fault *vmf)
{
	struct bench_dev *dev = bench_page_dev(vmf->page);
	unsigned int order = vmf->pte ? 0 : folio_order(page_folio(vmf->page));
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = ALIGN_DOWN(vmf->address, PAGE_SIZE << order),
		.pgmap_owner = dev,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE |
			 (order ? MIGRATE_VMA_SELECT_COMPOUND : 0),
		.fault_page = vmf->page,
	};

	vm_fault_t ret = 0;

	atomic_inc(&dev->migrate_to_ram_calls);
	args.end = args.start + (PAGE_SIZE << order);
	args.src = kcalloc(1UL << order, sizeof(*args.src), GFP_KERNEL);
	args.dst = kcalloc(1UL << order, sizeof(*args.dst), GFP_KERNEL);
	if (!args.src || !args.dst) {
		ret = VM_FAULT_OOM;
	} else if (migrate_vma_setup(&args)) {
		ret = VM_FAULT_SIGBUS;
	} else {
		bench_alloc_and_copy(&args, NULL);
		migrate_vma_pages(&args);
		migrate_vma_finalize(&args);
	}
	kfree(args.src);
	kfree(args.dst);
	return ret;
}

static const struct dev_pagemap_ops bench_devmem_ops = {
	.folio_free	= bench_folio_free,
	.migrate_to_ram	= bench_migrate_to_ram,
};

static void bench_dev_exit(struct bench_dev *dev)
{
	if (!dev->res)
		return;
	memunmap_pages(&dev->pgmap);
	release_mem_region(dev->res->start, resource_size(dev->res));
	vfree(dev->mem);
	bitmap_free(dev->used);
}

static int bench_dev_init(struct bench_dev *dev, unsigned long npages)
{
	unsigned long size = npages * PAGE_SIZE;
	void *ptr;

	spin_lock_init(&dev->lock);
	dev->npages = npages;
	dev->mem = vzalloc(size);
	dev->used = bitmap_zalloc(npages, GFP_KERNEL);
	if (!dev->mem || !dev->used)
		goto err;
	dev->res = request_free_mem_region(&iomem_resource, size, "hmm_p2p_bench");
	if (IS_ERR(dev->res)) {
		dev->res = NULL;
		goto err;
	}
	dev->pgmap.type = MEMORY_DEVICE_PRIVATE;
	dev->pgmap.range.start = dev->res->start;
	dev->pgmap.range.end = dev->res->end;
	dev->pgmap.nr_range = 1;
	dev->pgmap.ops = &bench_devmem_ops;
	dev->pgmap.owner = dev;
	ptr = memremap_pages(&dev->pgmap, numa_node_id());
	if (IS_ERR(ptr)) {
		release_mem_region(dev->res->start, size);
		dev->res = NULL;
		goto err;
	}
	dev->pfn_first = PHYS_PFN(dev->res->start);
	return 0;
err:
	vfree(dev->mem);
	bitmap_free(dev->used);
	return -ENOMEM;
}

#ifndef HMM_P2P_BENCH_BASE
/* A policy that allows device B, as cheap as a driver's table lookup. */
struct bench_policy {
	struct p2p_allow base;
	struct bench_dev *allow;
	unsigned long calls;
};

static bool bench_allow(struct p2p_allow *allow, struct page *page)
{
	struct bench_policy *pol = container_of(allow, struct bench_policy,
						base);

	pol->calls++;
	return page_pgmap(page) == &pol->allow->pgmap;
}

static const struct p2p_allow_ops bench_policy_ops = {
	.p2p_allow = bench_allow,
};
#endif

struct bench_ctx {
	struct mm_struct *mm;
	unsigned long start;
	unsigned long npages;
	unsigned long *pfns;
	struct mmu_interval_notifier notifier;
	unsigned long *src, *dst;
};

static bool bench_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops bench_mni_ops = {
	.invalidate = bench_invalidate,
};

/*
 * hmm_range_fault() over the whole range for @owner, in the usual retry
 * loop; returns the time the loop took, in ns (a fault that migrates
 * pages invalidates the range, and the loop calls again).
 */
static u64 bench_fault(struct bench_ctx *c, void *owner, unsigned long flags,
		       void *p2p)
{
	struct hmm_range range = {
		.notifier = &c->notifier,
		.start = c->start,
		.end = c->start + c->npages * PAGE_SIZE,
		.hmm_pfns = c->pfns,
		.default_flags = flags,
		.dev_private_owner = owner,
#ifndef HMM_P2P_BENCH_BASE
		.p2p = p2p,
#endif
	};
	u64 t = ktime_get_ns();
	int ret;

	do {
		range.notifier_seq = mmu_interval_read_begin(&c->notifier);
		mmap_read_lock(c->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(c->mm);
		if (!ret && mmu_interval_read_retry(&c->notifier,
						    range.notifier_seq))
			ret = -EBUSY;
	} while (ret == -EBUSY);
	t = ktime_get_ns() - t;
	if (ret)
		pr_err("hmm-p2p-bench: hmm_range_fault() failed: %d\n", ret);
	return t;
}

/* One migration of the whole range, in chunks of a PMD; returns ns. */
static u64 bench_migrate(struct bench_ctx *c, void *owner, unsigned long flags,
			 void *p2p, struct bench_dev *dst)
{
	unsigned long addr, end = c->start + c->npages * PAGE_SIZE;
	u64 t = ktime_get_ns();

	mmap_read_lock(c->mm);
	for (addr = c->start; addr < end; addr += PMD_PAGES * PAGE_SIZE) {
		struct migrate_vma args = {
			.vma = vma_lookup(c->mm, addr),
			.start = addr,
			.end = addr + PMD_PAGES * PAGE_SIZE,
			.src = c->src,
			.dst = c->dst,
			.pgmap_owner = owner,
			.flags = flags,
#ifndef HMM_P2P_BENCH_BASE
			.p2p = p2p,
#endif
		};

		if (migrate_vma_setup(&args)) {
			pr_err("hmm-p2p-bench: migrate_vma_setup() failed\n");
			break;
		}
		bench_alloc_and_copy(&args, dst);
		migrate_vma_pages(&args);
		migrate_vma_finalize(&args);
	}
	mmap_read_unlock(c->mm);
	return ktime_get_ns() - t;
}

/* @calls is how often the policy was asked in one call, or -1 without one. */
static void bench_report(const char *path, struct bench_ctx *c, u64 ns,
			 long calls)
{
	unsigned long mib = c->npages * PAGE_SIZE >> 20;

	pr_info("hmm-p2p-bench: %s %lu %llu.%02llu %s%lu\n", path, mib,
		ns / c->npages, (ns % c->npages) * 100 / c->npages,
		calls < 0 ? "-" : "", calls < 0 ? 0 : calls);
}

/* Fresh anonymous memory for the range, and its notifier. */
static int bench_map(struct bench_ctx *c)
{
	unsigned long size = c->npages * PAGE_SIZE, addr;

	addr = vm_mmap(NULL, 0, size + PMD_PAGES * PAGE_SIZE,
		       PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr))
		return addr;
	c->start = ALIGN(addr, PMD_PAGES * PAGE_SIZE);
	return mmu_interval_notifier_insert(&c->notifier, c->mm, c->start,
					    size, &bench_mni_ops);
}

static void bench_unmap(struct bench_ctx *c)
{
	mmu_interval_notifier_remove(&c->notifier);
	vm_munmap(c->start, c->npages * PAGE_SIZE);
}

/* Put the whole range on device B, as 4 KiB pages or as THPs. */
static void bench_populate(struct bench_ctx *c, bool thp)
{
	bench_migrate(c, DEV_B, MIGRATE_VMA_SELECT_SYSTEM |
		      (thp ? MIGRATE_VMA_SELECT_COMPOUND : 0), NULL, DEV_B);
}

#define BEST_OF		3

static void bench_layout(struct bench_ctx *c, bool thp)
{
	const char *l = thp ? "pmd" : "4k";
	char name[48];
	u64 t, best;
	int i;
#ifndef HMM_P2P_BENCH_BASE
	/* A policy by pgmap, as a driver's per-device table; and by page. */
	struct bench_policy pol = { .base.ops = &bench_policy_ops,
				    .base.flags = P2P_ALLOW_PER_PGMAP,
				    .allow = DEV_B };
	struct bench_policy pol_page = { .base.ops = &bench_policy_ops,
					 .allow = DEV_B };
#endif

	if (bench_map(c))
		return;
	bench_populate(c, thp);

	/* The floor: the same pages, reported to their own device. */
	for (best = U64_MAX, i = 0; i < BEST_OF; i++)
		best = min(best, bench_fault(c, DEV_B, HMM_PFN_REQ_FAULT, NULL));
	snprintf(name, sizeof(name), "own_%s", l);
	bench_report(name, c, best, -1);
#ifndef HMM_P2P_BENCH_BASE
	/* With a policy: its callback is never asked about own pages. */
	pol.calls = 0;
	t = bench_fault(c, DEV_B, HMM_PFN_REQ_FAULT, &pol.base);
	snprintf(name, sizeof(name), "own_policy_%s", l);
	bench_report(name, c, t, pol.calls);
#endif

#ifndef HMM_P2P_BENCH_BASE
	for (best = U64_MAX, i = 0; i < BEST_OF; i++) {
		pol.calls = 0;
		best = min(best, bench_fault(c, DEV_A, HMM_PFN_REQ_FAULT,
					     &pol.base));
	}
	snprintf(name, sizeof(name), "foreign_p2p_%s", l);
	bench_report(name, c, best, pol.calls);
	for (best = U64_MAX, i = 0; i < BEST_OF; i++) {
		pol_page.calls = 0;
		best = min(best, bench_fault(c, DEV_A, HMM_PFN_REQ_FAULT,
					     &pol_page.base));
	}
	snprintf(name, sizeof(name), "foreign_p2p_bypage_%s", l);
	bench_report(name, c, best, pol_page.calls);
#endif

	/* A caller that does not opt in, without a fault: not valid. */
	for (best = U64_MAX, i = 0; i < BEST_OF; i++)
		best = min(best, bench_fault(c, DEV_A, 0, NULL));
	snprintf(name, sizeof(name), "foreign_snapshot_%s", l);
	bench_report(name, c, best, -1);

	/* What drivers do today: fault, which migrates to system memory. */
	t = bench_fault(c, DEV_A, HMM_PFN_REQ_FAULT, NULL);
	snprintf(name, sizeof(name), "foreign_to_ram_%s", l);
	bench_report(name, c, t, -1);

	/* The same range, now system pages, for a caller without a policy. */
	for (best = U64_MAX, i = 0; i < BEST_OF; i++)
		best = min(best, bench_fault(c, DEV_A, HMM_PFN_REQ_FAULT, NULL));
	snprintf(name, sizeof(name), "system_%s", l);
	bench_report(name, c, best, -1);
#ifndef HMM_P2P_BENCH_BASE
	pol.calls = 0;
	t = bench_fault(c, DEV_A, HMM_PFN_REQ_FAULT, &pol.base);
	snprintf(name, sizeof(name), "system_policy_%s", l);
	bench_report(name, c, t, pol.calls);
#endif
	bench_unmap(c);

	/* Device to device: directly, and through system memory. */
#ifndef HMM_P2P_BENCH_BASE
	if (!bench_map(c)) {
		bench_populate(c, thp);
		pol.calls = 0;
		t = bench_migrate(c, DEV_A, MIGRATE_VMA_SELECT_DEVICE_P2P |
				  (thp ? MIGRATE_VMA_SELECT_COMPOUND : 0),
				  &pol.base, DEV_A);
		snprintf(name, sizeof(name), "d2d_p2p_%s", l);
		bench_report(name, c, t, pol.calls);
		bench_unmap(c);
	}
#endif
	if (!bench_map(c)) {
		bench_populate(c, thp);
		t = bench_migrate(c, DEV_B, MIGRATE_VMA_SELECT_DEVICE_PRIVATE |
				  (thp ? MIGRATE_VMA_SELECT_COMPOUND : 0),
				  NULL, NULL);
		t += bench_migrate(c, DEV_A, MIGRATE_VMA_SELECT_SYSTEM |
				   (thp ? MIGRATE_VMA_SELECT_COMPOUND : 0),
				   NULL, DEV_A);
		snprintf(name, sizeof(name), "d2d_two_hop_%s", l);
		bench_report(name, c, t, -1);
		bench_unmap(c);
	}
}

static int __init hmm_p2p_bench_init(void)
{
	unsigned long max_pages = (unsigned long)max_mib << (20 - PAGE_SHIFT);
	struct bench_ctx c = { .mm = current->mm };
	unsigned int i;
	int ret;

	if (!c.mm)
		return -EINVAL;
	ret = bench_dev_init(DEV_A, max_pages);
	if (!ret)
		ret = bench_dev_init(DEV_B, max_pages);
	c.pfns = kvmalloc_array(max_pages, sizeof(*c.pfns), GFP_KERNEL);
	c.src = kcalloc(PMD_PAGES, sizeof(*c.src), GFP_KERNEL);
	c.dst = kcalloc(PMD_PAGES, sizeof(*c.dst), GFP_KERNEL);
	if (ret || !c.pfns || !c.src || !c.dst) {
		ret = -ENOMEM;
		goto out;
	}

#ifdef HMM_P2P_BENCH_BASE
	pr_info("hmm-p2p-bench: start base\n");
#else
	pr_info("hmm-p2p-bench: start series\n");
#endif
	for (i = 0; i < ARRAY_SIZE(sizes_mib) && sizes_mib[i] <= max_mib; i++) {
		c.npages = (unsigned long)sizes_mib[i] << (20 - PAGE_SHIFT);
		bench_layout(&c, false);
		bench_layout(&c, true);
	}
	pr_info("hmm-p2p-bench: done\n");
out:
	kfree(c.src);
	kfree(c.dst);
	kvfree(c.pfns);
	bench_dev_exit(DEV_B);
	bench_dev_exit(DEV_A);
	return ret;
}
module_init(hmm_p2p_bench_init);

static void __exit hmm_p2p_bench_exit(void)
{
}
module_exit(hmm_p2p_bench_exit);

MODULE_DESCRIPTION("Cost of hmm_range_fault() and migrate_vma_setup() on device private memory of several owners");
MODULE_LICENSE("GPL");
