"""What the benchmarks share: the run's context, card-termsim and cardd as
real processes in a scratch directory on /dev/shm, the control socket with
pipelined requests, card seeding through the simulated encoder, and the
statistics and rows every benchmark reports."""

import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import zlib


class BenchError(Exception):
    """A benchmark could not run (a missing part, a process that failed)."""


# --- statistics -------------------------------------------------------------

def median(values):
    return statistics.median(values)


def percentile(values, p):
    """The p-th percentile (0..100), by linear interpolation between ranks."""
    ordered = sorted(values)
    if not ordered:
        raise BenchError("percentile of no values")
    rank = (len(ordered) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values):
    """min-max for a few repetitions, the interquartile range from 5 on."""
    if len(values) >= 5:
        return {"kind": "iqr", "low": percentile(values, 25), "high": percentile(values, 75)}
    return {"kind": "min-max", "low": min(values), "high": max(values)}


# --- the run ------------------------------------------------------------------

class Context:
    """One run of the suite: where the binaries are, how big and how often."""

    def __init__(self, bin_dir, smoke):
        self.bin = os.path.abspath(bin_dir)
        self.smoke = smoke
        self.repetitions = 1 if smoke else int(os.environ.get("CARDD_BENCH_REPETITIONS", "5"))
        root = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        self.root = tempfile.mkdtemp(prefix="cardd-bench-", dir=root)
        self.rows = []

    def scratch(self, name):
        path = tempfile.mkdtemp(prefix=name + "-", dir=self.root)
        return path

    def binary(self, name):
        path = os.path.join(self.bin, name)
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is missing (build the target bench_binaries)")
        return path

    def row(self, benchmark, metric, parameters, cardd, baseline, higher_is_better, target, unit,
            cardd_samples=None, baseline_samples=None, judged=True, notes=""):
        """One line of the table. cardd and baseline are the medians; the
        ratio is oriented so that >= 1.0 means cardd is at least as good."""
        if baseline is None:
            ratio = None
            judged = False
        elif higher_is_better:
            ratio = cardd / baseline if baseline else float("inf")
        else:
            ratio = baseline / cardd if cardd else float("inf")
        samples = cardd_samples or [cardd]
        row = {
            "benchmark": benchmark, "metric": metric, "parameters": parameters,
            "cardd": cardd, "baseline": baseline, "unit": unit, "ratio": ratio,
            "target": target, "met": (ratio >= target) if judged and not self.smoke else None,
            "median": median(samples), "spread": spread(samples), "repetitions": len(samples),
            "cardd_samples": samples, "baseline_samples": baseline_samples or ([] if baseline is None else [baseline]), "notes": notes,
        }
        self.rows.append(row)
        return row

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise BenchError(f"timed out waiting for {what}")


