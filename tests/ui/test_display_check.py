"""With no display, the window is refused with one sentence instead of Qt's abort (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.ui import display


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "xcb"}, "DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "wayland"}, "WAYLAND_DISPLAY is not set"),
        ({"DISPLAY": ":987"}, "is not running"),
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "minimal:enable_fonts"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"DISPLAY": "remote.example:10.0"}, None),
    ],
)
def test_problem(env: dict[str, str], expected: str | None) -> None:
    found = display.problem(env, "linux")
    if expected is None:
        assert found is None
    else:
        assert found is not None and expected in found and "QT_QPA_PLATFORM=offscreen" in found


def test_a_running_local_x_display_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(display, "_x_socket", lambda d: str(tmp_path))
    assert display.problem({"DISPLAY": ":0"}, "linux") is None


def test_windows_and_macos_always_have_a_screen() -> None:
    assert display.problem({}, "win32") is None
    assert display.problem({}, "darwin") is None
