"""Hatch build hook: put the built dashboard (``web/dist``) into the package, or refuse.

A wheel is what ``pip install`` users and the Docker image run, so a wheel without the
dashboard would quietly serve the "not built" page. The standard wheel therefore carries
``web/dist`` as ``leadpulse/web_dist`` (``leadpulse.api.web`` looks there first) and the sdist
carries it as ``web/dist`` (so a wheel built from the sdist has it too). Editable installs
(``uv sync``, ``make install-dev``) read ``web/dist`` from the checkout and need no build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DASHBOARD = Path("web") / "dist"
DESTINATION = {"wheel": "leadpulse/web_dist", "sdist": "web/dist"}


class DashboardBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Force-include the dashboard build; fail the build when it is missing."""

    PLUGIN_NAME = "leadpulse-dashboard"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add ``web/dist`` to a standard wheel or sdist; leave editable wheels alone."""
        if version == "editable":
            return
        dist = Path(self.root) / DASHBOARD
        if not (dist / "index.html").is_file() or not any((dist / "assets").glob("*.js")):
            raise RuntimeError(
                f"the dashboard is not built ({dist} has no index.html or assets/*.js): "
                "run `make wheel` (builds it first) or `make web` (needs Node.js 20+) "
                "before building the package"
            )
        build_data["force_include"][str(dist)] = DESTINATION[self.target_name]
