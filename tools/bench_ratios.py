#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a Google Benchmark binary and prints its figures and the large/small
ratios (262,144 pages over 32 pages) as a Markdown table: the numbers that go
into docs/performance.md. Ratios come from one run, so machine noise cancels.

usage: tools/bench_ratios.py BENCH_BINARY [--benchmark_min_time=0.5 ...]
"""
import json
import re
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    out = subprocess.run([sys.argv[1], "--benchmark_format=json", *sys.argv[2:]],
                         check=True, capture_output=True, text=True).stdout
    runs = json.loads(out)["benchmarks"]
    for r in runs:  # "BM_X/32/min_time:2.000" -> "BM_X/32": a fixed MinTime is not part of the name
        r["name"] = re.sub(r"/(min_time|real_time|iterations):[^/]*", "", r["name"])
    by_name = {r["name"]: r for r in runs}
    print("| benchmark | time per iteration | notes |")
    print("|---|---|---|")
    for r in runs:
        notes = ", ".join(f"{k} {v:,.0f}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in r.items()
                          if k not in ("name", "run_name", "run_type", "repetitions", "repetition_index",
                                       "threads", "iterations", "real_time", "cpu_time", "time_unit",
                                       "family_index", "per_family_instance_index", "aggregate_name"))
        print(f"| {r['name']} | {r['real_time']:,.1f} {r['time_unit']} | {notes} |")
    print()
    print("| ratio (262,144 pages / 32 pages) | value | goal |")
    print("|---|---|---|")
    for name, r in by_name.items():
        if not name.endswith("/32"):
            continue
        big = by_name.get(name[:-3] + "/262144")
        if not big:
            continue
        ratio = big["real_time"] / r["real_time"]
        goal = "≤ 2" if "Step" in name or "Refresh" in name else "—"
        print(f"| {name[:-3]} | {ratio:.2f} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
