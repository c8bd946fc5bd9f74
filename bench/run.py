#!/usr/bin/python3
"""The benchmark suite: every bench/bench_*.py module measures cardd against
a bare baseline in the same run and reports rows; one table at the end, all
rows in a JSON file. A missed target is a row that says so (exit 0); a
benchmark that cannot run is a failure (exit 1).

Usage: run.py [--smoke] [--only NAME,...] [--results PATH] BIN_DIR"""

import argparse
import glob
import importlib.util
import json
import os
import platform
import shutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402


def discover():
    modules = []
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not hasattr(module, "NAME") or not hasattr(module, "run"):
            raise benchlib.BenchError(f"{path} has no NAME or run(ctx)")
        modules.append(module)
    return modules


def missing_needs(module, ctx):
    """What a module needs that is not here: binaries in BIN_DIR, commands on PATH, Python modules."""
    missing = []
    for need in getattr(module, "NEEDS", []):
        kind, _, what = need.partition(":")
        if kind == "bin" and not os.access(os.path.join(ctx.bin, what), os.X_OK):
            missing.append(f"{what} in {ctx.bin}")
        elif kind == "cmd" and shutil.which(what) is None:
            missing.append(f"command {what}")
        elif kind == "py" and importlib.util.find_spec(what) is None:
            missing.append(f"Python module {what}")
        elif kind == "root" and os.geteuid() != 0:
            missing.append("root (the console runs as its own uid)")
    return missing


def cell(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    else:
        text = str(value)
    return text + unit


def print_table(rows):
    headers = ["benchmark", "metric", "parameters", "cardd", "baseline", "ratio", "target", "met", "spread"]
    lines = []
    for r in rows:
        params = ",".join(f"{k}={v}" for k, v in r["parameters"].items())
        s = r["spread"]
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        lines.append([r["benchmark"], r["metric"], params, cell(r["cardd"], " " + r["unit"]),
                      cell(r["baseline"], " " + r["unit"]), cell(r["ratio"]), "-" if r["target"] is None else f">={r['target']}", met,
                      f"{s['kind']} {cell(s['low'])}..{cell(s['high'])}"])
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)))


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            memory_kb = int(f.readline().split()[1])
    except OSError:
        memory_kb = 0
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "kernel": platform.release()}


def main():
    parser = argparse.ArgumentParser(description="cardd against bare baselines, measured in the same run")
    parser.add_argument("--smoke", action="store_true", help="every benchmark at its smallest size, once")
    parser.add_argument("--only", default="", help="these benchmarks (NAME,...)")
    parser.add_argument("--results", default="build/bench/results.json", help="where the rows go (JSON)")
    parser.add_argument("bin_dir")
    options = parser.parse_args()

    ctx = benchlib.Context(options.bin_dir, options.smoke)
    modules = discover()
    if options.only:
        wanted = set(options.only.split(","))
        unknown = wanted - {m.NAME for m in modules}
        if unknown:
            print(f"run.py: no benchmark named {', '.join(sorted(unknown))} "
                  f"(there are {', '.join(m.NAME for m in modules)})", file=sys.stderr)
            return 2
        modules = [m for m in modules if m.NAME in wanted]

    failed = []
    started = time.time()
    try:
        for module in modules:
            missing = missing_needs(module, ctx)
            if missing:
                print(f"== {module.NAME}: FAILED, missing {', '.join(missing)}", flush=True)
                failed.append(module.NAME)
                continue
            print(f"== {module.NAME}", flush=True)
            begun = time.monotonic()
            try:
                module.run(ctx)
                print(f"== {module.NAME}: done in {time.monotonic() - begun:.1f} s", flush=True)
            except Exception:  # a benchmark that breaks must not hide the others' rows
                traceback.print_exc()
                print(f"== {module.NAME}: FAILED after {time.monotonic() - begun:.1f} s", flush=True)
                failed.append(module.NAME)
    finally:
        ctx.close()

    print()
    print_table(ctx.rows)
    missed = [r for r in ctx.rows if r["met"] is False]
    if missed:
        print(f"\n{len(missed)} targets missed: " +
              "; ".join(f"{r['benchmark']} {r['metric']} {r['parameters']}" for r in missed))
    os.makedirs(os.path.dirname(os.path.abspath(options.results)), exist_ok=True)
    with open(options.results, "w") as f:
        json.dump({"started_at": started, "smoke": ctx.smoke, "repetitions": ctx.repetitions, "machine": machine(),
                   "failed": failed, "rows": ctx.rows}, f, indent=1)
    print(f"rows written to {options.results}")
    if failed:
        print(f"benchmarks that did not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
