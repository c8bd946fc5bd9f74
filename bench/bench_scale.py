"""Scale: a large site's store and terminals. 500,000 people with a card each,
50,000 of the cards lost (every tenth, spread over the numbers as a site's
losses are), seeded by seed_store; 10,000 TCP terminals served by one
card-termsim (bitmap support, as cardd picks the cheaper full sync).
Registering the terminals brings each level in the background (a full sync
of the 50,000); then, one phase at a time:

- register a terminal: `device-add-terminal` on an open control connection,
  to its answer (its full sync follows in the background). Target < 10 ms.
- start-up to ready: from exec to cardd's "serving" line, against bare_read
  (exec to exit) reading every device row, the list every terminal enforces,
  the exceptions and the open card writes from the same SQLite file with the
  sqlite3 library. Target: within 2x (ratio >= 0.5).
- RSS at rest, a few seconds after start-up.
- one more loss to all: the request `cardctl card loss CARD --push --devices
  all` sends, on an open control connection, until every terminal confirmed;
  against bare_pool (8 threads, libmodbus) over the same terminals, timed
  inside its process. Target >= 1.0.
- a full resync of all: every terminal restarted empty, then one `resync`
  of all 10,000 names, until every terminal is level again.

RSS is cardd's VmHWM, its peak resident set, reset before each phase
(/proc/PID/clear_refs): the figure is the largest at any moment of the phase.
Target < 256 MB in every phase. The store's size on disk is shown."""

import time

import benchlib

NAME = "scale"
NEEDS = ["bin:cardd", "bin:card-termsim", "bin:seed_store", "bin:bare_pool", "bin:bare_read"]
RSS_BOUND = 256 * 1024 * 1024
REGISTER_BOUND_S = 0.010
BITMAP_LIMIT = 16777215
LOSS_STRIDE = 10
SETTINGS = {"push_timeout_ms": "3600000", "collect_timeout_ms": "3600000"}


def sizes(ctx):
    """(cards, lost, terminals)."""
    return (2_000, 200, 20) if ctx.smoke else (500_000, 50_000, 10_000)


def rss_row(ctx, phase, params, peaks):
    med = benchlib.median
    ctx.row(NAME, f"peak RSS, {phase}", params, med(peaks) / 2**20, RSS_BOUND / 2**20, False, 1.0, "MB",
            [p / 2**20 for p in peaks], [RSS_BOUND / 2**20], notes="baseline: the 256 MB bound")


