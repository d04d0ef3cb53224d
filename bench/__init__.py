"""Benchmarks: `make bench` runs them all and prints one JSON object per line."""
