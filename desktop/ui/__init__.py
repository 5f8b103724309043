"""Warrant's Qt layer: everything that imports PySide6."""
