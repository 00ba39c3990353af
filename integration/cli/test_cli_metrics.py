"""``--metrics-port``: a running job command's client metrics, scraped over HTTP."""

from __future__ import annotations

import re
import signal
import urllib.request
from pathlib import Path

from _cli_helpers import WAIT, Background, child_cmd, read_lines, run_cli, wait_for


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=WAIT) as reply:
        return str(reply.read().decode())


def test_a_lock_job_serves_its_clients_metrics(cli_hosts: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = Background(cli_hosts, "--metrics-port", "0", "lock", "/metered", "--",
                     *child_cmd("serve", str(out), "a"))
    try:
        job.wait_stderr("metrics at http://127.0.0.1:")
        line = next(s for s in job.stderr_lines if "metrics at" in s)
        found = re.search(r":(\d+)/metrics", line)
        assert found is not None, line
        port = int(found.group(1))
        wait_for(lambda: any(s.startswith("up a") for s in read_lines(out)), message="the job to start")
        text = _scrape(port)
        assert 'zkrecipes_session_state{state="CONNECTED"} 1.0' in text
        # The lock's contender create was a request of this client, and it acquired the lock.
        assert re.search(r'zkrecipes_request[a-z_]*\{[^}]*operation="create"[^}]*\} [1-9]', text), text
        assert 'zkrecipes_recipe_wait_seconds_count{' in text
    finally:
        job.signal(signal.SIGTERM)  # forwarded to the job, which ends with 0
        assert job.wait() == 0
        job.kill()
    assert any(s.startswith("term a") for s in read_lines(out))


def test_a_port_that_cannot_be_bound_is_a_usage_error(cli_hosts: str) -> None:
    busy = Background(cli_hosts, "--metrics-port", "0", "watch", "/")
    try:
        busy.wait_stderr("metrics at http://127.0.0.1:")
        line = next(s for s in busy.stderr_lines if "metrics at" in s)
        found = re.search(r":(\d+)/metrics", line)
        assert found is not None
        result = run_cli(cli_hosts, "--metrics-port", found.group(1), "ls", "/")
        assert result.returncode == 2
        assert f"--metrics-port {found.group(1)}: cannot serve metrics" in result.stderr.decode()
    finally:
        busy.kill()