def stop_process(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_json(argv, timeout=600):
    """Runs a baseline or tool that prints one JSON object."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(argv[:3])} ... exited {result.returncode}: {result.stderr.strip()[:500]}")
    return json.loads(result.stdout)


def blacklist_checksum(cards):
    """CT-1's checksum of an enforced set: CRC-32 of the ascending cards, 3 bytes each."""
    data = b"".join(card.to_bytes(3, "big") for card in sorted(set(cards)))
    return zlib.crc32(data) if data else 0


def free_port_range(count):
    """A first port such that count ports from it are free, below the ephemeral range."""
    for _ in range(100):
        first = random.randint(10000, 32000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise BenchError(f"no run of {count} free ports")


# --- line clients -------------------------------------------------------------

class LineClient:
    """One connection to a Unix socket that answers line for line."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.reader = self.sock.makefile("r", encoding="utf-8")

    def ask_many(self, lines, window=1000):
        answers = []
        for start in range(0, len(lines), window):
            chunk = lines[start:start + window]
            self.sock.sendall("".join(line + "\n" for line in chunk).encode())
            for _ in chunk:
                answers.append(self.reader.readline().rstrip("\n"))
        return answers

    def close(self):
        self.reader.close()
        self.sock.close()


class ControlClient:
    """cardd's control socket: JSON requests, pipelined on one connection;
    progress lines (without "result") are skipped."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.reader = self.sock.makefile("r", encoding="utf-8")
        self.next_id = 1

    def call(self, command, arguments=None):
        return self.pipelined([(command, arguments or {})])[0]

    def call_ok(self, command, arguments=None):
        answer = self.call(command, arguments)
        if answer.get("result") != 0:
            raise BenchError(f"cardd {command}: {answer.get('text')}")
        return answer

    def pipelined(self, requests, window=500):
        answers = []
        for start in range(0, len(requests), window):
            chunk = requests[start:start + window]
            lines = []
            for command, arguments in chunk:
                lines.append(json.dumps({"command": command, "arguments": arguments, "id": self.next_id},
                                        ensure_ascii=False))
                self.next_id += 1
            self.sock.sendall(("\n".join(lines) + "\n").encode())
            while len(answers) < start + len(chunk):
                line = self.reader.readline()
                if not line:
                    raise BenchError("cardd closed the control socket")
                answer = json.loads(line)
                if "result" in answer:
                    answers.append(answer)
        return answers

    def close(self):
        self.reader.close()
        self.sock.close()


# --- processes ----------------------------------------------------------------

class Termsim:
    """One card-termsim process serving `count` TCP terminals on consecutive
    ports, with its control socket and request counts."""

    def __init__(self, ctx, count, serial=1, capacity=10000, bitmap_limit=0, state=False, first_port=None):
        self.ctx = ctx
        self.count = count
        self.serial = serial
        self.capacity = capacity
        self.bitmap_limit = bitmap_limit
        self.dir = ctx.scratch("termsim")
        self.state = os.path.join(self.dir, "state") if state else None
        self.control_path = os.path.join(self.dir, "control.sock")
        self.first_port = first_port
        self.process = None
        self.start()

    def start(self, empty=False, serial=None):
        """Starts (again); empty drops any kept flash, serial gives the terminals new serials."""
        if serial is not None:
            self.serial = serial
        if empty and self.state:
            shutil.rmtree(self.state, ignore_errors=True)
        if self.state:
            os.makedirs(self.state, exist_ok=True)
        for attempt in range(5):
            if self.first_port is None:
                self.first_port = free_port_range(self.count)
            argv = [self.ctx.binary("card-termsim"), "--terminals", str(self.count), "--base-port",
                    str(self.first_port), "--serial", str(self.serial), "--capacity", str(self.capacity),
                    "--bitmap-limit", str(self.bitmap_limit), "--control", self.control_path]
            if self.state:
                argv += ["--state", self.state]
            log = open(os.path.join(self.dir, "termsim.log"), "ab")
            self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
            log.close()
            line = self.process.stdout.readline()
            if "listening" in line:
                wait_for(lambda: os.path.exists(self.control_path), "card-termsim's control socket")
                return
            self.process.wait()
            self.first_port = None  # taken meanwhile: another range
        raise BenchError(f"card-termsim did not start: {self.log_tail()}")

    def stop(self):
        if self.process:
            stop_process(self.process)
            self.process.stdout.close()
            self.process = None

    def restart(self, empty=False, serial=None):
        self.stop()
        self.start(empty=empty, serial=serial)

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "termsim.log"), "rb") as f:
                return f.read()[-1000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def ports(self):
        return range(self.first_port, self.first_port + self.count)

    def span(self):
        """HOST:FIRST-LAST, as the baselines take the terminals."""
        return f"127.0.0.1:{self.first_port}-{self.first_port + self.count - 1}"

    def ask(self, lines):
        client = LineClient(self.control_path)
        try:
            return client.ask_many(lines)
        finally:
            client.close()

    def stats(self):
        return json.loads(self.ask(["stats"])[0])

    def states(self):
        return [json.loads(answer) for answer in self.ask([f"@{i} state" for i in range(self.count)])]

    def tap_records(self, records_per_terminal, cards):
        """Purchases at every terminal: records_per_terminal each, cycling over cards."""
        lines = []
        for terminal in range(self.count):
            for n in range(records_per_terminal):
                card = cards[(terminal + n) % len(cards)]
                lines.append(f"@{terminal} tap {card} 100 {100000 - n}")
        bad = [answer for answer in self.ask(lines) if not answer.startswith("ok purchase")]
        if bad:
            raise BenchError(f"card-termsim refused taps: {bad[:3]}")


class Cardd:
    """cardd on its SQLite store in a scratch directory, with the simulated
    encoder "desk"; short timeouts, no periodic work (the benchmarks ask)."""

    SETTINGS = {
        "retry_initial_s": "3600", "retry_cap_s": "3600", "modbus_timeout_ms": "1000",
        "collect_timeout_ms": "60000", "push_timeout_ms": "120000", "collect_interval_s": "0",
        "audit_interval_s": "0", "log_level": '"info"', "card_wait_s": "60",
    }

    def __init__(self, ctx, settings=None):
        self.ctx = ctx
        self.dir = ctx.scratch("cardd")
        self.socket = os.path.join(self.dir, "cardd.sock")
        self.log_path = os.path.join(self.dir, "cardd.log")
        config = dict(self.SETTINGS, **(settings or {}))
        self.config = os.path.join(self.dir, "cardd.conf")
        with open(self.config, "w") as f:
            for key, value in config.items():
                f.write(f"{key} = {value}\n")
        self.process = None
        self.encoder_added = False
        self.cards = []  # issued card numbers, in order
        self.people = 0
        self.start()

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.ctx.binary("cardd"), "--config", self.config, "--data-dir", os.path.join(self.dir, "data"),
             "--socket", self.socket], stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        line = self.process.stdout.readline()
        if line.strip() != f"cardd: serving {self.socket}":
            self.process.wait(10)
            raise BenchError(f"cardd did not start ({line.strip()!r}): {self.log_tail()}")
        self.client = ControlClient(self.socket)

    def log_tail(self, size=2000):
        with open(self.log_path, "rb") as f:
            return f.read()[-size:].decode("utf-8", "replace")

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cardctl(self, *args, timeout=600):
        argv = [self.ctx.binary("cardctl"), "--socket", self.socket, "--json", *args]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise BenchError(f"cardctl {' '.join(args)[:200]} exited {result.returncode}: "
                             f"{result.stdout[-500:]} {result.stderr[-500:]}")
        return json.loads(result.stdout)

    def timed_call(self, command, arguments):
        """One request on an open control connection (no process start in
        the time), which must succeed: its start in Unix time and its
        seconds to the answer."""
        # A connection of its own each time: cardd closes one idle for 30 s.
        client = ControlClient(self.socket)
        try:
            started_unix = time.time()
            started = time.monotonic()
            client.call_ok(command, arguments)
            return started_unix, time.monotonic() - started
        finally:
            client.close()

    def timed_loss(self, card):
        """timed_call of the `card-loss` request `cardctl card loss CARD
        --push --devices all` sends."""
        return self.timed_call("card-loss", {"card_no": card, "push": True, "devices": "all"})

    def add_terminals(self, termsim, prefix="t"):
        """Registers every terminal of termsim as PREFIX-PORT; gives the names."""
        names = [f"{prefix}-{port}" for port in termsim.ports()]
        requests = [("device-add-terminal", {"name": name, "tcp": f"127.0.0.1:{port}"})
                    for name, port in zip(names, termsim.ports())]
        bad = [a for a in self.client.pipelined(requests) if a["result"] != 0]
        if bad:
            raise BenchError(f"device-add-terminal: {bad[0].get('text')}")
        return names

    def issue(self, count, first_card=None):
        """Issues count more cards with the simulated encoder, 500 per
        batch through pipelined requests; gives their numbers."""
        if not self.encoder_added:
            self.client.call_ok("device-add-encoder", {"name": "desk", "sim": True})
            self.encoder_added = True
        start_card = first_card or (self.cards[-1] + 1 if self.cards else 1)
        people = [("person-add", {"staff_no": f"B{self.people + n:07d}", "name": f"Bench {self.people + n}"})
                  for n in range(count)]
        bad = [a for a in self.client.pipelined(people) if a["result"] != 0]
        if bad:
            raise BenchError(f"person-add: {bad[0].get('text')}")
        rows = [{"staff_no": f"B{self.people + n:07d}", "card_no": start_card + n, "opening": 10}
                for n in range(count)]
        self.people += count
        for start in range(0, count, 500):
            batch = rows[start:start + 500]
            self.client.call_ok("encoder-sim-place", {"encoder": "desk", "blank": True, "count": len(batch)})
            answer = self.client.call("card-issue-batch", {"rows": batch, "encoder": "desk", "wait_s": 120})
            if answer.get("result") != 0:
                raise BenchError(f"card-issue-batch: {answer.get('text')}")
        issued = [row["card_no"] for row in rows]
        self.cards += issued
        return issued

    def seed(self, count, lost, stride=1):
        """count more people and cards, `lost` of them (the first, or every
        stride-th from the first) reported lost everywhere, written by
        seed_store into the stopped store; cardd is started again on it.
        Gives the new cards' numbers."""
        first = self.cards[-1] + 1 if self.cards else 1
        self.stop()
        try:
            run_json([self.ctx.binary("seed_store"), "sqlite:" + self.sqlite_file(), str(first), str(count),
                      str(lost), str(stride)], timeout=3600)
        finally:
            self.start()
        new = list(range(first, first + count))
        self.cards += new
        return new

    def sqlite_file(self):
        return os.path.join(self.dir, "data", "cardd.sqlite")

    def store_bytes(self):
        """The SQLite store's size on disk, its write-ahead log included."""
        return sum(os.path.getsize(self.sqlite_file() + suffix) for suffix in ("", "-wal")
                   if os.path.exists(self.sqlite_file() + suffix))

    def stop(self):
        if self.process:
            self.client.close()
            stop_process(self.process, timeout=30)
            self.process.stdout.close()
            self.process = None


