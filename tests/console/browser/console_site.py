"""A card centre on this machine for the console's browser tests: real
card-termsim terminals on Modbus TCP, a real cardd on a SQLite store with a
simulated encoder, a real cardd-console running as its own uid, and headless
Chromium driven by chromedriver. Everything lives in one scratch directory and
is stopped at the end; a missing part fails loudly."""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CONSOLE_UID = 54340  # the console's user: cardd.conf console_user
USERS_GID = 100      # group "users": the socket's group, so the console reaches it


def free_port():
    for _ in range(200):
        port = random.randint(10000, 32000)
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Site:
    def __init__(self, bin_dir, idle_s=900):
        if os.geteuid() != 0:
            raise RuntimeError("the console's site runs as root: the console runs as its own uid")
        self.bin = bin_dir
        # The console runs as another uid, which must reach its binary and
        # cardd's socket: both live in a scratch directory under /tmp (or
        # $CARDD_SITE_TMPDIR), not under a build tree that may be private.
        root = os.environ.get("CARDD_SITE_TMPDIR", tempfile.gettempdir())
        self.dir = tempfile.mkdtemp(prefix="console-site-", dir=root)
        os.chmod(self.dir, 0o755)
        self.console_binary = os.path.join(self.dir, "cardd-console")
        shutil.copy2(f"{bin_dir}/cardd-console", self.console_binary)
        os.chmod(self.console_binary, 0o755)
        self.socket = os.path.join(self.dir, "cardd.sock")
        self.processes = {}
        self.terminal_ports = {}
        self.idle_s = idle_s
        self.console_port = free_port()
        self.url = f"https://127.0.0.1:{self.console_port}/"
        self.driver = None
        self.logs = []  # the processes' log files, closed at the end

    def _log_file(self, name):
        log = open(os.path.join(self.dir, f"{name}.log"), "ab")
        self.logs.append(log)
        return log

    # --- processes -------------------------------------------------------

    def start_terminal(self, name, serial, port=None):
        port = port or self.terminal_ports.get(name) or free_port()
        self.terminal_ports[name] = port
        log = self._log_file(name)
        self.processes[name] = subprocess.Popen(
            [f"{self.bin}/card-termsim", "--tcp", f"127.0.0.1:{port}", "--unit", "1", "--serial", str(serial),
             "--state", os.path.join(self.dir, f"{name}.state")], stdout=log, stderr=log)
        wait_for(lambda: self._listening(port), f"terminal {name} on port {port}")
        return port

    def stop(self, name):
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def start_cardd(self):
        config = os.path.join(self.dir, "cardd.conf")
        with open(config, "w") as f:
            f.write(f'console_user = "{CONSOLE_UID}"\n'
                    f'socket_group = "users"\n'
                    f'console_session_idle_s = {self.idle_s}\n'
                    'retry_initial_s = 3600\n'
                    'push_timeout_ms = 3000\n'
                    'collect_timeout_ms = 3000\n'
                    'modbus_timeout_ms = 500\n'
                    'card_wait_s = 20\n')
        log = self._log_file("cardd")
        self.processes["cardd"] = subprocess.Popen(
            [f"{self.bin}/cardd", "--config", config, "--data-dir", os.path.join(self.dir, "data"),
             "--socket", self.socket, "--log-level", "info"], stdout=log, stderr=log)
        wait_for(lambda: os.path.exists(self.socket) and self.cardctl_ok("status"), "cardd's socket")

    def start_console(self):
        state = os.path.join(self.dir, "console-state")
        os.makedirs(state, exist_ok=True)
        os.chown(state, CONSOLE_UID, CONSOLE_UID)
        log = self._log_file("console")
        self.processes["console"] = subprocess.Popen(
            [self.console_binary, "--listen", f"127.0.0.1:{self.console_port}", "--socket", self.socket,
             "--state-dir", state, "--config", "/dev/null"],
            stdout=log, stderr=log, user=CONSOLE_UID, group=CONSOLE_UID, extra_groups=[USERS_GID])
        wait_for(lambda: self._listening(self.console_port), "the console's port")

    @staticmethod
    def _listening(port):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    # --- cardctl, as root (admin on the socket) ---------------------------

    def cardctl(self, *args, stdin=None, check=True):
        result = subprocess.run([f"{self.bin}/cardctl", "--socket", self.socket, "--json", *args],
                                input=stdin, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"cardctl {' '.join(args)} failed ({result.returncode}): {result.stdout} {result.stderr}")
        try:
            return json.loads(result.stdout)
        except ValueError:
            return {"stdout": result.stdout, "stderr": result.stderr, "status": result.returncode}

    def pipelined(self, requests, window=500):
        """Sends control-socket requests on one connection, `window` at a
        time, and gives their answers in order (loading a site's data)."""
        answers = []
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.socket)
            reader = s.makefile("r", encoding="utf-8")
            for start in range(0, len(requests), window):
                chunk = requests[start:start + window]
                s.sendall("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode())
                while len(answers) < start + len(chunk):
                    line = json.loads(reader.readline())
                    if "result" in line:
                        answers.append(line)
        return answers

    def cardctl_ok(self, *args):
        try:
            self.cardctl(*args)
            return True
        except (AssertionError, subprocess.TimeoutExpired):
            return False

    def add_account(self, name, role, password):
        self.cardctl("account", "add", name, "--role", role, "--password-stdin", stdin=password + "\n")

    def card(self, card_no):
        return self.cardctl("card", "info", str(card_no))["arguments"]["card"]

    # --- the browser -------------------------------------------------------

    def open_browser(self, language="zh-CN"):
        for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
            if not os.access(tool, os.X_OK):
                raise RuntimeError(f"{tool} is missing (Debian packages chromium, chromium-driver; run make deps)")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,1000", f"--lang={language}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        # The console's certificate is self-signed, made at its first start.
        options.accept_insecure_certs = True
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_script_timeout(30)
        return self.driver

    def close(self):
        if self.driver:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None
        for name in list(self.processes):
            self.stop(name)
        for log in self.logs:
            log.close()
        if os.environ.get("CARDD_KEEP_TEST_DIR") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
