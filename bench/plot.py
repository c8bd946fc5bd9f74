#!/usr/bin/python3
"""Plots from the benchmarks' results.json: propagation time against the
number of terminals, cardd and the bare pool (docs/performance-propagation.svg),
and, when rows of benchmark rs485 with a utilisation metric and baud and
units parameters exist, utilisation against units per baud rate
(docs/performance-rs485.svg).

Usage: plot.py [RESULTS_JSON] [DOCS_DIR]"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def propagation(rows, out):
    points = sorted((r["parameters"]["terminals"], r["cardd"], r["baseline"], r["spread"]) for r in rows
                    if r["benchmark"] == "propagation" and r["metric"] == "time to every terminal confirmed")
    if not points:
        return False
    terminals = [p[0] for p in points]
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    axes.errorbar(terminals, [p[1] for p in points],
                  yerr=[[max(p[1] - p[3]["low"], 0) for p in points], [max(p[3]["high"] - p[1], 0) for p in points]],
                  marker="o", capsize=3, label="cardd (cardctl card loss --push --devices all)")
    axes.plot(terminals, [p[2] for p in points], marker="s", label="bare pool (libmodbus, 8 threads)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("terminals")
    axes.set_ylabel("seconds until every terminal confirmed (median)")
    axes.set_title("One lost card to every terminal, Modbus TCP")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, metadata={"Date": None})
    plt.close(figure)
    return True


def rs485(rows, out):
    series = {}
    for r in rows:
        params = r.get("parameters", {})
        if r["benchmark"] == "rs485" and r["metric"].startswith("utilisation") and "baud" in params and \
                "units" in params:
            series.setdefault(params["baud"], []).append((params["units"], r["cardd"]))
    if not series:
        return False
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for baud, points in sorted(series.items()):
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{baud} baud")
    axes.set_xlabel("units on the bus")
    axes.set_ylabel("line utilisation")
    axes.set_title("RS-485 bus utilisation")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, metadata={"Date": None})
    plt.close(figure)
    return True


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "build/bench/results.json"
    docs = sys.argv[2] if len(sys.argv) > 2 else "docs"
    with open(results) as f:
        rows = json.load(f)["rows"]
    for name, plot in (("performance-propagation.svg", propagation), ("performance-rs485.svg", rs485)):
        out = os.path.join(docs, name)
        if plot(rows, out):
            print(f"plot: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