def measure(ctx):
    cards_count, lost_count, terminals = sizes(ctx)
    reps = ctx.repetitions
    # The terminals registered one by one and timed are the last few.
    timed_registrations = max(reps, 3)
    benchlib.raise_descriptor_limit(terminals + 4096)
    params = {"cards": cards_count, "lost": lost_count, "terminals": terminals}
    termsim = benchlib.Termsim(ctx, terminals, serial=200_000, capacity=lost_count + 1000,
                               bitmap_limit=BITMAP_LIMIT)
    cardd = benchlib.Cardd(ctx, SETTINGS)
    try:
        started = time.monotonic()
        cards = cardd.seed(cards_count, lost_count, LOSS_STRIDE)
        lost = cards[0:lost_count * LOSS_STRIDE:LOSS_STRIDE]
        print(f"  seeded {cards_count} cards, {lost_count} lost, in {time.monotonic() - started:.1f} s", flush=True)

        # Registration of all but the last few, pipelined; each terminal is
        # brought level by a full sync in the background.
        bulk = terminals - timed_registrations
        benchlib.reset_peak_rss(cardd.process.pid)
        started = time.monotonic()
        names = [f"t-{port}" for port in termsim.ports()]
        requests = [("device-add-terminal", {"name": name, "tcp": f"127.0.0.1:{port}"})
                    for name, port in zip(names[:bulk], termsim.ports())]
        bad = [a for a in cardd.client.pipelined(requests) if a["result"] != 0]
        if bad:
            raise benchlib.BenchError(f"device-add-terminal: {bad[0].get('text')}")
        registered_s = time.monotonic() - started
        benchlib.wait_level(termsim, lost, "after registration", range(bulk))
        first_sync_s = time.monotonic() - started
        first_sync_peak = benchlib.resident_bytes(cardd.process.pid)[1]
        print(f"  {bulk} terminals registered in {registered_s:.1f} s, all level in {first_sync_s:.1f} s, "
              f"peak RSS {first_sync_peak / 2**20:.0f} MB", flush=True)

        register_s = []
        for index in range(bulk, terminals):
            port = termsim.first_port + index
            register_s.append(cardd.timed_call("device-add-terminal",
                                               {"name": names[index], "tcp": f"127.0.0.1:{port}"})[1])
            benchlib.wait_level(termsim, lost, f"terminal {names[index]} after its registration", [index])

        startup_s, bare_s = [], []
        for _ in range(reps):
            cardd.stop()
            begun = time.monotonic()
            answer = benchlib.run_json([ctx.binary("bare_read"), cardd.sqlite_file()])
            bare_s.append(time.monotonic() - begun)
            if answer["rows"] < terminals + lost_count:
                raise benchlib.BenchError(f"bare_read read {answer['rows']} rows")
            begun = time.monotonic()
            cardd.start()
            startup_s.append(time.monotonic() - begun)
        time.sleep(3)
        at_rest = benchlib.resident_bytes(cardd.process.pid)[0]

        loss_s, loss_peaks, loss_requests = [], [], []
        for card in cards[1:lost_count * LOSS_STRIDE:LOSS_STRIDE][:reps]:
            before = termsim.stats()
            benchlib.reset_peak_rss(cardd.process.pid)
            loss_s.append(cardd.timed_loss(card)[1])
            loss_peaks.append(benchlib.resident_bytes(cardd.process.pid)[1])
            loss_requests.append(benchlib.stats_delta(before, termsim.stats())["requests"] / terminals)
            lost = sorted(lost + [card])
            benchlib.wait_level(termsim, lost, f"after the loss of {card}")

        pool_s, pool_requests = [], []
        for rep in range(reps):
            before = termsim.stats()
            answer = benchlib.run_json([ctx.binary("bare_pool"), str(16_000_000 + rep), termsim.span()])
            if answer["failed"]:
                raise benchlib.BenchError(f"bare_pool: {answer['failed']} terminals failed")
            pool_s.append(answer["elapsed_s"])
            pool_requests.append(benchlib.stats_delta(before, termsim.stats())["requests"] / terminals)

        resync_s, resync_peaks = [], []
        for _ in range(reps):
            termsim.restart(empty=True)
            benchlib.reset_peak_rss(cardd.process.pid)
            begun = time.monotonic()
            cardd.timed_call("resync", {"devices": names})
            benchlib.wait_level(termsim, lost, "after the resync of all")
            resync_s.append(time.monotonic() - begun)
            resync_peaks.append(benchlib.resident_bytes(cardd.process.pid)[1])
        store_bytes = cardd.store_bytes()
    finally:
        cardd.stop()
        termsim.stop()

    med = benchlib.median
    print(f"  register {med(register_s) * 1000:.1f} ms; start-up {med(startup_s):.3f} s (bare read "
          f"{med(bare_s):.3f} s); at rest {at_rest / 2**20:.0f} MB; loss to all {med(loss_s):.3f} s "
          f"(bare pool {med(pool_s):.3f} s), peak {med(loss_peaks) / 2**20:.0f} MB; resync of all "
          f"{med(resync_s):.1f} s, peak {med(resync_peaks) / 2**20:.0f} MB; store {store_bytes / 2**20:.0f} MB",
          flush=True)
    ctx.row(NAME, "register a terminal", params, med(register_s), REGISTER_BOUND_S, False, 1.0, "s", register_s,
            [REGISTER_BOUND_S], notes="baseline: the 10 ms bound; its full sync follows in the background")
    ctx.row(NAME, "start-up to ready", params, med(startup_s), med(bare_s), False, 0.5, "s", startup_s, bare_s,
            notes="baseline: bare_read, exec to exit; target: within 2x")
    ctx.row(NAME, "RSS at rest", params, at_rest / 2**20, RSS_BOUND / 2**20, False, 1.0, "MB",
            notes="baseline: the 256 MB bound")
    rss_row(ctx, "registering every terminal (a full sync of each)", params, [first_sync_peak])
    ctx.row(NAME, "one more loss to all", params, med(loss_s), med(pool_s), False, 1.0, "s", loss_s, pool_s,
            notes=f"baseline: bare_pool; requests per terminal: cardd {med(loss_requests):.2f}, "
                  f"bare {med(pool_requests):.2f}")
    rss_row(ctx, "one more loss to all", params, loss_peaks)
    ctx.row(NAME, "full resync of all", params, med(resync_s), None, False, None, "s", resync_s, judged=False,
            notes="every terminal restarted empty; until all are level")
    rss_row(ctx, "full resync of all", params, resync_peaks)
    ctx.row(NAME, "store size", params, store_bytes / 2**20, None, False, None, "MB", judged=False,
            notes="the SQLite file and its write-ahead log")


def run(ctx):
    measure(ctx)
