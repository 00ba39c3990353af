"""Sum the figures a soak run appended to its JSON-lines report (used by scripts/soak.sh)."""

from __future__ import annotations

import json
import sys
from collections import Counter


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report:
        rows = [json.loads(line) for line in report if line.strip()]
    faults: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for row in rows:
        faults.update(row.get("faults", {}))
        totals["handoffs"] += row.get("handoffs", 0)
        totals["writes"] += row.get("writes", 0)
        totals["violations"] += len(row.get("violations", []))
        totals["untold"] += row.get("untold", 0)
        totals["lost_while_held"] += row.get("lost_while_held", 0)
        totals["fuzz_frames"] += row.get("frames", 0)
        totals["watch_cycles"] += row.get("cycles", 0)
        totals["lost_events"] += row.get("lost_events", 0)
        for key, value in row.get("unknown", {}).items():
            totals[key] += value
        count = sum(row.get("faults", {}).values())
        print(f"{row['name']:>14}: handoffs={row.get('handoffs', '-')} faults={count} "
              f"violations={len(row.get('violations', []))} seconds={row.get('seconds')} "
              f"seed={row.get('seed')}")
    print("faults by kind:", dict(sorted(faults.items())), "total", sum(faults.values()))
    print("totals:", dict(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
