"""Benchmark harness: storywire through its HTTP API at growing store sizes, against baselines.

Run ``python -m bench --help``; see bench/README.md for what each figure means.
"""
