"""Loss storm: many losses, each pushed to every terminal, from one client
back to back and from 8 clients at once (8 control-socket connections). At
the end every terminal must enforce every lost card. Each loss's latency
gives p99; card-termsim's request counts give requests per terminal per loss.

Targets: one client at most 2 requests per terminal per loss (a collection's
state read and one ADD); 8 clients at most 1.2 x one request per terminal per
76 coalesced entries, plus the collections. The collections' requests are the
state reads and record reads card-termsim counted: a push to a terminal that
took its last sync goes out without a read first, so those are the
collections'. The figure is requests per terminal per loss; the baseline
column holds the bound, so the ratio is bound / figure."""

import math
import threading
import time

import benchlib

NAME = "loss_storm"
NEEDS = ["bin:cardd", "bin:card-termsim"]
ENTRIES_PER_COMMAND = 76


def storm(cardd, cards, clients):
    """Reports the loss of every card, spread over `clients` connections; the latencies."""
    latencies = []
    errors = []
    lock = threading.Lock()

    def client(share):
        connection = benchlib.ControlClient(cardd.socket)
        try:
            for card in share:
                started = time.monotonic()
                answer = connection.call("card-loss", {"card_no": card, "push": True, "devices": "all"})
                took = time.monotonic() - started
                with lock:
                    latencies.append(took)
                    if answer.get("result") != 0:
                        errors.append(answer.get("text"))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(cards[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise benchlib.BenchError(f"{len(errors)} losses refused: {errors[:3]}")
    return latencies


def run(ctx):
    terminals = 3 if ctx.smoke else 100
    losses = 10 if ctx.smoke else 1000
    # Each repetition reports 2 x losses new cards, issued at tens of
    # milliseconds each: one repetition of each storm.
    reps = 1
    termsim = benchlib.Termsim(ctx, terminals, serial=2000, capacity=20000)
    cardd = benchlib.Cardd(ctx)
    results = {1: {"figure": [], "bound": [], "p99": [], "total": []},
               8: {"figure": [], "bound": [], "p99": [], "total": []}}
    try:
        cardd.add_terminals(termsim)
        cards = cardd.issue(1 + 2 * losses * reps)
        cardd.cardctl("card", "loss", str(cards[0]), "--push", "--devices", "all")
        lost = [cards[0]]
        next_card = 1
        for _ in range(reps):
            for clients in (1, 8):
                batch = cards[next_card:next_card + losses]
                next_card += losses
                before = termsim.stats()
                started = time.monotonic()
                latencies = storm(cardd, batch, clients)
                total = time.monotonic() - started
                lost += batch
                benchlib.enforce_check(termsim, lost, f"after the storm from {clients} clients")
                delta = benchlib.stats_delta(before, termsim.stats())
                figure = delta["requests"] / (terminals * losses)
                if clients == 1:
                    bound = 2.0
                else:
                    collections = delta["by_kind"].get("state_read", 0) + delta["by_kind"].get("record_read", 0)
                    bound = (1.2 * math.ceil(losses / ENTRIES_PER_COMMAND) / losses +
                             collections / (terminals * losses))
                r = results[clients]
                r["figure"].append(figure)
                r["bound"].append(bound)
                r["p99"].append(benchlib.percentile(latencies, 99))
                r["total"].append(total)
                print(f"  {clients} clients: {losses} losses in {total:.2f} s, {figure:.3f} requests per terminal "
                      f"per loss (bound {bound:.3f}), loss p99 {r['p99'][-1] * 1000:.1f} ms, "
                      f"by kind {delta['by_kind']}", flush=True)
    finally:
        cardd.stop()
        termsim.stop()

    med = benchlib.median
    for clients, r in results.items():
        params = {"terminals": terminals, "losses": losses, "clients": clients}
        ctx.row(NAME, "requests per terminal per loss", params, med(r["figure"]), med(r["bound"]), False, 1.0,
                "req", r["figure"], r["bound"],
                notes=f"storm time median {med(r['total']):.2f} s; bound is the target, not a measured baseline")
        ctx.row(NAME, "loss p99", params, med(r["p99"]), None, False, 1.0, "s", r["p99"],
                judged=False, notes="no baseline: the latency of one loss as its client saw it")
