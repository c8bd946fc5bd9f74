"""Full resync: one TCP terminal that should hold N lost cards is restarted
empty, and `cardctl resync --device NAME` brings it level with a full
sync. The request it sends is timed on an open control connection until its
answer (the terminal then enforces the set, which is checked on
card-termsim); card-termsim counts the bytes. Two terminals:
one with bitmap support (cardd picks the bitmap for these dense card
numbers) and one without (a list). Baselines: the bytes
protocol/wire_cost.hpp gives for the full sync cardd chose (wire_cost_tool),
and bare_resync sending the same chunks in a bare loop (its time and bytes)."""

import benchlib

NAME = "resync"
NEEDS = ["bin:cardd", "bin:cardctl", "bin:card-termsim", "bin:bare_resync", "bin:wire_cost_tool", "bin:seed_store"]
TARGET = 0.9
LOSSES_PER_CALL = 1000
BITMAP_LIMIT = 16777215


def run(ctx):
    # Past seed_from cards the store is filled by seed_store: the simulated
    # encoder issues a card in tens of milliseconds, hours for 200,000.
    sizes = [100, 300] if ctx.smoke else [100, 10_000, 200_000]
    seed_from = 100 if ctx.smoke else 10_000
    cardd = benchlib.Cardd(ctx)
    terminals = {}
    try:
        for kind, limit in (("bitmap", BITMAP_LIMIT), ("list", 0)):
            sim = benchlib.Termsim(ctx, 1, serial=3000 + limit % 7, capacity=max(sizes) + 1000, bitmap_limit=limit)
            name = cardd.add_terminals(sim, prefix=f"resync-{kind}")[0]
            terminals[kind] = (sim, name)
        lost = []
        for size in sizes:
            if size > seed_from:
                # Seeded into the stopped store, lost everywhere; both
                # terminals are brought level by a resync, not timed.
                lost += cardd.seed(size - len(lost), size - len(lost))
                for _, name in terminals.values():
                    cardd.cardctl("resync", "--device", name)
                new = []
            else:
                # The store gets `size` lost cards, pushed to both terminals as deltas.
                new = cardd.issue(size - len(lost))
            for start in range(0, len(new), LOSSES_PER_CALL):
                chunk = new[start:start + LOSSES_PER_CALL]
                answer = cardd.client.call("card-loss", {"card_nos": chunk, "push": True, "devices": "all"}
                                           if len(chunk) > 1 else {"card_no": chunk[0], "push": True,
                                                                   "devices": "all"})
                if answer.get("result") != 0:
                    raise benchlib.BenchError(f"card-loss: {answer.get('text')}")
            lost += new
            first = lost[0]
            if lost != list(range(first, first + len(lost))):
                raise benchlib.BenchError("the issued cards are not consecutive")
            for kind, (sim, name) in terminals.items():
                benchlib.enforce_check(sim, lost, f"{kind} terminal with {size} cards")
                cost = benchlib.run_json([ctx.binary("wire_cost_tool"), str(first), str(len(lost)),
                                          str(sim.bitmap_limit)])
                cardd_s, cardd_bytes, bare_s, bare_bytes = [], [], [], []
                for _ in range(ctx.repetitions):
                    sim.restart(empty=True)
                    cardd_s.append(cardd.timed_call("resync", {"devices": [name]})[1])
                    benchlib.enforce_check(sim, lost, f"{kind} terminal after cardd's resync of {size}")
                    cardd_bytes.append(benchlib.stats_delta({"requests": 0, "bytes_in": 0, "bytes_out": 0},
                                                            sim.stats())["bytes"])
                    sim.restart(empty=True)
                    answer = benchlib.run_json([ctx.binary("bare_resync"), f"127.0.0.1:{sim.first_port}",
                                                cost["format"], str(first), str(len(lost))])
                    benchlib.enforce_check(sim, lost, f"{kind} terminal after bare_resync of {size}")
                    bare_s.append(answer["elapsed_s"])
                    bare_bytes.append(sim.stats()["bytes_in"] + sim.stats()["bytes_out"])
                # Leave the terminal where cardd believes it is.
                sim.restart(empty=True)
                cardd.cardctl("resync", "--device", name)
                med = benchlib.median
                params = {"cards": size, "format": cost["format"]}
                print(f"  {size} cards as {cost['format']}: cardd {med(cardd_s):.3f} s {med(cardd_bytes):.0f} B, "
                      f"bare {med(bare_s):.3f} s {med(bare_bytes):.0f} B, wire cost {cost['chosen']['bytes']} B",
                      flush=True)
                ctx.row(NAME, "time", params, med(cardd_s), med(bare_s), False, TARGET, "s", cardd_s, bare_s,
                        notes="baseline: bare_resync")
                ctx.row(NAME, "wire bytes", params, med(cardd_bytes), cost["chosen"]["bytes"], False, TARGET, "B",
                        cardd_bytes, [cost["chosen"]["bytes"]],
                        notes=f"baseline: wire_cost.hpp ({cost['chosen']['frames']} commands, no state read); "
                              f"cardd's figure holds the one state read a terminal it has not seen since its "
                              f"restart needs first")
                ctx.row(NAME, "wire bytes against the bare loop", params, med(cardd_bytes), med(bare_bytes), False,
                        TARGET, "B", cardd_bytes, bare_bytes,
                        notes="baseline: bare_resync, the same chunks with a state read before and after")
    finally:
        cardd.stop()
        for sim, _ in terminals.values():
            sim.stop()
