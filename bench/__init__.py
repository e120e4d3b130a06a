"""Benchmarks of market-news, each figure beside a naive baseline (`make bench`).

One module per benchmark (`extraction`, `polling`, `dedupe`, `latency`, `memory`), each
with `run(options) -> Section`; `python -m bench` runs them and prints the table and,
last, one JSON line. See bench/README.md for what each figure means.
"""
