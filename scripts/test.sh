#!/usr/bin/env bash
# The test command: sets up what it needs, checks types and lint, then runs the
# unit tests and the integration tests against a real ZooKeeper that the test
# harness starts itself (or the one named by ZK_HOSTS). Extra arguments go to
# pytest, e.g. `bash scripts/test.sh -m "not slow"` or `-k lock`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# --- Docker (docs/testing.md, "Containers"): an engine and the local ZooKeeper image, so the
# container tests really run. What this run starts it stops at exit, also on failure.
# ZKRECIPES_DOCKER=0 skips it all (container tests then skip, or fail under CI).
export ZKRECIPES_DOCKER_RUN_ID=${ZKRECIPES_DOCKER_RUN_ID:-test-$$-$(date +%s)}
docker_ready=0
if [[ ${ZKRECIPES_DOCKER:-1} != 0 ]]; then
    trap 'bash scripts/docker-engine.sh down || true' EXIT
    trap 'exit 130' INT; trap 'exit 143' TERM   # so that a signal also runs the EXIT trap
    if bash scripts/docker-engine.sh up && zk_image=$(bash scripts/docker-engine.sh image); then
        export ZKRECIPES_ZK_IMAGE=${ZKRECIPES_ZK_IMAGE:-$zk_image}
        export ZKRECIPES_REQUIRE_DOCKER=1   # an engine answers: container tests must not skip
        docker_ready=1
    elif [[ ${CI:-} =~ ^(1|true|yes)$ || $(id -u) == 0 ]]; then
        echo "Docker engine or ZooKeeper image not available (see above): failing" >&2
        exit 1
    else
        echo "Docker engine or ZooKeeper image not available (see above): container tests will skip" >&2
    fi
fi

echo "== ruff"
.venv/bin/ruff check zkrecipes tests integration benchmarks demo
echo "== mypy --strict zkrecipes"
.venv/bin/mypy zkrecipes
.venv/bin/mypy tests/typing  # the public API's types (assert_type, misuse must stay an error)
echo "== docs (mkdocs --strict)"; bash scripts/docs.sh

echo "== pytest"
export ZKRECIPES_REQUIRE_CURATOR=${ZKRECIPES_REQUIRE_CURATOR:-1}   # the Curator interop suite must run, not skip
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
# --- Docker: the client integration tests once more, the server in a container
# (the plugin's container path). Only for a full run (no pytest arguments).
if [[ $rc == 0 && $docker_ready == 1 && $# == 0 && ${ZKRECIPES_CONTAINER_PASS:-1} != 0 ]]; then
    echo "== pytest integration/client, server in a container ($ZKRECIPES_ZK_IMAGE)"
    set +e
    # threading and asyncio front ends (gevent drives the same transport as threading)
    ZKRECIPES_ZK_SERVER=container .venv/bin/python -m pytest integration/client -q -m "not slow" \
        --zk-handler threading
    rc=$?
    set -e
fi
exit $rc
