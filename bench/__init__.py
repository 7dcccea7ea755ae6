"""Benchmarks: data generator, load driver, baselines."""
