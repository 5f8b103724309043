"""Warrant's core: pure Python, no Qt."""
