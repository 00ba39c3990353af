#!/usr/bin/env bash
# The demo: sets up what it needs (ZooKeeper, .venv), then runs the fleet demo
# against a local 3-member ZooKeeper ensemble that it starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ -f demo/fleet.py ]]; then
    exec .venv/bin/python demo/fleet.py "$@"
fi
exec .venv/bin/python demo/ensemble.py "$@"
