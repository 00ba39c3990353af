#!/usr/bin/env bash
# The chaos suite (integration/chaos) and the decoder fuzz (tests/fuzz) with soak counts.
#
# Defaults (each overridable from the environment): 5,000 lock handoffs, 200 faults in the lock
# scenario (a fifth / a quarter of them in the other recipes' and the asyncio scenarios),
# 250 reconnect cycles per watch-delivery mode, 20 ensemble kills/partitions, 1,000,000 fuzzed
# frames. Every scenario appends its figures (handoffs, faults by kind, violations, lost
# events, seeds) to $ZKRECIPES_CHAOS_REPORT (default soak-report.jsonl); the whole output
# goes to $ZKRECIPES_SOAK_LOG (default soak.log). Extra arguments go to pytest (e.g. -k lock, or -x).
# See docs/reliability.md for what each verdict checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
export ZKRECIPES_CHAOS_HANDOFFS=${ZKRECIPES_CHAOS_HANDOFFS:-5000}
export ZKRECIPES_CHAOS_FAULTS=${ZKRECIPES_CHAOS_FAULTS:-200}
export ZKRECIPES_CHAOS_CYCLES=${ZKRECIPES_CHAOS_CYCLES:-250}
export ZKRECIPES_CHAOS_ENSEMBLE_FAULTS=${ZKRECIPES_CHAOS_ENSEMBLE_FAULTS:-20}
export ZKRECIPES_FUZZ_FRAMES=${ZKRECIPES_FUZZ_FRAMES:-1000000}
export ZKRECIPES_SOAK_ROUNDS=${ZKRECIPES_SOAK_ROUNDS:-20}
export ZKRECIPES_CHAOS_REPORT=${ZKRECIPES_CHAOS_REPORT:-$PWD/soak-report.jsonl}
echo "soak: handoffs=$ZKRECIPES_CHAOS_HANDOFFS faults=$ZKRECIPES_CHAOS_FAULTS cycles=$ZKRECIPES_CHAOS_CYCLES" \
     "ensemble=$ZKRECIPES_CHAOS_ENSEMBLE_FAULTS fuzz=$ZKRECIPES_FUZZ_FRAMES report=$ZKRECIPES_CHAOS_REPORT"
start=$(date +%s)
set +e
PYTHONPATH=. "$PYTHON" -m pytest integration/chaos tests/fuzz -m slow -q -s "$@" 2>&1 | tee "${ZKRECIPES_SOAK_LOG:-soak.log}"
rc=${PIPESTATUS[0]}
set -e
if [[ -s $ZKRECIPES_CHAOS_REPORT ]]; then "$PYTHON" scripts/_soak_summary.py "$ZKRECIPES_CHAOS_REPORT"; fi
echo "soak: exit $rc after $(( $(date +%s) - start )) s; figures in $ZKRECIPES_CHAOS_REPORT"
exit "$rc"
