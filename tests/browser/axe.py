"""axe-core in the browser tests: WCAG 2.1 A and AA rules, serious and critical findings fail.

axe-playwright-python ships axe-core's axe.min.js; it is injected with page.evaluate,
which the Content-Security-Policy does not govern (no inline script in the page itself).
Moderate and minor findings are reported by axe too but do not fail a test: the issue
asks for no serious or critical violation.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()


def serious_violations(page: Page) -> list[dict]:
    """axe's serious and critical violations of WCAG 2.1 A/AA on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options).response
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict], limit: int = 5) -> str:
    """One readable block per violation: rule, impact, what it means, where (a few nodes)."""
    lines = []
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:limit]:
            target = " ".join(str(part) for part in node["target"])
            snippet = " ".join(node["html"].split())[:160]
            lines.append(f"      at {target}: {snippet}")
        if len(violation["nodes"]) > limit:
            lines.append(f"      … and {len(violation['nodes']) - limit} more")
    return "\n".join(lines)


def assert_no_serious_violations(page: Page, where: str = "") -> None:
    violations = serious_violations(page)
    assert not violations, f"axe-core on {where or page.url}:\n{describe(violations)}"
