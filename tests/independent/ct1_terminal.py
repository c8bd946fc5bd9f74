#!/usr/bin/env python3
"""A CT-1 consumption terminal over Modbus TCP, written from the CT-1 register
map (terminal-protocol.md) and the Modbus TCP specification alone, with the
Python 3.11 standard library only.

Readings of the places where the register map leaves a choice, as a firmware
writer would settle them:

- Unit id. Over TCP the terminal answers requests addressed to its own unit id
  (--unit), to 0xFF (the Modbus TCP "no routing" unit) and to 0 (which the
  Modbus TCP guide also allows for a device reached directly by address).
  Requests for any other unit id are not answered, as on a shared bus. A frame
  whose MBAP protocol id is not 0, or whose length field is outside 2..254,
  closes the connection.
- Order of checks for a request: function code (0x01), then quantity and byte
  count against the Modbus limits (0x03), then addresses (0x02), then the
  mailbox's own rules (a write at 0x0100 shorter than 7 registers: 0x03). For
  0x17 both halves are checked before anything is done; an exception means
  nothing changed.
- Reads may cover any registers inside one block (state block and model name
  together form one block, 0x0000 to 0x0027). The mailbox reads back the last
  command written to it, zero-filled.
- Record block writes: only the read cursor (0x0200, 0x0201) is writable, one
  or both registers; a write that touches 0x0202 or above is exception 0x02.
- Records read from the cursor: the records returned start at
  max(cursor, oldest held); k is how many held records follow from there, at
  most 10; the cursor register reads back as written. Each record carries its
  seq, so a reader always knows what it got.
- Record seqs of a new terminal start at 1 (oldest = next = 1).
- "n inconsistent with the write length": for ADD, REMOVE and the chunks the
  payload must be exactly ceil(3n/2) registers (list) or ceil(n/2) registers
  (bitmap); FULL_BEGIN must have n = 3 and exactly 3 payload registers. The
  commands without a payload ignore n and any extra registers.
- Card number limits: a list entry must be non-zero (24-bit packing already
  caps it at 0xFFFFFF). The bitmap limit applies to bitmaps: a set bit for a
  card above the limit, or for card 0, is BAD_ARGUMENT, and a bitmap
  FULL_BEGIN whose total is more bytes than the limit needs
  (limit // 8 + 1) is malformed. The bitmap limit is capped at 0xFFFFFF so
  that every card has its 3-byte form for the checksum.
- FULL_BEGIN: session id 0, a format other than 0 or 1, format 1 without
  capability bit 0, or a bad bitmap total is BAD_ARGUMENT; a list total above
  the capacity is CAPACITY. A rejected FULL_BEGIN leaves any earlier staging
  alone. The target version may be any u32.
- Chunks: checked for session (NO_SESSION), then format of the open session
  (a list chunk in a bitmap session or the reverse: BAD_ARGUMENT), then length
  consistency, then sequence (arg2 == received: append; arg2 + n <= received:
  OK_ALREADY, content not compared; anything else: SEQUENCE), then content
  (card 0, bits above the limit, running past the declared total:
  BAD_ARGUMENT, no change).
- FULL_COMMIT: INCOMPLETE is checked before the CRC. A staged set larger than
  the capacity is CAPACITY, staging discarded. A commit whose session id and
  CRC equal the last commit that succeeded, when no staging of that session is
  open, is OK_ALREADY; any other commit without its open session is
  NO_SESSION.
- FULL_ABORT: with no staging open, or with the named session open: OK (the
  staging discarded). With another session open: NO_SESSION, nothing changes.
- ADD and REMOVE: BAD_ARGUMENT checks first (length, card 0, new <= base),
  then enforced == new: OK_ALREADY; enforced == base: apply (capacity checked
  on the resulting set); otherwise VERSION_MISMATCH. A full sync staging open
  meanwhile does not stop them: they change the enforced set.
- BUSY is answered only when the control socket asked for it ("busy N": the
  next N commands), to let a test see how a sender retries.
- Persistence (--state): the enforced set, its version, the held records and
  their seqs, the per-card transaction counters, the clock offset and the last
  successful commit survive a restart; an open full sync staging does not
  (RAM). The state is written (and fsynced) before a response is sent.
- Taps (control socket "tap CARD AMOUNT BALANCE [COUNTER]"): a card on the
  enforced blacklist leaves a refused record (kind 3, amount 0, the balance as
  given, the counter unchanged); otherwise AMOUNT >= 0 leaves a purchase
  (kind 1), AMOUNT < 0 a refund (kind 2), and the card's transaction counter
  goes up by one (unless COUNTER is given). The terminal's clock stamps it.

Command line: --port, --host, --unit, --serial, --capacity, --bitmap-limit,
--state FILE, --status FILE, --control PATH. Prints "listening PORT" when it
serves; exits 0 on SIGTERM or SIGINT.

Control socket lines: "tap CARD AMOUNT BALANCE [COUNTER]" -> "ok purchase
seq=N" | "ok refund seq=N" | "ok refused seq=N"; "state" -> the status JSON;
"busy N" -> "ok"; "ping" -> "ok".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import struct
import sys
import time
import zlib

MAGIC = 0x4354
PROTOCOL_VERSION = 1
FIRMWARE_VERSION = (1 << 8) | 0
MODEL_NAME = b"PY-CT1-TERMINAL"

# Blocks: (first, last) register addresses.
STATE_FIRST, STATE_LAST = 0x0000, 0x0027
MAILBOX_FIRST, MAILBOX_LAST = 0x0100, 0x017A
RECORDS_FIRST, RECORDS_LAST = 0x0200, 0x027A
BLOCKS = ((STATE_FIRST, STATE_LAST), (MAILBOX_FIRST, MAILBOX_LAST), (RECORDS_FIRST, RECORDS_LAST))

# Modbus exception codes.
ILLEGAL_FUNCTION = 0x01
ILLEGAL_ADDRESS = 0x02
ILLEGAL_VALUE = 0x03

# Command statuses.
OK = 0
OK_ALREADY = 1
VERSION_MISMATCH = 2
CAPACITY = 3
BAD_ARGUMENT = 4
SEQUENCE = 5
NO_SESSION = 6
CRC_MISMATCH = 7
INCOMPLETE = 8
UNKNOWN_OPCODE = 9
BUSY = 10

STATUS_NAMES = {
    OK: "OK", OK_ALREADY: "OK_ALREADY", VERSION_MISMATCH: "VERSION_MISMATCH", CAPACITY: "CAPACITY",
    BAD_ARGUMENT: "BAD_ARGUMENT", SEQUENCE: "SEQUENCE", NO_SESSION: "NO_SESSION", CRC_MISMATCH: "CRC_MISMATCH",
    INCOMPLETE: "INCOMPLETE", UNKNOWN_OPCODE: "UNKNOWN_OPCODE", BUSY: "BUSY",
}

OP_ADD = 0x0001
OP_REMOVE = 0x0002
OP_FULL_BEGIN = 0x0010
OP_FULL_LIST_CHUNK = 0x0011
OP_FULL_BITMAP_CHUNK = 0x0012
OP_FULL_COMMIT = 0x0013
OP_FULL_ABORT = 0x0014
OP_RECORDS_ACK = 0x0020
OP_SET_CLOCK = 0x0021

OP_NAMES = {
    OP_ADD: "ADD", OP_REMOVE: "REMOVE", OP_FULL_BEGIN: "FULL_BEGIN", OP_FULL_LIST_CHUNK: "FULL_LIST_CHUNK",
    OP_FULL_BITMAP_CHUNK: "FULL_BITMAP_CHUNK", OP_FULL_COMMIT: "FULL_COMMIT", OP_FULL_ABORT: "FULL_ABORT",
    OP_RECORDS_ACK: "RECORDS_ACK", OP_SET_CLOCK: "SET_CLOCK",
}

KIND_PURCHASE = 1
KIND_REFUND = 2
KIND_REFUSED = 3

RECORD_REGS = 12
RECORDS_PER_READ = 10

U32 = 0xFFFFFFFF


def log(text: str) -> None:
    print(f"ct1[{os.getpid()}] {text}", file=sys.stderr, flush=True)


def split32(value: int) -> list[int]:
    value &= U32
    return [value >> 16, value & 0xFFFF]


def join32(high: int, low: int) -> int:
    return (high << 16) | low


def regs_to_bytes(regs: list[int]) -> bytes:
    return b"".join(struct.pack(">H", r) for r in regs)


def checksum(cards) -> int:
    """CRC-32 (zlib) over the set in ascending order, 3 bytes big-endian each; 0 when empty."""
    data = b"".join(c.to_bytes(3, "big") for c in sorted(cards))
    return zlib.crc32(data) & U32 if data else 0


def atomic_write(path: str, text: str, sync: bool) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        if sync:
            os.fsync(out.fileno())
    os.replace(tmp, path)


class Staging:
    def __init__(self, session: int, target: int, fmt: int, total: int):
        self.session = session
        self.target = target
        self.fmt = fmt  # 0 list, 1 bitmap
        self.total = total  # entries or bytes
        self.received = 0
        self.data = bytearray()  # the staged data as sent: 3-byte entries or bitmap bytes


class Terminal:
    def __init__(self, serial: int, capacity: int, bitmap_limit: int, state_path: str | None,
                 status_path: str | None):
        self.serial = serial
        self.capacity = capacity
        self.bitmap_limit = bitmap_limit
        self.capabilities = 1 if bitmap_limit > 0 else 0
        self.state_path = state_path
        self.status_path = status_path

        # Kept in flash.
        self.version = 0
        self.cards: set[int] = set()
        self.records: dict[int, tuple[int, int, int, int, int, int]] = {}  # seq -> (card, amount, balance, time, counter, kind)
        self.oldest = 1
        self.next = 1
        self.counters: dict[int, int] = {}
        self.clock_offset = 0
        self.last_commit: tuple[int, int] | None = None  # (session, crc)

        # RAM only.
        self.staging: Staging | None = None
        self.last_status = 0
        self.last_tag = 0
        self.cursor = 0
        self.mailbox = [0] * (MAILBOX_LAST - MAILBOX_FIRST + 1)
        self.busy = 0

        self.load()
        self.save_status()

    # ---- persistence ----

    def load(self) -> None:
        if not self.state_path or not os.path.exists(self.state_path):
            return
        with open(self.state_path, encoding="utf-8") as f:
            s = json.load(f)
        self.version = s["version"]
        self.cards = set(s["cards"])
        self.records = {r[0]: tuple(r[1:]) for r in s["records"]}
        self.oldest = s["oldest"]
        self.next = s["next"]
        self.counters = {int(k): v for k, v in s["counters"].items()}
        self.clock_offset = s["clock_offset"]
        self.last_commit = tuple(s["last_commit"]) if s["last_commit"] else None
        log(f"loaded {self.state_path}: version {self.version}, {len(self.cards)} cards, "
            f"records [{self.oldest}, {self.next})")

    def save(self) -> None:
        if self.state_path:
            s = {
                "serial": self.serial,
                "version": self.version,
                "cards": sorted(self.cards),
                "records": [[seq, *rec] for seq, rec in sorted(self.records.items())],
                "oldest": self.oldest,
                "next": self.next,
                "counters": {str(k): v for k, v in self.counters.items()},
                "clock_offset": self.clock_offset,
                "last_commit": list(self.last_commit) if self.last_commit else None,
            }
            atomic_write(self.state_path, json.dumps(s), sync=True)
        self.save_status()

    def status(self) -> dict:
        return {
            "serial": self.serial,
            "version": self.version,
            "count": len(self.cards),
            "checksum": checksum(self.cards),
            "cards": sorted(self.cards),
            "oldest": self.oldest,
            "next": self.next,
            "records_held": self.next - self.oldest,
            "full_sync": None if self.staging is None else {
                "session": self.staging.session, "format": "bitmap" if self.staging.fmt else "list",
                "total": self.staging.total, "received": self.staging.received},
            "last_status": self.last_status,
            "last_tag": self.last_tag,
        }

    def save_status(self) -> None:
        if self.status_path:
            atomic_write(self.status_path, json.dumps(self.status()), sync=False)

    # ---- registers ----

    def clock(self) -> int:
        return (int(time.time()) + self.clock_offset) & U32

    def state_block(self) -> list[int]:
        regs = [0] * (STATE_LAST - STATE_FIRST + 1)
        regs[0x00] = MAGIC
        regs[0x01] = PROTOCOL_VERSION
        regs[0x02:0x04] = split32(self.serial)
        regs[0x04] = FIRMWARE_VERSION
        regs[0x05] = self.capabilities
        regs[0x06:0x08] = split32(self.version)
        regs[0x08:0x0A] = split32(len(self.cards))
        regs[0x0A:0x0C] = split32(self.capacity)
        regs[0x0C:0x0E] = split32(self.bitmap_limit if self.capabilities & 1 else 0)
        regs[0x0E] = self.last_status
        regs[0x0F] = self.last_tag
        regs[0x10:0x12] = split32(self.oldest)
        regs[0x12:0x14] = split32(self.next)
        regs[0x14:0x16] = split32(self.clock())
        regs[0x16] = 0 if self.staging is None else 1
        regs[0x17:0x19] = split32(0 if self.staging is None else self.staging.received)
        regs[0x19:0x1B] = split32(checksum(self.cards))
        # 0x1B..0x1F reserved, 0.
        name = MODEL_NAME[:16].ljust(16, b"\0")
        for i in range(8):
            regs[0x20 + i] = (name[2 * i] << 8) | name[2 * i + 1]
        return regs

    def records_block(self) -> list[int]:
        regs = [0] * (RECORDS_LAST - RECORDS_FIRST + 1)
        regs[0:2] = split32(self.cursor)
        start = max(self.cursor, self.oldest)
        k = 0 if start >= self.next else min(RECORDS_PER_READ, self.next - start)
        regs[2] = k
        for i in range(k):
            seq = start + i
            card, amount, balance, when, counter, kind = self.records[seq]
            base = 3 + RECORD_REGS * i
            regs[base:base + RECORD_REGS] = [
                *split32(seq), *split32(card), *split32(amount & U32), *split32(balance),
                *split32(when), counter & 0xFFFF, kind]
        return regs

    def read(self, start: int, qty: int) -> list[int]:
        """Registers [start, start + qty); the caller checked the block."""
        if start <= STATE_LAST:
            block, first = self.state_block(), STATE_FIRST
        elif start <= MAILBOX_LAST:
            block, first = self.mailbox, MAILBOX_FIRST
        else:
            block, first = self.records_block(), RECORDS_FIRST
        return list(block[start - first:start - first + qty])

    @staticmethod
    def in_block(start: int, qty: int) -> bool:
        return any(first <= start and start + qty - 1 <= last for first, last in BLOCKS)

    def check_write(self, start: int, qty: int) -> int:
        """0 when the write is allowed, else the exception code."""
        if not self.in_block(start, qty):
            return ILLEGAL_ADDRESS
        if start <= STATE_LAST:
            return ILLEGAL_ADDRESS  # read-only
        if start <= MAILBOX_LAST:
            if start != MAILBOX_FIRST:
                return ILLEGAL_ADDRESS
            if qty < 7:
                return ILLEGAL_VALUE
            return 0
        if start + qty - 1 > RECORDS_FIRST + 1:
            return ILLEGAL_ADDRESS  # only the cursor is writable
        return 0

    def write(self, start: int, values: list[int]) -> None:
        """Does a write that check_write allowed."""
        if start == MAILBOX_FIRST:
            self.command(values)
            return
        cursor = split32(self.cursor)
        for i, value in enumerate(values):
            cursor[start - RECORDS_FIRST + i] = value
        self.cursor = join32(*cursor)

    # ---- commands ----

    def command(self, regs: list[int]) -> None:
        opcode, tag = regs[0], regs[1]
        arg1, arg2, n = join32(regs[2], regs[3]), join32(regs[4], regs[5]), regs[6]
        payload = regs[7:]
        if self.busy > 0:
            self.busy -= 1
            status = BUSY
        else:
            status = self.execute(opcode, arg1, arg2, n, payload)
        self.last_status = status
        self.last_tag = tag
        self.mailbox = list(regs) + [0] * (len(self.mailbox) - len(regs))
        log(f"command {OP_NAMES.get(opcode, hex(opcode))} tag={tag} arg1={arg1} arg2={arg2} n={n} "
            f"regs={len(payload)} -> {STATUS_NAMES[status]} (version {self.version}, {len(self.cards)} cards)")
        # Flash before the answer: a command that was answered survives a kill.
        self.save()

    @staticmethod
    def unpack_cards(payload: list[int], n: int) -> list[int] | None:
        if len(payload) != (3 * n + 1) // 2:
            return None
        data = regs_to_bytes(payload)
        return [int.from_bytes(data[3 * i:3 * i + 3], "big") for i in range(n)]

    def execute(self, opcode: int, arg1: int, arg2: int, n: int, payload: list[int]) -> int:
        if opcode in (OP_ADD, OP_REMOVE):
            return self.delta(opcode == OP_ADD, arg1, arg2, n, payload)
        if opcode == OP_FULL_BEGIN:
            return self.full_begin(arg1, arg2, n, payload)
        if opcode == OP_FULL_LIST_CHUNK:
            return self.chunk(0, arg1, arg2, n, payload)
        if opcode == OP_FULL_BITMAP_CHUNK:
            return self.chunk(1, arg1, arg2, n, payload)
        if opcode == OP_FULL_COMMIT:
            return self.full_commit(arg1, arg2)
        if opcode == OP_FULL_ABORT:
            if self.staging is not None and self.staging.session != arg1:
                return NO_SESSION
            self.staging = None
            return OK
        if opcode == OP_RECORDS_ACK:
            self.oldest = max(self.oldest, min(arg1, self.next))
            for seq in [s for s in self.records if s < self.oldest]:
                del self.records[seq]
            return OK
        if opcode == OP_SET_CLOCK:
            self.clock_offset = arg1 - int(time.time())
            return OK
        return UNKNOWN_OPCODE

    def delta(self, add: bool, base: int, new: int, n: int, payload: list[int]) -> int:
        cards = self.unpack_cards(payload, n)
        if cards is None or 0 in cards or new <= base:
            return BAD_ARGUMENT
        if self.version == new:
            return OK_ALREADY
        if self.version != base:
            return VERSION_MISMATCH
        result = self.cards | set(cards) if add else self.cards - set(cards)
        if len(result) > self.capacity:
            return CAPACITY
        self.cards = result
        self.version = new
        return OK

    def full_begin(self, session: int, target: int, n: int, payload: list[int]) -> int:
        if n != 3 or len(payload) != 3 or session == 0:
            return BAD_ARGUMENT
        fmt, total = payload[0], join32(payload[1], payload[2])
        if fmt == 0:
            if total > self.capacity:
                return CAPACITY
        elif fmt == 1:
            if not self.capabilities & 1 or total > self.bitmap_limit // 8 + 1:
                return BAD_ARGUMENT
        else:
            return BAD_ARGUMENT
        self.staging = Staging(session, target, fmt, total)
        return OK

    def chunk(self, fmt: int, session: int, offset: int, n: int, payload: list[int]) -> int:
        st = self.staging
        if st is None or st.session != session:
            return NO_SESSION
        if st.fmt != fmt:
            return BAD_ARGUMENT
        if fmt == 0:
            cards = self.unpack_cards(payload, n)
            if cards is None:
                return BAD_ARGUMENT
        else:
            if len(payload) != (n + 1) // 2:
                return BAD_ARGUMENT
            data = regs_to_bytes(payload)[:n]
        if offset != st.received:
            if offset + n <= st.received:
                return OK_ALREADY
            return SEQUENCE
        if st.received + n > st.total:
            return BAD_ARGUMENT
        if fmt == 0:
            if 0 in cards:
                return BAD_ARGUMENT
            st.data += b"".join(c.to_bytes(3, "big") for c in cards)
        else:
            for i, byte in enumerate(data):
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        card = 8 * (offset + i) + bit
                        if card == 0 or card > self.bitmap_limit:
                            return BAD_ARGUMENT
            st.data += data
        st.received += n
        return OK

    def full_commit(self, session: int, crc: int) -> int:
        st = self.staging
        if st is None or st.session != session:
            if self.last_commit == (session, crc):
                return OK_ALREADY
            return NO_SESSION
        self.staging = None  # committed or discarded: either way the staging ends here
        if st.received < st.total:
            return INCOMPLETE
        if (zlib.crc32(bytes(st.data)) & U32) != crc:
            return CRC_MISMATCH
        if st.fmt == 0:
            staged = {int.from_bytes(st.data[i:i + 3], "big") for i in range(0, len(st.data), 3)}
        else:
            staged = {8 * i + bit for i, byte in enumerate(st.data) for bit in range(8) if byte & (0x80 >> bit)}
        if len(staged) > self.capacity:
            return CAPACITY
        self.cards = staged
        self.version = st.target
        self.last_commit = (session, crc)
        return OK

    # ---- taps ----

    def tap(self, card: int, amount: int, balance: int, counter: int | None) -> tuple[str, int]:
        if card in self.cards:
            kind, amount = KIND_REFUSED, 0
            used = counter if counter is not None else self.counters.get(card, 0)
        else:
            kind = KIND_PURCHASE if amount >= 0 else KIND_REFUND
            used = counter if counter is not None else self.counters.get(card, 0) + 1
            self.counters[card] = used
        seq = self.next
        self.records[seq] = (card, amount, balance & U32, self.clock(), used & 0xFFFF, kind)
        self.next = (self.next + 1) & U32
        self.save()
        name = {KIND_PURCHASE: "purchase", KIND_REFUND: "refund", KIND_REFUSED: "refused"}[kind]
        log(f"tap card={card} amount={amount} balance={balance} counter={used} -> {name} seq={seq}")
        return name, seq


# ---- Modbus TCP ----

def exception(function: int, code: int) -> bytes:
    return bytes([function | 0x80, code])


def handle_pdu(term: Terminal, pdu: bytes) -> bytes:
    if not pdu:
        return exception(0, ILLEGAL_VALUE)
    function = pdu[0]
    if function == 0x03:
        if len(pdu) != 5:
            return exception(function, ILLEGAL_VALUE)
        start, qty = struct.unpack(">HH", pdu[1:5])
        if not 1 <= qty <= 125:
            return exception(function, ILLEGAL_VALUE)
        if not term.in_block(start, qty):
            return exception(function, ILLEGAL_ADDRESS)
        values = term.read(start, qty)
        return bytes([function, 2 * qty]) + regs_to_bytes(values)
    if function == 0x10:
        if len(pdu) < 6:
            return exception(function, ILLEGAL_VALUE)
        start, qty, count = struct.unpack(">HHB", pdu[1:6])
        if not 1 <= qty <= 123 or count != 2 * qty or len(pdu) != 6 + count:
            return exception(function, ILLEGAL_VALUE)
        code = term.check_write(start, qty)
        if code:
            return exception(function, code)
        values = list(struct.unpack(f">{qty}H", pdu[6:6 + count]))
        term.write(start, values)
        return struct.pack(">BHH", function, start, qty)
    if function == 0x17:
        if len(pdu) < 10:
            return exception(function, ILLEGAL_VALUE)
        rstart, rqty, wstart, wqty, count = struct.unpack(">HHHHB", pdu[1:10])
        if not 1 <= rqty <= 125 or not 1 <= wqty <= 121 or count != 2 * wqty or len(pdu) != 10 + count:
            return exception(function, ILLEGAL_VALUE)
        code = term.check_write(wstart, wqty)
        if code:
            return exception(function, code)
        if not term.in_block(rstart, rqty):
            return exception(function, ILLEGAL_ADDRESS)
        values = list(struct.unpack(f">{wqty}H", pdu[10:10 + count]))
        term.write(wstart, values)  # the write before the read
        read = term.read(rstart, rqty)
        return bytes([function, 2 * rqty]) + regs_to_bytes(read)
    return exception(function, ILLEGAL_FUNCTION)


async def serve_modbus(term: Terminal, unit: int, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:
    peer = writer.get_extra_info("peername")
    try:
        while True:
            header = await reader.readexactly(7)
            tid, pid, length, unit_id = struct.unpack(">HHHB", header)
            if pid != 0 or not 2 <= length <= 254:
                log(f"bad MBAP header from {peer}: protocol {pid} length {length}; closing")
                break
            pdu = await reader.readexactly(length - 1)
            if unit_id not in (unit, 0xFF, 0):
                log(f"request for unit {unit_id} from {peer}: not answered")
                continue
            answer = handle_pdu(term, pdu)
            if answer[0] & 0x80:
                log(f"function 0x{pdu[0]:02x} {pdu[1:].hex()} -> exception 0x{answer[1]:02x}")
            writer.write(struct.pack(">HHHB", tid, 0, len(answer) + 1, unit_id) + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def serve_control(term: Terminal, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            words = line.decode("utf-8", "replace").split()
            try:
                answer = control(term, words)
            except (ValueError, IndexError) as error:
                answer = f"error {error}"
            writer.write((answer + "\n").encode())
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def control(term: Terminal, words: list[str]) -> str:
    if not words:
        return "error empty line"
    if words[0] == "tap" and len(words) in (4, 5):
        card, amount, balance = int(words[1]), int(words[2]), int(words[3])
        counter = int(words[4]) if len(words) == 5 else None
        if not 0 < card <= U32 or not 0 <= balance <= U32:
            return "error bad card or balance"
        name, seq = term.tap(card, amount, balance, counter)
        return f"ok {name} seq={seq}"
    if words[0] == "state" and len(words) == 1:
        return json.dumps(term.status())
    if words[0] == "busy" and len(words) == 2:
        term.busy = int(words[1])
        return "ok"
    if words[0] == "ping":
        return "ok"
    return "error unknown command"


async def main_async(args: argparse.Namespace) -> int:
    term = Terminal(args.serial, args.capacity, args.bitmap_limit, args.state, args.status)
    server = await asyncio.start_server(lambda r, w: serve_modbus(term, args.unit, r, w), args.host, args.port,
                                        reuse_address=True)
    control_server = None
    if args.control:
        if os.path.exists(args.control):
            os.unlink(args.control)
        control_server = await asyncio.start_unix_server(lambda r, w: serve_control(term, r, w), args.control)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log(f"serial {args.serial} unit {args.unit} capacity {args.capacity} bitmap limit {args.bitmap_limit} "
        f"on {args.host}:{port}")
    print(f"listening {port}", flush=True)
    await stop.wait()
    server.close()
    if control_server is not None:
        control_server.close()
        try:
            os.unlink(args.control)
        except FileNotFoundError:
            pass
    log("stopped")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="A CT-1 consumption terminal on Modbus TCP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=502)
    parser.add_argument("--unit", type=int, default=1)
    parser.add_argument("--serial", type=int, default=1)
    parser.add_argument("--capacity", type=int, default=10000)
    parser.add_argument("--bitmap-limit", type=int, default=65535,
                        help="highest card a bitmap may cover; 0: no bitmap full sync")
    parser.add_argument("--state", help="file that keeps the blacklist, version and records across restarts")
    parser.add_argument("--status", help="JSON file rewritten after every change")
    parser.add_argument("--control", help="UNIX socket for tap/state/busy lines")
    args = parser.parse_args()
    if not 1 <= args.unit <= 247:
        parser.error("--unit must be 1 to 247")
    if not 0 < args.serial <= U32:
        parser.error("--serial must be a non-zero u32")
    if not 0 <= args.capacity <= U32:
        parser.error("--capacity must be a u32")
    if not 0 <= args.bitmap_limit <= 0xFFFFFF:
        parser.error("--bitmap-limit must be 0 to 0xFFFFFF")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
