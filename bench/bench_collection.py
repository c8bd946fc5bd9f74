"""Collection: every terminal holds 1,000 purchase records (taps on
card-termsim's control socket, of issued cards) and `cardctl collect`
takes them all into the store, timed until it returns; the answer's count of
stored records is checked. The baseline is bare_collect reading the same
record windows (state, windows of 10 from the oldest, RECORDS_ACK) from the
same terminals in a bare loop, without storing. Each repetition restarts the
terminals with new serials and accepts them as replacements (device
accept-serial, before the timing), so cardd stores every record as new."""

import time

import benchlib

NAME = "collection"
NEEDS = ["bin:cardd", "bin:cardctl", "bin:card-termsim", "bin:bare_collect"]
TARGET = 0.9
RECORDS = 1000


def accept_replacements(cardd, names):
    """Accepts the terminals restarted with new serials as replacements, and
    waits until cardd has read each (its new serial recorded), so that the
    timed collection is the collection alone."""
    bad = [a for a in cardd.client.pipelined([("device-accept-serial", {"name": n}) for n in names])
           if a["result"] != 0]
    if bad:
        raise benchlib.BenchError(f"device-accept-serial: {bad[0].get('text')}")

    def all_read():
        devices = cardd.client.call_ok("device-list")["arguments"]["devices"]
        return all(d.get("serial") is not None for d in devices if d["name"] in names)

    benchlib.wait_for(all_read, "the replaced terminals read", timeout=120)


def run(ctx):
    terminals = 3 if ctx.smoke else 100
    termsim = benchlib.Termsim(ctx, terminals, serial=10_000)
    cardd = benchlib.Cardd(ctx)
    cardd_s, bare_s, cardd_requests, bare_requests = [], [], [], []
    serial = 10_000
    try:
        names = cardd.add_terminals(termsim)
        cards = cardd.issue(10 if ctx.smoke else 100)
        for _ in range(ctx.repetitions):
            serial += terminals
            termsim.restart(serial=serial)
            accept_replacements(cardd, names)
            termsim.tap_records(RECORDS, cards)
            requests_before = termsim.stats()["requests"]
            started = time.monotonic()
            answer = cardd.cardctl("collect", "--devices", "all")
            cardd_s.append(time.monotonic() - started)
            stored = sum(c["stored"] for c in answer["arguments"]["collected"])
            if stored != terminals * RECORDS or answer["arguments"]["failed"]:
                raise benchlib.BenchError(f"cardd stored {stored} of {terminals * RECORDS} records, failed: "
                                          f"{answer['arguments']['failed'][:3]}")
            cardd_requests.append(termsim.stats()["requests"] - requests_before)

            serial += terminals
            termsim.restart(serial=serial)
            termsim.tap_records(RECORDS, cards)
            answer = benchlib.run_json([ctx.binary("bare_collect"), termsim.span()])
            if answer["records"] != terminals * RECORDS:
                raise benchlib.BenchError(f"bare_collect read {answer['records']} records")
            bare_s.append(answer["elapsed_s"])
            bare_requests.append(termsim.stats()["requests"])
    finally:
        cardd.stop()
        termsim.stop()
    med = benchlib.median
    params = {"terminals": terminals, "records_per_terminal": RECORDS}
    print(f"  cardd {med(cardd_s):.3f} s ({med(cardd_requests):.0f} requests), bare {med(bare_s):.3f} s "
          f"({med(bare_requests):.0f} requests)", flush=True)
    ctx.row(NAME, "time to collect every record", params, med(cardd_s), med(bare_s), False, TARGET, "s", cardd_s,
            bare_s, notes=f"cardd stores the records and their ledger entries; requests: cardd "
                          f"{med(cardd_requests):.0f}, bare {med(bare_requests):.0f}")
    ctx.row(NAME, "requests", params, med(cardd_requests), med(bare_requests), False, TARGET, "req",
            cardd_requests, bare_requests)
