#!/usr/bin/python3
"""Plots from the benchmarks' results.json: propagation time against the
number of terminals, cardd and the bare pool (docs/performance-propagation.svg),
and the RS-485 line utilisation against units on the bus, per exchange
(loss push, resync) and baud rate, cardd beside the bare RTU master
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
    """Utilisation against units, one line per exchange and baud rate: cardd
    solid, the bare RTU master dashed."""
    series = {}
    for r in rows:
        params = r.get("parameters", {})
        if r["benchmark"] != "rs485" or not r["metric"].startswith("utilisation") or "baud" not in params:
            continue
        bare = "bare RTU master" in r["metric"]
        exchange = r["metric"].rsplit(", ", 1)[-1]
        series.setdefault((exchange, params["baud"], bare), []).append((params["units"], r["cardd"]))
    if not series:
        return False
    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    for (exchange, baud, bare), points in sorted(series.items()):
        points.sort()
        who = "bare master" if bare else "cardd"
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="s" if bare else "o",
                  linestyle="--" if bare else "-", label=f"{who}, {exchange}, {baud} baud")
    axes.axhline(0.9, color="grey", linewidth=0.8, linestyle=":")
    axes.set_xscale("log", base=2)
    axes.set_xlabel("units on the bus")
    axes.set_ylabel("line utilisation (minimal wire time / elapsed)")
    axes.set_title("RS-485 bus utilisation, 8E1, --emulate-baud")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="x-small")
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
