"""Is there a screen to draw on? Asked before Qt starts, because Qt aborts the process when there is none."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

_NO_SCREEN_NEEDED = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay", "windows", "cocoa", "direct2d")


def _x_socket(display: str) -> str | None:
    """The local socket of an X display such as ":0" or ":1.0", or None for a remote or unusual one."""
    host, _, rest = display.partition(":")
    number = rest.split(".", 1)[0]
    if host not in ("", "unix") or not number.isdigit():
        return None
    return f"/tmp/.X11-unix/X{number}"


def problem(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """Return why no window can be shown (one sentence), or None when there is a display to use.

    Args:
        env: the environment (``os.environ`` by default).
        platform: ``sys.platform`` by default.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform in ("win32", "darwin"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].split(";", 1)[0].strip().lower()
    if qpa in _NO_SCREEN_NEEDED:
        return None
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    advice = "run it on a desktop, or set QT_QPA_PLATFORM=offscreen to run without one"
    if qpa.startswith("wayland"):
        return None if wayland else f"no Wayland display (WAYLAND_DISPLAY is not set): {advice}"
    if not display:
        if wayland and not qpa:
            return None
        return f"no display to show the window on (DISPLAY is not set): {advice}"
    socket = _x_socket(display)
    if socket is not None and not os.path.exists(socket):
        return f"the X display {display} is not running: {advice}"
    return None
