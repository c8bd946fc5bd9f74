"""RS-485: a loss pushed to 1, 4 and 16 units on one RTU bus at 9600 and
115200 baud, 8E1. card-termsim serves every unit on one end of a socat
pseudo-terminal pair with --emulate-baud (each answer arrives when its last
byte would on a real wire), cardd drives the other end. Timed: the
`card-loss` request `cardctl card loss CARD --push --devices all` sends, on
an open control connection, until its answer; every unit checked by count
and checksum. Utilisation is the wire time of what a minimal correct
exchange needs (per unit one 0x17 that writes the ADD of one card and reads
back the confirming registers; 11 bits a character and the 3.5-character
silence, 1.75 ms above 19200 baud, between one frame and the next) over the
elapsed time; cardd's figure also holds whatever it sends besides, such as
a collection from a unit whose answer shows records waiting.
Then a resync: the store's lost cards made up to 10,000 (seed_store), every
unit restarted empty, one `resync` of all units timed on an open control
connection; its minimal exchange is the full sync wire_cost.hpp gives for
RTU (the units support bitmaps, so the shorter of list and bitmap), per
unit. Beside cardd, bare_rtu_master (libmodbus, C) does only the minimal
exchange on the same bus after cardd stopped. It does not keep the silence
before its next request, which a real bus needs (libmodbus sends at once),
so with more than one frame its figure can pass 1.0."""

import os
import subprocess

import benchlib

NAME = "rs485"
NEEDS = ["bin:cardd", "bin:cardctl", "bin:card-termsim", "bin:seed_store", "bin:bare_rtu_master",
         "bin:wire_cost_tool", "cmd:socat"]
TARGET = 0.9
RESYNC_CARDS = 10_000
RESYNC_CARDS_SMOKE = 300
# The units support bitmaps: cardd sends whichever full sync is shorter.
BITMAP_LIMIT = 16777215

# terminal-protocol.md: a command is opcode, tag, arg1, arg2 (u32 each), n,
# then the 24-bit cards packed in ceil(3n/2) registers; the registers that
# confirm it are 0x0006 to 0x001A (version, count, status, tag, checksum).
ADD_ONE_REGISTERS = 7 + 2
CONFIRM_REGISTERS = 0x001A - 0x0006 + 1
# RTU 0x17: unit, function, read start and quantity, write start and
# quantity, byte count, the written registers, CRC; the answer: unit,
# function, byte count, the read registers, CRC.
REQUEST_BYTES = 1 + 1 + 2 + 2 + 2 + 2 + 1 + 2 * ADD_ONE_REGISTERS + 2
RESPONSE_BYTES = 1 + 1 + 1 + 2 * CONFIRM_REGISTERS + 2


def silence_seconds(baud):
    """The 3.5-character silence that separates RTU frames, 1.75 ms above 19200 baud."""
    return 3.5 * 11 / baud if baud <= 19200 else 0.00175


def line_seconds(wire_bytes, frames, baud):
    """Wire time of `frames` frames of `wire_bytes` in all, back to back: every
    character, and the silence between one frame and the next (none after
    the last: the exchange is over when its last byte arrives)."""
    return wire_bytes * 11 / baud + max(frames - 1, 0) * silence_seconds(baud)


def minimal_push_seconds(units, baud):
    return line_seconds(units * (REQUEST_BYTES + RESPONSE_BYTES), 2 * units, baud)


