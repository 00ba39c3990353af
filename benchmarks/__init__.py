"""Benchmarks of zkrecipes against kazoo; run them with ``python -m benchmarks.run``.

See docs/performance.md for the method and the latest numbers.
"""
