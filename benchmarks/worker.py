"""Run one workload for one library in this (fresh) process and print its result as JSON.

The runner starts one worker per (round, workload, library), so threads, memory and gevent's
monkey-patching never leak from one measurement into the next. Usable by hand, e.g. to
profile the zkrecipes hot path::

    .venv/bin/python -m cProfile -s cumtime -m benchmarks.worker \\
        --library zkrecipes --workload pipelined_get --hosts 127.0.0.1:2181

``--profile N`` profiles every thread of the worker (``-m cProfile`` sees only the main
thread, which with the threading handler mostly waits) and prints the top N functions.

The last line of stdout is ``{"ok": true, "measurements": {...}}`` or ``{"ok": false,
"error": "..."}``; the exit status is 0 or 1 accordingly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from typing import Any

RESULT_PREFIX = "BENCHMARK-RESULT "
GEVENT_SUFFIX = "_gevent"  # workloads on the gevent handler are named like this


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--library", required=True,
                        choices=("zkrecipes", "kazoo", "raw", "aio", "aio_uvloop", "aiozk"))
    parser.add_argument("--workload", required=True)
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--base", default="", help="private znode path (default: /zkbench-worker-<time>)")
    parser.add_argument("--params", default="", help="JSON object overriding the workload's parameters")
    parser.add_argument("--quick", action="store_true", help="use the workload's quick parameters")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile every thread; print the top N functions by cumulative and own time")
    parser.add_argument("--stand-in", default=None, choices=("kazoo",), help="debug: run kazoo for zkrecipes")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the workload named by ``args`` and return its measurements."""
    from benchmarks.aio_workloads import AIO_SPECS_BY_NAME
    from benchmarks.clients import ClientFactory
    from benchmarks.workloads import SPECS_BY_NAME
    from zkrecipes.exceptions import ConfigurationError

    spec = SPECS_BY_NAME.get(args.workload) or AIO_SPECS_BY_NAME.get(args.workload)
    if spec is None:
        raise ConfigurationError(f"unknown workload {args.workload!r}; known: {sorted(SPECS_BY_NAME)}")
    if (spec.handler == "gevent") != args.workload.endswith(GEVENT_SUFFIX):
        raise ConfigurationError(f"workload {spec.name!r}: gevent workloads must end in {GEVENT_SUFFIX!r}")
    params = dict(spec.quick if args.quick else spec.full)
    if args.params:
        params.update(json.loads(args.params))
    base = args.base or f"/zkbench-worker-{time.time_ns()}"
    factory = ClientFactory(args.library, spec.handler, args.hosts, args.stand_in)
    return spec.function(factory, base, params)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.workload.endswith(GEVENT_SUFFIX):
        # Patch before anything imports threads, locks or sockets; this process is fresh.
        from gevent import monkey

        monkey.patch_all()
    try:
        if args.profile:
            from benchmarks.profiling import AllThreadsProfiler

            profiler = AllThreadsProfiler()
            measurements = profiler.run(lambda: run(args))
            print(profiler.report(args.profile, "cumulative"))
            print(profiler.report(args.profile, "tottime"))
        else:
            measurements = run(args)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        print(RESULT_PREFIX + json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(RESULT_PREFIX + json.dumps({"ok": True, "measurements": measurements}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
