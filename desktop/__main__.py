"""Allow ``python -m desktop``."""

from __future__ import annotations

from desktop import cli

raise SystemExit(cli.main())
