"""Counts of the chaos suite, from environment knobs (defaults = the CI counts).

* ``ZKRECIPES_CHAOS_HANDOFFS`` (300): lock handoffs (holders that committed a write) in the
  lock scenario; the other recipes run a fifth of it;
* ``ZKRECIPES_CHAOS_FAULTS`` (20): faults in the lock scenario; the other recipes a quarter;
* ``ZKRECIPES_CHAOS_CYCLES`` (50): reconnect cycles per watch-delivery mode;
* ``ZKRECIPES_CHAOS_ENSEMBLE_FAULTS`` (3): kills/partitions in the ensemble lock scenario;
* ``ZKRECIPES_FUZZ_FRAMES`` (100,000) and ``ZKRECIPES_FUZZ_SEED``: the decoder fuzz (tests/fuzz);
* ``ZKRECIPES_SOAK_ROUNDS`` (3 in CI): the older soak tests' rounds (integration/recipes);
* ``ZKRECIPES_CHAOS_SEED`` (random): the seed of every random choice (printed; set it to replay).

``scripts/soak.sh`` sets soak counts (>= 5,000 handoffs, >= 200 faults).
"""

from __future__ import annotations

import os
import random


def knob(name: str, default: int) -> int:
    """The positive int of env var ``name``, else ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {raw!r}")
    return value


HANDOFFS = knob("ZKRECIPES_CHAOS_HANDOFFS", 300)
FAULTS = knob("ZKRECIPES_CHAOS_FAULTS", 20)
CYCLES = knob("ZKRECIPES_CHAOS_CYCLES", 50)
ENSEMBLE_FAULTS = knob("ZKRECIPES_CHAOS_ENSEMBLE_FAULTS", 3)


def seed() -> int:
    """The run's seed: ``ZKRECIPES_CHAOS_SEED`` or a fresh random one."""
    raw = os.environ.get("ZKRECIPES_CHAOS_SEED", "").strip()
    return int(raw) if raw else random.SystemRandom().randrange(2**32)


def time_budget(work: int, per_unit: float, floor: float) -> float:
    """A deadline (s) for a scenario of ``work`` units: generous, so only a hang trips it."""
    return max(floor, work * per_unit)


def scaled_timeout(ci_seconds: float, *ratios: float) -> float:
    """pytest-timeout bound for a test that takes about ``ci_seconds`` at the CI counts (with a
    margin for a loaded machine), scaled by the largest ``ratio`` (knob / CI default)."""
    return 3 * ci_seconds * max(1.0, *ratios)


HANDOFF_RATIO = HANDOFFS / 300
FAULT_RATIO = FAULTS / 20
CYCLE_RATIO = CYCLES / 50
