"""Dialogs: export, import, review."""