def resident_bytes(pid):
    """(VmRSS, VmHWM) of a process: resident now and at its peak since the
    last reset_peak_rss."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


def reset_peak_rss(pid):
    """Starts a new peak for VmHWM (clear_refs 5, Linux 4.0 and later)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def raise_descriptor_limit(wanted):
    """Lets this process and its children hold `wanted` descriptors: the
    soft limit up to the hard one, and the hard one too where root may."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted and os.geteuid() == 0:
        hard = wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        raise BenchError(f"this process may open {target} files, {wanted} needed (RLIMIT_NOFILE)")


class MariadbServer:
    """A private mariadbd on a Unix socket in the scratch directory, its data
    there too, durable as a site runs it (every commit flushed); stopped
    with the run."""

    def __init__(self, ctx):
        for program in ("mariadb-install-db", "mariadbd", "mariadb"):
            if shutil.which(program) is None:
                raise BenchError(f"{program} is not installed (make deps installs mariadb-server)")
        self.dir = ctx.scratch("mariadb")
        self.socket = os.path.join(self.dir, "mariadb.sock")
        data = os.path.join(self.dir, "data")
        tmp = os.path.join(self.dir, "tmp")
        os.makedirs(tmp)
        options = ["--innodb-buffer-pool-size=128M", "--innodb-flush-log-at-trx-commit=1", "--skip-log-bin",
                   "--skip-name-resolve", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
                   "--tmpdir=" + tmp]
        if os.geteuid() == 0:
            options.append("--user=root")  # mariadbd refuses to run as root otherwise
        install = subprocess.run(["mariadb-install-db", "--no-defaults", "--datadir=" + data,
                                  "--auth-root-authentication-method=normal", "--skip-test-db"] + options,
                                 capture_output=True, text=True, timeout=300)
        if install.returncode != 0:
            raise BenchError(f"mariadb-install-db failed: {install.stderr.strip()[-500:]}")
        self.log_path = os.path.join(self.dir, "error.log")
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--datadir=" + data, "--socket=" + self.socket, "--skip-networking",
             "--pid-file=" + os.path.join(self.dir, "mariadbd.pid"), "--log-error=" + self.log_path] + options,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, "mariadbd to answer", timeout=60)

    def _answers(self):
        if self.process.poll() is not None:
            with open(self.log_path, errors="replace") as f:
                raise BenchError(f"mariadbd exited during start-up: {f.read()[-500:]}")
        return os.path.exists(self.socket) and self.sql("SELECT 1", check=False) == 0

    def sql(self, statement, check=True):
        result = subprocess.run(["mariadb", "--no-defaults", "--socket=" + self.socket, "--user=root",
                                 "-e", statement], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise BenchError(f"mariadb: {statement}: {result.stderr.strip()[:300]}")
        return result.returncode

    def database(self, name):
        """A new, empty database; its URL for cardd and the store tools."""
        self.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        return f"mariadb://root@localhost/{name}?socket={self.socket}"

    def stop(self):
        stop_process(self.process, timeout=60)


def terminals_behind(states, cards):
    """The states of terminals that do not enforce exactly `cards` (count and checksum)."""
    want_count = len(set(cards))
    want_checksum = blacklist_checksum(cards)
    return [s for s in states if s["count"] != want_count or s["checksum"] != want_checksum]


def wait_level(termsim, cards, what, indices=None, timeout=3600):
    """Until every terminal of termsim (or those at `indices`) enforces
    exactly `cards`, count and checksum; a BenchError after `timeout` s."""
    indices = list(range(termsim.count)) if indices is None else list(indices)
    deadline = time.monotonic() + timeout
    while True:
        states = [json.loads(answer) for answer in termsim.ask([f"@{i} state" for i in indices])]
        behind = terminals_behind(states, cards)
        if not behind:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: {len(behind)} of {len(indices)} terminals still behind after {timeout} s "
                             f"(the first holds {behind[0]['count']} cards)")
        time.sleep(0.2)


def enforce_check(termsim, cards, what):
    """Every terminal of termsim enforces exactly `cards`: count and checksum."""
    states = termsim.states()
    wrong = terminals_behind(states, cards)
    if wrong:
        raise BenchError(f"{what}: {len(wrong)} of {len(states)} terminals do not hold the {len(set(cards))} "
                         f"cards (first: count {wrong[0]['count']}, version {wrong[0]['version']})")
    return states


def terminal_delta(before, after):
    """Per-terminal request counts and last request time between two stats."""
    old = {t["index"]: t for t in before["terminals"]}
    out = []
    for t in after["terminals"]:
        o = old.get(t["index"], {})
        out.append({"requests": t["requests"] - o.get("requests", 0),
                    "bytes": t["bytes_in"] + t["bytes_out"] - o.get("bytes_in", 0) - o.get("bytes_out", 0),
                    "last_request_at": t.get("last_request_at")})
    return out


def stats_delta(before, after):
    delta = {"requests": after["requests"] - before["requests"],
             "bytes_in": after["bytes_in"] - before["bytes_in"],
             "bytes_out": after["bytes_out"] - before["bytes_out"], "by_kind": {}}
    for kind, n in after.get("by_kind", {}).items():
        delta["by_kind"][kind] = n - before.get("by_kind", {}).get(kind, 0)
    delta["bytes"] = delta["bytes_in"] + delta["bytes_out"]
    return delta
