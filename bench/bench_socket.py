"""Control socket: 10,000 top-ups through cardd's socket, from 1 client and
from 8 clients at once, each client back to back on its own simulated
encoder with its own card left on the reader (so every top-up reads the
card, journals the write, writes the card and applies it). The baseline is
bare_topup: the same number of top-ups as a bare loop over the store library
(CardStore::top_up, one durable transaction each) on a store of the same
shape, with no socket and no card. On SQLite, and on MariaDB: a private
mariadbd the benchmark starts, every commit flushed, each side on its own
database."""

import threading
import time

import benchlib

NAME = "socket"
NEEDS = ["bin:cardd", "bin:seed_store", "bin:bare_topup"]
TARGET = 0.8
ENCODERS = 8
AMOUNT = 1  # a cent: 10,000 top-ups leave every card far from its value block's bound


def issue_one_per_encoder(cardd):
    """Encoders desk-0.., each with an issued card left on its reader; the cards' numbers."""
    cards = []
    for k in range(ENCODERS):
        encoder = f"desk-{k}"
        card_no = 1 + k
        cardd.client.call_ok("device-add-encoder", {"name": encoder, "sim": True})
        cardd.client.call_ok("person-add", {"staff_no": f"T{k:03d}", "name": f"Counter {k}"})
        cardd.client.call_ok("encoder-sim-place", {"encoder": encoder, "blank": True})
        cardd.client.call_ok("card-issue", {"staff_no": f"T{k:03d}", "card_no": card_no, "opening": 0,
                                            "encoder": encoder})
        cards.append(card_no)
    return cards


def topups(cardd, clients, total, first_encoder):
    """total top-ups from `clients` threads at once; elapsed seconds and every call's latency."""
    latencies = []
    errors = []
    lock = threading.Lock()

    def client(k):
        encoder = (first_encoder + k) % ENCODERS
        connection = benchlib.ControlClient(cardd.socket)
        mine = []
        try:
            for _ in range(total // clients):
                started = time.monotonic()
                answer = connection.call("card-topup", {"card_no": 1 + encoder, "amount": AMOUNT,
                                                        "encoder": f"desk-{encoder}"})
                mine.append(time.monotonic() - started)
                if answer.get("result") != 0:
                    with lock:
                        errors.append(answer.get("text"))
                    return
        except (OSError, benchlib.BenchError) as error:
            with lock:
                errors.append(str(error))
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise benchlib.BenchError(f"card-topup: {errors[0]}")
    return elapsed, latencies


def measure(ctx, store, cardd_url, bare_url):
    """The top-ups through cardd on `cardd_url` and the bare loop on
    `bare_url` (an empty store of the same backend); the rows."""
    total = 80 if ctx.smoke else 10_000
    cardd = benchlib.Cardd(ctx, {"database": f'"{cardd_url}"'} if cardd_url else None)
    results = {1: [], 8: []}
    p99 = {1: [], 8: []}
    try:
        cards = issue_one_per_encoder(cardd)
        balances = {card: 0 for card in cards}
        for rep in range(ctx.repetitions):
            for clients in (1, 8):
                elapsed, latencies = topups(cardd, clients, total, rep)
                results[clients].append(elapsed)
                p99[clients].append(benchlib.percentile(latencies, 99))
                for k in range(clients):
                    balances[1 + (rep + k) % ENCODERS] += AMOUNT * (total // clients)
        # A connection of its own: cardd closes one idle for 30 s, as the main one was meanwhile.
        check = benchlib.ControlClient(cardd.socket)
        for card, want in balances.items():
            got = check.call_ok("card-info", {"card_no": card})["arguments"]["card"]["balance"]
            if got != want:
                raise benchlib.BenchError(f"card {card} holds {got} in the store, {want} were topped up")
        check.close()
    finally:
        cardd.stop()

    # The baseline's store: the same people and cards, seeded, no encoder.
    benchlib.run_json([ctx.binary("seed_store"), bare_url, "1", str(ENCODERS), "0"])
    bare = [benchlib.run_json([ctx.binary("bare_topup"), bare_url, "1", "1", str(total), str(AMOUNT)])["elapsed_s"]
            for _ in range(ctx.repetitions)]

    med = benchlib.median
    for clients in (1, 8):
        params = {"topups": total, "clients": clients, "store": store}
        print(f"  {store}, {clients} client(s): cardd {med(results[clients]):.3f} s "
              f"(p99 {med(p99[clients]) * 1000:.1f} ms), bare loop {med(bare):.3f} s", flush=True)
        ctx.row(NAME, "time", params, med(results[clients]), med(bare), False, TARGET, "s", results[clients], bare,
                notes="baseline: bare_topup (CardStore::top_up in a loop)")
        ctx.row(NAME, "top-up p99", params, med(p99[clients]), None, False, TARGET, "s", p99[clients], judged=False)


def run(ctx):
    measure(ctx, "sqlite", None, "sqlite:" + ctx.scratch("bare-topup") + "/cardd.sqlite")
    server = benchlib.MariadbServer(ctx)
    try:
        measure(ctx, "mariadb", server.database("cardd_bench"), server.database("bare_topup"))
    finally:
        server.stop()
