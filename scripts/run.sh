#!/usr/bin/env bash
# `make run`: cardd on its embedded SQLite store under run/ in the checkout,
# with three simulated terminals (two on Modbus TCP, one on an RS-485 bus made
# of a socat pseudo-terminal pair) and a simulated encoder. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bin=$top/build/bin
run=$top/run
mkdir -p "$run"
sock=$run/cardd.sock
export CARDD_SOCKET=$sock

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_for() {  # wait_for PATH: until the file or socket exists
    for _ in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.1; done
    echo "run: $1 did not appear" >&2
    return 1
}

# The RS-485 bus: the terminal listens on one end, cardd opens the other.
rm -f "$run/bus-terminal" "$run/bus-cardd"
socat pty,raw,echo=0,link="$run/bus-terminal" pty,raw,echo=0,link="$run/bus-cardd" 2>"$run/socat.log" &
pids+=($!)
wait_for "$run/bus-terminal"
wait_for "$run/bus-cardd"

"$bin/card-termsim" --tcp 127.0.0.1:15021 --unit 1 --serial 1001 --capacity 10000 --bitmap-limit 500000 \
    --state "$run/canteen-1.state" --control "$run/canteen-1.ctl" >"$run/canteen-1.log" 2>&1 &
pids+=($!)
"$bin/card-termsim" --tcp 127.0.0.1:15022 --unit 1 --serial 1002 --capacity 10000 --bitmap-limit 500000 \
    --state "$run/canteen-2.state" --control "$run/canteen-2.ctl" >"$run/canteen-2.log" 2>&1 &
pids+=($!)
"$bin/card-termsim" --rtu "$run/bus-terminal" --baud 19200 --parity E --unit 3 --serial 1003 --capacity 10000 \
    --bitmap-limit 500000 --state "$run/kiosk-3.state" --control "$run/kiosk-3.ctl" >"$run/kiosk-3.log" 2>&1 &
pids+=($!)

# The console runs as its own user, which cardd lets do nothing but log in
# and act for a logged-in account: as root, that user is made once (as the
# package does) and the socket is given its group. The socket lives in a
# directory of its own under /run, which that user can reach wherever the
# checkout is.
console_user=cardd-console
console=no
if [ "$(id -u)" -eq 0 ]; then
    if ! id -u "$console_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$console_user"
    fi
    console=yes
    rundir=/run/cardd-make-run
    mkdir -p "$rundir"
    chmod 0755 "$rundir"
    sock=$rundir/cardd.sock
    export CARDD_SOCKET=$sock
fi
{
    echo "# Written by make run (scripts/run.sh)."
    if [ "$console" = yes ]; then
        echo "console_user = \"$console_user\""
        echo "socket_group = \"$console_user\""
    fi
} >"$run/cardd.conf"

"$bin/cardd" --config "$run/cardd.conf" --data-dir "$run" --socket "$sock" --log-level info 2>"$run/cardd.log" &
cardd_pid=$!
pids+=($cardd_pid)
wait_for "$sock"

cardctl() { "$bin/cardctl" --socket "$sock" "$@"; }
# Registered once; on a second `make run` the store already has them.
cardctl device add-terminal canteen-1 --tcp 127.0.0.1:15021 >/dev/null 2>&1 || true
cardctl device add-terminal canteen-2 --tcp 127.0.0.1:15022 >/dev/null 2>&1 || true
cardctl device add-terminal kiosk-3 --rtu "$run/bus-cardd" --baud 19200 --parity E --unit 3 >/dev/null 2>&1 || true
cardctl device add-encoder desk --sim >/dev/null 2>&1 || true

console_text="The staff console needs root (it runs as its own user): run make run as root to have it."
if [ "$console" = yes ]; then
    # Its certificate is made once in run/console and handed to the console's
    # user for each run, so the fingerprint a browser was told to trust stays.
    mkdir -p "$run/console"
    chmod 0700 "$run/console"
    "$bin/cardd-console" --config /dev/null --state-dir "$run/console" --check-config >/dev/null
    install -o "$console_user" -m 0600 "$run/console/console.key" "$rundir/console.key"
    install -o "$console_user" -m 0644 "$run/console/console.crt" "$rundir/console.crt"
    setpriv --reuid="$console_user" --regid="$console_user" --init-groups \
        "$bin/cardd-console" --config /dev/null --listen 127.0.0.1:8443 --socket "$sock" \
        --certificate "$rundir/console.crt" --private-key "$rundir/console.key" 2>"$run/console.log" &
    pids+=($!)
    fingerprint=$("$bin/cardd-console" --config /dev/null --state-dir "$run/console" --check-config | sed 's/.*SHA-256 //')
    console_text="The staff console: https://127.0.0.1:8443/ (self-signed certificate, SHA-256
$fingerprint). Make its first account, then log in with it:

  $bin/cardctl account add admin --role admin"
fi

cat <<TRY

cardd is running on $sock (data in $run, log in $run/cardd.log).
In another shell, try:

  export CARDD_SOCKET=$sock
  $bin/cardctl device list
  $bin/cardctl encoder sim-place --blank      # a blank card on the simulated encoder "desk"
  $bin/cardctl person add E001 --name 张三 --dept Kitchen --issue --card-no 1001 --opening 50
  $bin/cardctl card topup 1001 20.5           # the card is still on the encoder
  $bin/cardctl card read                      # what the card holds, compared with the store
  $bin/cardctl card loss 1001 --push --devices all
  $bin/cardctl failed
  echo "tap 1001 300 4750" | socat - UNIX-CONNECT:$run/canteen-1.ctl    # the card is refused
  $bin/cardctl encoder sim-place --blank      # the new card
  $bin/cardctl card replace 1001 --new-card-no 1002
  $bin/cardctl card info 1002 --read
  $bin/cardctl encoder sim-remove --after 14  # the card leaves in the middle of the next write
  $bin/cardctl card topup 1002 5 --wait 2     # the write stays pending
  $bin/cardctl pending
  $bin/cardctl encoder sim-place --uid UID    # the UID card info showed: placing it settles the write
  $bin/cardctl card read

$console_text

Ctrl-C stops cardd, the console and the simulators.
TRY
wait "$cardd_pid"
