"""Run axe-core (the npm package pinned in web/package.json) inside a Playwright page.

The script is evaluated through the DevTools protocol, not added as a ``<script>`` tag: the
dashboard's Content-Security-Policy rightly refuses inline scripts, and the check must not
weaken it (no ``bypass_csp``). Rules: the WCAG 2 A and AA tags.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[3] / "web" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa"]

_RUN = """async (tags) => {
  const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => `${n.target.join(" ")} :: ${n.failureSummary.replace(/\\s+/g, " ")}`),
  }));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    """Return axe's WCAG 2 A/AA violations of the page as it is now (empty when clean)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    found: list[dict[str, Any]] = page.evaluate(_RUN, TAGS)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    """Format violations for an assertion message: rule, impact and each failing element."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {len(v['nodes'])} element(s)")
        lines.extend(f"    {node}" for node in v["nodes"][:12])
    return "\n".join(lines)
