"""Issue 35: every published page and every probe page, opened in Chromium, reads clean.

No literal markdown (a backtick), placeholder or emoji-range glyph in the rendered text; no
console error or warning; no two tick labels of one axis overprinting; no chart title or
subtitle running past its chart; and on each study page, within the first 900 px of a
1280 x 900 window: the verdict, the effect naming its metric, and the next action.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.site.browser import PageWatch, chart_widths, serve
from tests.site.conftest import build_into

pytestmark = pytest.mark.browser

EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50-\u2b55\ufe0f]")
PLACEHOLDERS = re.compile(
    r"\{\{|\}\}|\{%|\bNone\b|\bundefined\b|\[object Object\]|\bN \(limit N\)|at step N\b"
)
FOLD = 900

# per chart: axis label boxes (grouped by axis) and title boxes against the chart's own box
_GEOMETRY = """() => [...document.querySelectorAll('div.vega-chart')].map(el => {
  const svg = el.querySelector('svg.marks');
  if (!svg) return {id: el.id, axes: [], titles: [], box: null};
  const b = svg.getBoundingClientRect();
  const axes = [...svg.querySelectorAll('g.role-axis')].map(ax =>
    [...ax.querySelectorAll('g.role-axis-label text')]
      .filter(t => t.textContent && getComputedStyle(t).opacity !== '0')
      .map(t => { const r = t.getBoundingClientRect();
                  return {t: t.textContent, l: r.left, r: r.right, top: r.top, bot: r.bottom}; }));
  const titles = [...svg.querySelectorAll('g.role-title text')].map(t => {
    const r = t.getBoundingClientRect();
    return {t: t.textContent, l: r.left, r: r.right}; });
  return {id: el.id, axes, titles, box: {l: b.left, r: b.right}};
})"""


def _overlaps(labels: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if (min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1
                    and min(a["bot"], b["bot"]) - max(a["top"], b["top"]) > 1):
                out.append((a["t"], b["t"]))
    return out


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in (site / "studies").rglob("index.html")
    ) + ["studies/index.html"]


def test_overlap_rule():
    a = {"t": "0.004", "l": 0, "r": 30, "top": 0, "bot": 10}
    b = {"t": "0.005", "l": 25, "r": 55, "top": 0, "bot": 10}
    c = {"t": "0.006", "l": 60, "r": 90, "top": 0, "bot": 10}
    assert _overlaps([a, b, c]) == [("0.004", "0.005")]


def _check_site(browser, site: Path) -> list[str]:
    problems: list[str] = []
    labels_seen = 0
    with serve(site) as base:
        for rel in _pages(site):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            watch = PageWatch(page, base)
            page.goto(f"{base}/{rel}")
            chart_widths(page)
            text = page.inner_text("article")
            if "`" in text:
                problems.append(f"{rel}: literal backtick near {text[text.index('`') - 40:][:80]!r}")
            for m in (EMOJI.search(text), PLACEHOLDERS.search(text)):
                if m:
                    problems.append(f"{rel}: {m.group()!r} near {text[max(0, m.start() - 40):][:80]!r}")
            for c in page.evaluate(_GEOMETRY):
                for labels in c["axes"]:
                    labels_seen += len(labels)
                    for a, b in _overlaps(labels):
                        problems.append(f"{rel} {c['id']}: tick labels {a!r} and {b!r} overlap")
                for t in c["titles"]:
                    if c["box"] and (t["l"] < c["box"]["l"] - 1 or t["r"] > c["box"]["r"] + 1):
                        problems.append(f"{rel} {c['id']}: title {t['t']!r} runs past the chart")
                    if t["t"].endswith("…"):
                        problems.append(f"{rel} {c['id']}: title {t['t']!r} is cut")
            if rel != "studies/index.html" and "/r" not in rel.rsplit("/", 1)[-1]:
                problems += [f"{rel}: {p}" for p in _first_screen(page)]
            problems += [f"{rel}: console {m}" for m in watch.errors + watch.warnings]
            page.close()
    assert labels_seen > 50, f"only {labels_seen} tick labels found: the selectors are stale"
    return problems


def _first_screen(page) -> list[str]:
    """Verdict, an effect that names its metric, and the next action above the fold."""
    found = page.evaluate(
        """() => { const card = document.querySelector('.logbook-summary');
            if (!card) return null;
            const at = sel => { const e = card.querySelector(sel);
                return e ? {top: e.getBoundingClientRect().bottom + window.scrollY,
                            text: e.innerText} : null; };
            return {verdict: at('.logbook-summary-verdict'),
                    effect: at('.logbook-summary-effect'),
                    next: at('.logbook-summary-next')}; }"""
    )
    if found is None:
        return ["no summary card"]
    out = []
    for name in ("verdict", "effect", "next"):
        got = found[name]
        if got is None:
            out.append(f"no {name} in the summary card")
        elif got["top"] > FOLD:
            out.append(f"{name} ends at {got['top']:.0f} px, below the first {FOLD} px")
    eff = found["effect"]
    if eff and not re.search(r"\bin [a-z_]+|\bon [a-z_]+", eff["text"]):
        out.append(f"effect does not name its metric: {eff['text']!r}")
    return out




@pytest.fixture(scope="module")
def probe_site(tmp_path_factory) -> Path:
    from tests.probes.build import build_gallery

    root = tmp_path_factory.mktemp("probe-site")
    build_gallery(root, run_site=True)
    return root / "site"


def test_published_pages_read_clean(chromium, published_site):
    problems = _check_site(chromium, published_site)
    assert problems == [], "\n".join(problems)


def test_probe_pages_read_clean(chromium, probe_site):
    problems = _check_site(chromium, probe_site)
    assert problems == [], "\n".join(problems)