class RtuBus(benchlib.Termsim):
    """card-termsim serving `count` units on one end of a socat pty pair."""

    def __init__(self, ctx, count, baud, serial):
        self.baud = baud
        self.socat = None
        self.bus_dir = ctx.scratch("rtu")
        self.master_end = os.path.join(self.bus_dir, "pty-cardd")
        self.terminal_end = os.path.join(self.bus_dir, "pty-terminals")
        super().__init__(ctx, count, serial=serial)

    def start(self, empty=False, serial=None):
        if serial is not None:
            self.serial = serial
        if self.socat is None:
            self.socat = subprocess.Popen(
                ["socat", "pty,raw,echo=0,link=" + self.terminal_end, "pty,raw,echo=0,link=" + self.master_end],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            benchlib.wait_for(lambda: os.path.exists(self.terminal_end) and os.path.exists(self.master_end),
                              "socat's pseudo-terminals")
        argv = [self.ctx.binary("card-termsim"), "--rtu", self.terminal_end, "--baud", str(self.baud), "--parity",
                "E", "--emulate-baud", "--serial", str(self.serial), "--control", self.control_path,
                "--capacity", str(RESYNC_CARDS + 1000), "--bitmap-limit", str(BITMAP_LIMIT)]
        for unit in range(1, self.count + 1):
            argv += ["--unit", str(unit)]
        log = open(os.path.join(self.dir, "termsim.log"), "ab")
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        if "listening" not in self.process.stdout.readline():
            raise benchlib.BenchError(f"card-termsim did not start on RTU: {self.log_tail()}")
        benchlib.wait_for(lambda: os.path.exists(self.control_path), "card-termsim's control socket")

    def close(self):
        self.stop()
        if self.socat:
            benchlib.stop_process(self.socat)
            self.socat = None


def minimal_resync_seconds(cost, units, baud):
    """Wire time of a full sync's commands (wire_cost_tool ... rtu) to each
    of `units`, one after another."""
    return line_seconds(units * cost["bytes"], 2 * units * cost["frames"], baud)


def utilisation_rows(ctx, what, params, minimal, elapsed, bare_elapsed, notes):
    med = benchlib.median
    utilisation = [minimal / e for e in elapsed]
    bare = [minimal / e for e in bare_elapsed]
    ctx.row(NAME, f"utilisation, {what}", params, med(utilisation), 1.0, True, TARGET, "", utilisation, [1.0],
            judged=params["baud"] == 9600, notes=notes)
    ctx.row(NAME, f"utilisation of the bare RTU master, {what}", params, med(bare), 1.0, True, TARGET, "", bare,
            [1.0], judged=False, notes="bare_rtu_master: the minimal exchange alone, on the same bus")
    ctx.row(NAME, f"{what} time", params, med(elapsed), med(bare_elapsed), False, TARGET, "s", elapsed,
            bare_elapsed, judged=False, notes=f"baseline: bare_rtu_master; minimal wire time {minimal:.4f} s")


def measure(ctx, baud, units):
    reps = ctx.repetitions
    resync_cards = RESYNC_CARDS_SMOKE if ctx.smoke else RESYNC_CARDS
    bus = RtuBus(ctx, units, baud, serial=50_000 + units)
    cardd = benchlib.Cardd(ctx)
    names = [f"rtu-{unit}" for unit in range(1, units + 1)]
    try:
        cards = cardd.seed(reps + 1, 0)
        for unit, name in enumerate(names, start=1):
            cardd.client.call_ok("device-add-terminal", {"name": name, "rtu": bus.master_end, "baud": baud,
                                                         "parity": "E", "unit": unit})
        # The first loss brings every unit level and reads its serial: not timed.
        cardd.cardctl("card", "loss", str(cards[0]), "--push", "--devices", "all", timeout=1800)
        lost = [cards[0]]
        benchlib.enforce_check(bus, lost, "after the first loss")
        elapsed, frames, wire_bytes = [], [], []
        for card in cards[1:]:
            before = bus.stats()
            elapsed.append(cardd.timed_loss(card)[1])
            lost.append(card)
            benchlib.enforce_check(bus, lost, f"after the loss of {card}")
            delta = benchlib.stats_delta(before, bus.stats())
            frames.append(delta["requests"])
            wire_bytes.append(delta["bytes"])

        # The resync: the store's lost cards made up to resync_cards, every
        # unit brought level in the background (not timed), then restarted
        # empty and resynced at once.
        extra = resync_cards - len(lost)
        lost += cardd.seed(extra, extra)
        benchlib.wait_level(bus, lost, "after the losses were seeded")
        cost = benchlib.run_json([ctx.binary("wire_cost_tool"), str(lost[0]), str(len(lost)), str(BITMAP_LIMIT),
                                  "rtu"])
        resync_s, resync_bytes = [], []
        for _ in range(reps):
            bus.restart(empty=True)
            before = bus.stats()
            resync_s.append(cardd.timed_call("resync", {"devices": names})[1])
            resync_bytes.append(benchlib.stats_delta(before, bus.stats())["bytes"])
            benchlib.enforce_check(bus, lost, "after the resync")
        # The bus is the bare master's now.
        cardd.stop()
        bare_push_s, bare_resync_s = [], []
        master = [ctx.binary("bare_rtu_master"), bus.master_end, str(baud), "E", str(units)]
        for rep in range(reps):
            bare_push_s.append(benchlib.run_json(master + ["add", str(15_000_000 + rep)])["elapsed_s"])
        for _ in range(reps):
            bus.restart(empty=True)
            bare_resync_s.append(benchlib.run_json(master + ["sync", cost["format"], str(lost[0]),
                                                             str(len(lost))], timeout=1800)["elapsed_s"])
            benchlib.enforce_check(bus, lost, "after bare_rtu_master's resync")
    finally:
        cardd.stop()
        bus.close()

    med = benchlib.median
    params = {"baud": baud, "units": units}
    minimal = minimal_push_seconds(units, baud)
    # The frames cardd sent (its collection's too): how close to the wire it drives the bus.
    sent = [line_seconds(b, 2 * f, baud) / e for b, f, e in zip(wire_bytes, frames, elapsed)]
    print(f"  {baud} baud, {units} units: loss push cardd {med(elapsed):.3f} s, bare master {med(bare_push_s):.3f} s, "
          f"minimal wire time {minimal:.3f} s, {med(frames):.0f} requests, {med(wire_bytes):.0f} B", flush=True)
    utilisation_rows(ctx, "loss push", params, minimal, elapsed, bare_push_s,
                     f"minimal {minimal:.4f} s ({units} x one 0x17 of {REQUEST_BYTES} + {RESPONSE_BYTES} B); cardd "
                     f"sent {med(frames):.0f} requests, {med(wire_bytes):.0f} B with its collection")
    ctx.row(NAME, "wire use of the frames sent, loss push", params, med(sent), 1.0, True, TARGET, "", sent, [1.0],
            judged=False, notes="wire time of every frame cardd and the units exchanged, over the elapsed time")

    resync_minimal = minimal_resync_seconds(cost["chosen"], units, baud)
    resync_params = dict(params, cards=len(lost), format=cost["format"])
    print(f"  {baud} baud, {units} units: resync of {len(lost)} cards as {cost['format']}: cardd "
          f"{med(resync_s):.3f} s {med(resync_bytes):.0f} B, bare master {med(bare_resync_s):.3f} s, minimal wire "
          f"time {resync_minimal:.3f} s ({units} x {cost['chosen']['bytes']} B)", flush=True)
    utilisation_rows(ctx, "resync", resync_params, resync_minimal, resync_s, bare_resync_s,
                     f"minimal {resync_minimal:.4f} s ({units} x {cost['chosen']['frames']} commands, "
                     f"{cost['chosen']['bytes']} B); cardd sent {med(resync_bytes):.0f} B")


def run(ctx):
    for baud in ([115200] if ctx.smoke else [9600, 115200]):
        for units in ([1] if ctx.smoke else [1, 4, 16]):
            measure(ctx, baud, units)
