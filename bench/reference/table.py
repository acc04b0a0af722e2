"""Summarises a bench/reference/run.sh directory as a Markdown table: per
reference configuration, the median seconds per epoch of the other
implementation (every timed epoch of every round) and of rgflow on each
kernel path (the median over rounds of each round's median), with rgflow's
speed-up on each path.

usage: python3 bench/reference/table.py OUTDIR
"""
import csv, glob, os, statistics, sys

out = sys.argv[1]
theirs = {}
for row in csv.DictReader(open(os.path.join(out, "python.csv"))):
    theirs.setdefault((row["implementation"], row["rep"].upper().replace("A1E", "A1+E"), int(row["trajectories"])), []).append(float(row["seconds"]))

ours = {}  # (rep, model, trajectories, kernels) -> [median per round]
for path in sorted(glob.glob(os.path.join(out, "round-*", "epoch-time.csv"))):
    for row in csv.DictReader(open(path)):
        if row["error"] or row["loss"] != "cd":
            continue
        # rgflow's per-kernel choice (a spec such as avx512,cornerSums=avx2,
        # which the start-up calibration may vary from round to round) is
        # one column, "choice"
        path = row["kernels"] if row["kernels"] in ("avx512", "avx2", "generic") else "choice"
        key = (row["rep"], row["model"], int(row["trajectories"]), path)
        ours.setdefault(key, []).append(float(row["median_s"]))

model = {"seed": "flow", "houyou": "monotone"}
name = {"seed": "the seed's (dlrg)", "houyou": "Hou & You's (MLRG)"}
order = ["choice", "avx512", "avx2", "generic"]
paths = sorted({k[3] for k in ours}, key=order.index)
fmt = lambda s: "%.3g s" % s if s >= 1 else "%.3g ms" % (1e3 * s)
title = {"choice": "rgflow (its kernel choice)"}
print("| configuration | theirs | " + " | ".join(title.get(p, "rgflow " + p) for p in paths) + " |")
print("|---|---|" + "---|" * len(paths))
for (impl, rep, n), ts in sorted(theirs.items()):
    t = statistics.median(ts)
    cells = []
    for p in paths:
        v = ours.get((rep, model[impl], n, p))
        cells.append("%s (%.0f×)" % (fmt(statistics.median(v)), t / statistics.median(v)) if v else "—")
    print("| %s CD, %d trajectories, %s | %s | %s |" % (rep, n, name[impl], fmt(t), " | ".join(cells)))
