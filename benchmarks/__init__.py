"""Benchmarks: Warrant's figures beside the floor measured in the same run (``python -m benchmarks``)."""
