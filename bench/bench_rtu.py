"""RS-485: a loss pushed to 1, 4 and 16 units on one RTU bus at 9600 and
115200 baud, 8E1. card-termsim serves every unit on one end of a socat
pseudo-terminal pair with --emulate-baud (it answers after the exchange's
time on a real wire), cardd drives the other end. Timed: the `card-loss`
request `cardctl card loss CARD --push --devices all` sends, on an open
control connection, until its answer; every unit checked by count and
checksum. Utilisation is the wire time of what a minimal correct exchange
needs (per unit one 0x17 that writes the ADD of one card and reads back the
confirming registers, 11 bits a character, the 3.5-character gap or 1.75 ms
above 19200 baud per frame) over the elapsed time; cardd's figure also holds
whatever it sends besides, such as a collection from a unit whose answer
shows records waiting.
The 10,000-card resync over RTU and a bare RTU master beside cardd at 115200
are not measured yet."""

import os
import subprocess

import benchlib

NAME = "rs485"
NEEDS = ["bin:cardd", "bin:cardctl", "bin:card-termsim", "bin:seed_store", "cmd:socat"]
TARGET = 0.9

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


def frame_seconds(size, baud):
    character = 11 / baud
    gap = 3.5 * character if baud <= 19200 else 0.00175
    return size * character + gap


def minimal_push_seconds(units, baud):
    return units * (frame_seconds(REQUEST_BYTES, baud) + frame_seconds(RESPONSE_BYTES, baud))


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
                "E", "--emulate-baud", "--serial", str(self.serial), "--control", self.control_path]
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


def measure(ctx, baud, units):
    reps = ctx.repetitions
    bus = RtuBus(ctx, units, baud, serial=50_000 + units)
    cardd = benchlib.Cardd(ctx)
    try:
        cards = cardd.seed(reps + 1, 0)
        for unit in range(1, units + 1):
            cardd.client.call_ok("device-add-terminal", {"name": f"rtu-{unit}", "rtu": bus.master_end,
                                                         "baud": baud, "parity": "E", "unit": unit})
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
    finally:
        cardd.stop()
        bus.close()

    med = benchlib.median
    minimal = minimal_push_seconds(units, baud)
    utilisation = [minimal / e for e in elapsed]
    # The frames cardd sent (its collection's too): how close to the wire it drives the bus.
    sent = [(b * 11 / baud + 2 * f * frame_seconds(0, baud)) / e for b, f, e in zip(wire_bytes, frames, elapsed)]
    params = {"baud": baud, "units": units}
    print(f"  {baud} baud, {units} units: cardd {med(elapsed):.3f} s, minimal wire time {minimal:.3f} s, "
          f"utilisation {med(utilisation):.2f} (of the frames sent {med(sent):.2f}), {med(frames):.0f} requests, "
          f"{med(wire_bytes):.0f} B", flush=True)
    ctx.row(NAME, "utilisation, loss push", params, med(utilisation), 1.0, True, TARGET, "", utilisation, [1.0],
            judged=baud == 9600,
            notes=f"minimal {minimal:.4f} s ({units} x one 0x17 of {REQUEST_BYTES} + {RESPONSE_BYTES} B); cardd "
                  f"sent {med(frames):.0f} requests, {med(wire_bytes):.0f} B with its collection")
    ctx.row(NAME, "wire use of the frames sent", params, med(sent), 1.0, True, TARGET, "", sent, [1.0],
            judged=False, notes="wire time of every frame cardd and the units exchanged, over the elapsed time")
    ctx.row(NAME, "loss push time", params, med(elapsed), minimal, False, TARGET, "s", elapsed, [minimal],
            judged=False, notes="baseline: the minimal exchange's wire time")


def run(ctx):
    for baud in ([115200] if ctx.smoke else [9600, 115200]):
        for units in ([1] if ctx.smoke else [1, 4, 16]):
            measure(ctx, baud, units)
