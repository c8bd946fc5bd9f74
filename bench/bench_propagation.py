"""Propagation: one lost card to every terminal. card-termsim serves N TCP
terminals from one process; cardd has them registered and level; the
request `cardctl card loss CARD --push --devices all` sends (card-loss,
push, devices all) is timed on an open control connection until its answer,
which comes when every terminal confirmed the new version (then every
terminal's count and checksum are checked on card-termsim). The baseline is
bare_pool (8 threads, libmodbus, read state / ADD / read state) over the same
terminals with a fresh card each repetition, timed inside its process: so
neither figure holds a process start (cardctl's is about 2 ms here). Per
terminal, the time to its last request (card-termsim's last_request_at)
gives p50 and p99. cardd also commits the loss, collects the records a
terminal took before it refused the card, and answers with each terminal's
outcome; that is part of its figure."""

import time

import benchlib

NAME = "propagation"
NEEDS = ["bin:cardd", "bin:cardctl", "bin:card-termsim", "bin:bare_pool"]
TARGET = 1.0


def per_terminal_seconds(before, after, started):
    """Seconds from `started` (Unix time) to each terminal's last request."""
    times = [t["last_request_at"] - started for t in benchlib.terminal_delta(before, after)
             if t["requests"] > 0 and t["last_request_at"] is not None]
    return times


def measure(ctx, terminals):
    reps = ctx.repetitions
    termsim = benchlib.Termsim(ctx, terminals, serial=1000)
    cardd = benchlib.Cardd(ctx)
    try:
        cardd.add_terminals(termsim)
        cards = cardd.issue(reps + 1)
        # The first loss brings every terminal level and opens the links: not timed.
        cardd.cardctl("card", "loss", str(cards[0]), "--push", "--devices", "all")
        lost = [cards[0]]
        benchlib.enforce_check(termsim, lost, "after the first loss")

        cardd_s, cardd_p50, cardd_p99 = [], [], []
        for card in cards[1:]:
            before = termsim.stats()
            started_unix, elapsed = cardd.timed_loss(card)
            lost.append(card)
            benchlib.enforce_check(termsim, lost, f"after the loss of {card}")
            after = termsim.stats()
            times = per_terminal_seconds(before, after, started_unix)
            if len(times) != terminals:
                raise benchlib.BenchError(f"{len(times)} of {terminals} terminals were asked anything")
            cardd_s.append(elapsed)
            cardd_p50.append(benchlib.percentile(times, 50))
            cardd_p99.append(benchlib.percentile(times, 99))

        bare_s, bare_p50, bare_p99 = [], [], []
        for rep in range(reps):
            before = termsim.stats()
            started_unix = time.time()
            answer = benchlib.run_json([ctx.binary("bare_pool"), str(9_000_000 + rep), termsim.span()])
            after = termsim.stats()
            times = per_terminal_seconds(before, after, started_unix)
            bare_s.append(answer["elapsed_s"])
            bare_p50.append(benchlib.percentile(times, 50))
            bare_p99.append(benchlib.percentile(times, 99))
        counts = {s["count"] for s in termsim.states()}
        if counts != {len(lost) + reps}:
            raise benchlib.BenchError(f"bare_pool left terminals holding {sorted(counts)} cards")
    finally:
        cardd.stop()
        termsim.stop()

    params = {"terminals": terminals}
    med = benchlib.median
    print(f"  {terminals} terminals: cardd {med(cardd_s):.3f} s, bare pool {med(bare_s):.3f} s", flush=True)
    ctx.row(NAME, "time to every terminal confirmed", params, med(cardd_s), med(bare_s), False, TARGET, "s",
            cardd_s, bare_s)
    ctx.row(NAME, "per-terminal p50", params, med(cardd_p50), med(bare_p50), False, TARGET, "s", cardd_p50,
            bare_p50, judged=False)
    ctx.row(NAME, "per-terminal p99", params, med(cardd_p99), med(bare_p99), False, TARGET, "s", cardd_p99,
            bare_p99, judged=False)


def run(ctx):
    for terminals in ([3] if ctx.smoke else [10, 100, 1000]):
        measure(ctx, terminals)
