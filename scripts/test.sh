#!/usr/bin/env bash
# The test command: sets up what it needs, checks types and lint, then runs the
# unit tests and the integration tests against a real ZooKeeper that the test
# harness starts itself (or the one named by ZK_HOSTS). Extra arguments go to
# pytest, e.g. `bash scripts/test.sh -m "not slow"` or `-k lock`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check zkrecipes tests integration benchmarks demo
echo "== mypy --strict zkrecipes"
.venv/bin/mypy zkrecipes
.venv/bin/mypy tests/typing  # the public API's types (assert_type, misuse must stay an error)

echo "== pytest"
# Long chaos/soak scenarios (-m slow) run with bounded counts in CI.
export ZKRECIPES_SOAK_ROUNDS=${ZKRECIPES_SOAK_ROUNDS:-3}
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [[ $rc == 5 ]]; then
    echo "pytest collected no tests: failing" >&2
    exit 1
fi
exit $rc
