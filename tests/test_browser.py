"""Every page a run writes, opened in a real browser (headless Chromium, 1400 px wide).

The pages: summary.html of the demo park, its frontier.html and budget_sweep.html (a small
frontier and sweep, one CLI run shared by the whole session), and summary.html of a
multi-year plan. For each page:

* no console error and no uncaught script error;
* every Plotly figure drew an SVG with data (a trace with points and marks in the plot);
* no legend's bounding box overlaps its figure's title box (boxes read from the DOM);
* the page has no horizontal scroll bar at 1400 px.

Chromium is Debian's `chromium` package (installed by .ci/run when missing), driven by
the `playwright` package without a browser download of its own. Without a browser the
tests skip, saying so. The full demo plan runs in the slow set (benchmarks/run_slow.sh).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from test_cli import run_cli
from test_timeline import tiny_plan

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1400


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


CHROMIUM = _chromium()
playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e .[test])"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium)"
)

PAGE_CHECK = """
() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const overlaps = (a, b) => a.w > 0 && b.w > 0 && a.x < b.x + b.w && b.x < a.x + a.w
                             && a.y < b.y + b.h && b.y < a.y + a.h;
  const figures = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    // calcdata: the points plotly.js computed for each visible trace
    const points = (gd.calcdata || []).reduce(
      (n, trace) => n + trace.filter(p => p && (p.x !== undefined || p.y !== undefined
                                                || p.s !== undefined || p.z !== undefined)
                                          && p.x !== false).length, 0);
    const marks = [...gd.querySelectorAll('g.trace path, g.slice path')]
      .filter(p => { const d = p.getAttribute('d') || '';
                     return d.length > 0 && d !== 'M0,0Z'; }).length;
    const legend = gd.querySelector('g.legend');
    const title = gd.querySelector('.g-gtitle text');
    const titles = [title, ...gd.querySelectorAll('.annotation-text-g text')]
      .filter(t => t && t.textContent.trim());
    const clashes = legend ? titles.filter(t => overlaps(box(legend), box(t)))
                                    .map(t => t.textContent) : [];
    figures.push({id: gd.id, svg: !!gd.querySelector('svg.main-svg'), points, marks,
                  title: title ? title.textContent : '', clashes});
  }
  return {figures, scroll: document.documentElement.scrollWidth,
          notes: [...document.querySelectorAll('p.note')].map(p => p.textContent)};
}
"""


@pytest.fixture(scope="session")
def pages(tmp_path_factory) -> dict[str, Path]:
    """One demo run with a small frontier and budget sweep, and one small plan: the
    pages they write, by a readable name."""
    out = tmp_path_factory.mktemp("browser")
    demo = run_cli(
        str(ROOT / "scenarios" / "demo_park.yaml"),
        *("--out", str(out), "--quiet", "--frontier", "3", "--budget-sweep", "3e8:6e8:2"),
        cwd=out,
    )
    assert demo.returncode == 0, demo.stderr
    plan_file = out / "plan.yaml"
    plan_file.write_text(yaml.safe_dump(tiny_plan(), sort_keys=False), encoding="utf-8")
    plan = run_cli(str(plan_file), "--out", str(out), "--quiet", cwd=out)
    assert plan.returncode == 0, plan.stderr
    found = {
        "summary": out / "demo-park" / "summary.html",
        "frontier": out / "demo-park" / "frontier.html",
        "budget sweep": out / "demo-park" / "budget_sweep.html",
        "plan": out / "tiny-plan" / "summary.html",
    }
    for path in found.values():
        assert path.is_file(), path
    return found


@pytest.fixture(scope="session")
def browser():
    with playwright.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def open_page(browser, path: Path) -> tuple[dict, list[str]]:
    """Load `path` at 1400 px; return the DOM check and the console errors."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(gd => gd._fullLayout !== undefined)"
    )
    result = page.evaluate(PAGE_CHECK)
    page.close()
    return result, errors


@pytest.mark.parametrize("name", ["summary", "frontier", "budget sweep", "plan"])
def test_page_renders_cleanly(browser, pages, name: str) -> None:
    result, errors = open_page(browser, pages[name])
    assert errors == [], f"{name}: console errors {errors}"
    assert result["figures"], f"{name}: no Plotly figure on the page"
    for figure in result["figures"]:
        label = f"{name}: {figure['id']} ({figure['title']})"
        assert figure["svg"], f"{label}: no SVG drawn"
        assert figure["points"] > 0, f"{label}: a figure without data"
        assert figure["marks"] > 0, f"{label}: nothing drawn in the plot area"
        assert figure["clashes"] == [], f"{label}: legend overlaps {figure['clashes']}"
    assert result["scroll"] <= WIDTH, f"{name}: wider than {WIDTH} px"


def test_overlap_check_sees_a_legend_on_a_title(browser, tmp_path) -> None:
    """The overlap check is not vacuous: a legend placed on the title is caught."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a long legend entry"))
    fig.add_trace(go.Scatter(x=[1, 2], y=[4, 3], name="another entry"))
    fig.update_layout(
        title={
            "text": "A title where the legend sits",
            "x": 0.5,
            "xanchor": "center",
            "y": 0.95,
            "yanchor": "top",
            "yref": "container",
        },
        legend={
            "x": 0.5,
            "xanchor": "center",
            "xref": "container",
            "orientation": "h",
            "y": 0.95,
            "yanchor": "top",
            "yref": "container",
        },
    )
    path = tmp_path / "clash.html"
    path.write_text(fig.to_html(include_plotlyjs=True, div_id="fig-clash"), encoding="utf-8")
    result, errors = open_page(browser, path)
    assert errors == []
    assert result["figures"][0]["clashes"] == ["A title where the legend sits"]


@pytest.mark.slow
def test_demo_plan_page_renders_cleanly(browser, tmp_path) -> None:
    proc = run_cli(
        str(ROOT / "scenarios" / "demo_plan_2021_2023.yaml"),
        *("--out", str(tmp_path), "--quiet"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    result, errors = open_page(browser, tmp_path / "demo-plan-2021-2023" / "summary.html")
    assert errors == []
    for figure in result["figures"]:
        assert figure["svg"] and figure["points"] > 0 and figure["clashes"] == [], figure
