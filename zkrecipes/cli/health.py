"""``health``: ruok/srvr/mntr essentials of every host of the connect string, as a table.

No session is opened: each host gets its own short four-letter-word
connections (:func:`zkrecipes.testing.fourletter.four_letter`). A host that
does not answer ``imok`` is shown with its error; the exit status is 4 when
any host is not serving (0 otherwise).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from zkrecipes.cli.connect import build_config
from zkrecipes.cli.errors import EXIT_OK, EXIT_UNHEALTHY
from zkrecipes.cli.output import emit_json, table

__all__ = ["parse_mntr", "parse_srvr", "register", "render"]

_SRVR_FIELDS = {"Zxid": "zxid", "Latency min/avg/max": "latency", "Connections": "connections",
                "Outstanding": "outstanding", "Node count": "nodes", "Mode": "mode"}
_LINE = re.compile(r"^([^:]+):\s*(.*?)\s*$")
HEADERS = ("HOST", "OK", "MODE", "ZXID", "LATENCY", "CONNECTIONS", "OUTSTANDING", "NODES")


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add ``health``."""
    health = commands.add_parser("health", parents=[read], help="ruok/srvr/mntr of every host, as a table")
    health.set_defaults(func=run_health, needs_client=False)


def parse_srvr(answer: str) -> dict[str, str]:
    """The fields of a ``srvr`` answer this command shows (by our names)."""
    fields: dict[str, str] = {}
    for line in answer.splitlines():
        match = _LINE.match(line)
        if match and match.group(1) in _SRVR_FIELDS:
            fields[_SRVR_FIELDS[match.group(1)]] = match.group(2)
    return fields


def parse_mntr(answer: str) -> dict[str, str]:
    """``mntr``'s tab-separated ``key value`` lines as a dict."""
    pairs: dict[str, str] = {}
    for line in answer.splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs


def probe(host: str, port: int, timeout: float) -> dict[str, Any]:
    """Health of one server: ``ok`` plus what srvr/mntr said, or ``error``."""
    from zkrecipes.testing.fourletter import four_letter, parse_mode  # the harness package is heavy

    row: dict[str, Any] = {"host": f"{host}:{port}", "ok": False}
    try:
        row["ok"] = four_letter(host, port, "ruok", timeout).strip() == "imok"
        srvr = four_letter(host, port, "srvr", timeout)
        row.update(parse_srvr(srvr))
        row["mode"] = parse_mode(srvr) or row.get("mode")
        mntr = parse_mntr(four_letter(host, port, "mntr", timeout))
    except OSError as exc:
        row["error"] = exc.strerror or str(exc)
        return row
    if mntr:
        row.setdefault("connections", mntr.get("zk_num_alive_connections"))
        row.setdefault("outstanding", mntr.get("zk_outstanding_requests"))
        row.setdefault("nodes", mntr.get("zk_znode_count"))
        if "latency" not in row and "zk_avg_latency" in mntr:
            row["latency"] = "/".join(mntr.get(f"zk_{k}_latency", "?") for k in ("min", "avg", "max"))
    if not row["ok"] and "error" not in row:
        row["error"] = "not serving (no imok)"
    return row


def render(rows: list[dict[str, Any]]) -> str:
    """The health table (an error replaces the columns after OK)."""
    lines = []
    for row in rows:
        if row.get("error") and not row.get("mode"):
            lines.append([row["host"], "no", row["error"]] + [None] * (len(HEADERS) - 3))
        else:
            lines.append([row["host"], "yes" if row["ok"] else "no", row.get("mode"), row.get("zxid"),
                          row.get("latency"), row.get("connections"), row.get("outstanding"),
                          row.get("nodes")])
    return table(HEADERS, lines)


def run_health(args: argparse.Namespace, zk: object) -> int:
    config = build_config(args)
    timeout = min(config.session_timeout, 5.0)
    rows = [probe(h.host, h.port, timeout) for h in config.hosts]
    if args.json:
        emit_json(rows)
    else:
        print(render(rows))
    return EXIT_OK if all(row["ok"] for row in rows) else EXIT_UNHEALTHY
