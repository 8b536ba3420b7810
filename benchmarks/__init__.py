"""Benchmarks of clonedetect: accuracy on real game data, and the baseline store's search."""
