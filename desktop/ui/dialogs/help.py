"""Help > About: the version, the bundled libraries' licences and where the data lives (dialogs/about.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def show_about(parent: QWidget, annotation_file: str | None = None) -> None:
    """Show the About dialog for the window ``parent`` (naming its open annotation file, if any)."""
    from desktop.ui.dialogs import about

    about.AboutDialog(annotation_file=annotation_file, parent=parent).exec()
