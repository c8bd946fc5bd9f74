#!/usr/bin/env bash
# `make run`: starts cardd on its embedded SQLite store with simulated
# terminals and encoder, under run/ in the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/bin/cardd ]; then
    echo "cardd: the daemon is not part of this build yet; what is built:"
    ls build/bin
    echo "Run 'make check' to run the store and protocol test suites."
    exit 0
fi
