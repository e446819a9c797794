#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's output into docs/bench/results.md and a plot.

Usage: scripts/bench-report.py BENCH_DIR OUT_DIR SERIES_REV BASE_TITLE

BENCH_DIR holds base-icount.txt, series-icount.txt and series-wall.txt,
lines of "<path> <MiB> <ns per page> <callback calls per 2 MiB or -0>" as
scripts/bench.sh extracts them from the consoles.
"""
import os
import subprocess
import sys

PATHS = [
    ("own", "own device's pages (the floor)"),
    ("foreign_p2p", "another device's pages, allowed (p2p)"),
    ("foreign_to_ram", "another device's pages, migrated to RAM (today)"),
    ("foreign_snapshot", "another device's pages, no p2p, snapshot"),
    ("system", "system pages, no p2p"),
    ("own_policy", "own pages, with a policy"),
    ("system_policy", "system pages, with a policy"),
    ("d2d_p2p", "device to device, MIGRATE_VMA_SELECT_DEVICE_P2P"),
    ("d2d_two_hop", "device to device through RAM (two migrations)"),
]


def load(path):
    data = {}
    if not os.path.exists(path):
        return data
    with open(path) as f:
        for line in f:
            name, mib, ns, calls = line.split()
            data[(name, int(mib))] = (float(ns),
                                      None if calls.startswith("-") else int(calls))
    return data


def main():
    bench, out, rev, base_title = sys.argv[1:5]
    base = load(os.path.join(bench, "base-icount.txt"))
    ser = load(os.path.join(bench, "series-icount.txt"))
    wall = load(os.path.join(bench, "series-wall.txt"))
    sizes = sorted({mib for (_, mib) in ser})
    goals = []

    def ns(d, name, mib):
        v = d.get((name, mib))
        return v[0] if v else None

    def goal(text, ok, detail):
        goals.append((text, ok, detail))

    # Goal: allowed foreign pages at most 1.10x the own-owner path.
    for lay in ("4k", "pmd"):
        r = [ns(ser, "foreign_p2p_" + lay, m) / ns(ser, "own_" + lay, m)
             for m in sizes]
        goal(f"allowed foreign pages <= 1.10x own pages ({lay})",
             max(r) <= 1.10, "ratio " + ", ".join(f"{x:.3f}" for x in r))
    # Goal: callers that do not opt in within +-1 % of the base.
    for name in ("own", "foreign_snapshot", "system"):
        for lay in ("4k", "pmd"):
            key = f"{name}_{lay}"
            r = [ns(ser, key, m) / ns(base, key, m) for m in sizes
                 if ns(base, key, m)]
            if not r:
                continue
            goal(f"{key}: series within 1 % of {base_title}",
                 all(abs(x - 1) <= 0.01 for x in r),
                 "ratio " + ", ".join(f"{x:.4f}" for x in r))
    # Goal: callback calls.
    for key, want in (("foreign_p2p_pmd", 1), ("own_policy_4k", 0),
                      ("own_policy_pmd", 0), ("system_policy_4k", 0),
                      ("system_policy_pmd", 0)):
        calls = [ser.get((key, m), (0, None))[1] for m in sizes]
        goal(f"{key}: {want} callback call(s) per 2 MiB",
             all(c == want for c in calls), "calls " + ", ".join(map(str, calls)))
    # Goal: in place vs migrate-to-RAM.
    for d, floor, label in ((ser, 50, "icount"), (wall, 100, "wall clock")):
        for lay in ("4k", "pmd"):
            r = [ns(d, "foreign_to_ram_" + lay, m) / ns(d, "foreign_p2p_" + lay, m)
                 for m in sizes if ns(d, "foreign_p2p_" + lay, m)]
            if r:
                goal(f"foreign in place >= {floor}x cheaper than to RAM ({lay}, {label})",
                     min(r) >= floor, "ratio " + ", ".join(f"{x:.0f}" for x in r))
    # Goal: direct device to device vs two hops.
    for lay in ("4k", "pmd"):
        r = [ns(ser, "d2d_two_hop_" + lay, m) / ns(ser, "d2d_p2p_" + lay, m)
             for m in sizes]
        goal(f"direct device to device >= 1.8x faster than two hops ({lay})",
             min(r) >= 1.8, "ratio " + ", ".join(f"{x:.2f}" for x in r))
    # Goal: flat per-page cost.
    for name, _ in PATHS:
        for lay in ("4k", "pmd"):
            v = [ns(ser, f"{name}_{lay}", m) for m in sizes]
            if None in v or name.endswith("_policy"):
                continue
            goal(f"{name}_{lay}: per-page cost flat within 10 %",
                 max(v) <= 1.10 * min(v), f"{min(v):.1f} to {max(v):.1f} ns")

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("# Cost per page of hmm_range_fault() and migrate_vma_setup()\n\n")
        f.write(f"Series {rev} on {base_title}, against {base_title} itself, measured by\n"
                "`make bench` (bench/hmm_p2p_bench.c, scripts/bench.sh) in one run of\n"
                "each kernel. The clock is the guest's ktime in QEMU (TCG) with\n"
                "`-icount shift=0 -smp 1`: one guest nanosecond per instruction\n"
                "executed, so the numbers repeat exactly from boot to boot; the wall\n"
                "column is a third boot without `-icount`, in guest nanoseconds of\n"
                "host time. x86_64, default CPU mitigations on (retpolines). Each\n"
                "in-place figure is the best of three calls.\n\n")
        f.write("| path | layout | MiB | ns/page (icount) | base ns/page | series/base | "
                "ns/page (wall) | callback calls per 2 MiB |\n")
        f.write("|---|---|---|---|---|---|---|---|\n")
        for name, desc in PATHS:
            for lay in ("4k", "pmd"):
                for m in sizes:
                    key = (f"{name}_{lay}", m)
                    if key not in ser:
                        continue
                    s, calls = ser[key]
                    b = base.get(key, (None, None))[0]
                    w = wall.get(key, (None, None))[0]
                    f.write(f"| {desc} | {lay} | {m} | {s:.2f} | "
                            f"{'' if b is None else f'{b:.2f}'} | "
                            f"{'' if b is None else f'{s / b:.4f}'} | "
                            f"{'' if w is None else f'{w:.1f}'} | "
                            f"{'' if calls is None else calls} |\n")
        f.write("\n## Goals (issue 9)\n\n| goal | met | measured |\n|---|---|---|\n")
        for text, ok, detail in goals:
            f.write(f"| {text} | {'yes' if ok else '**no**'} | {detail} |\n")

    # The plot: ns/page against range size, one line per path and layout.
    dat = os.path.join(bench, "plot.dat")
    series = []
    with open(dat, "w") as f:
        for name, desc in PATHS:
            if name.endswith("_policy") or name == "foreign_snapshot":
                continue
            for lay in ("4k", "pmd"):
                pts = [(m, ns(ser, f"{name}_{lay}", m)) for m in sizes]
                if None in (p[1] for p in pts):
                    continue
                f.write(f"# {name}_{lay}\n")
                for m, v in pts:
                    f.write(f"{m} {v}\n")
                f.write("\n\n")
                series.append(f"{desc}, {lay}")
    plots = ", ".join(f"'{dat}' index {i} with linespoints title \"{t}\""
                      for i, t in enumerate(series))
    script = f"""set terminal pngcairo size 1100,700
set output '{os.path.join(out, "ns-per-page.png")}'
set logscale xy
set xlabel 'range size (MiB)'
set ylabel 'guest ns per page (icount: instructions)'
set key outside right
set grid
set title 'hmm_range_fault() and migration cost per page, series {rev}'
plot {plots}
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    failed = [g for g in goals if not g[1]]
    print(f"{len(goals) - len(failed)} goals met, {len(failed)} not met")


if __name__ == "__main__":
    main()
