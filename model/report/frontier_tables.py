"""The frontier page's tables: every point with its portfolio and cost, what changes
between neighbouring points, and a picker that compares any two points.

Points are named as in the figure's hover ('P1', 'P2', ... in the Dataset's order,
model/report/figures/study_figures.py `point_label`). For each pair of neighbours along
the frontier (sorted by energy after, as drawn) the table lists the projects that come in
and go out and the change in capex, pollution and energy. The picker embeds each point's
chosen projects as JSON and a few lines of plain JavaScript (no network) that list the
same differences for any two points chosen in two select boxes.
"""

from __future__ import annotations

import html
import json

import numpy as np
import xarray as xr

from model.appraise.evaluate import is_chosen
from model.formatting import amount, money
from model.report.figures.study_figures import point_label
from model.report.html import table_html


def _portfolios(ds: xr.Dataset) -> dict[int, set[str]]:
    """Point index -> ids of its chosen projects (points with a portfolio only)."""
    feasible = ds["feasible"].values.astype(bool) if "feasible" in ds else None
    projects = ds["project"].values.astype(str)
    out = {}
    for i in range(ds.sizes["point"]):
        if feasible is not None and not feasible[i]:
            continue
        out[i] = set(projects[is_chosen(ds["selected"].isel(point=i).values)])
    return out


def _order(ds: xr.Dataset, points: dict[int, set[str]]) -> list[int]:
    """Points by budget level (NaN, one frontier, counts as one level), then energy after."""
    tce = ds["tce_after"].values
    budget = np.nan_to_num(ds["budget"].values.astype(float), nan=-np.inf)
    return sorted(points, key=lambda i: (float(budget[i]), float(tce[i])))


def _list(names: set[str]) -> str:
    return ", ".join(sorted(names)) or "-"


def points_table_html(ds: xr.Dataset) -> str:
    """One row per point: name, pollution and energy after, capex, projects."""
    portfolios = _portfolios(ds)
    rows = [
        [
            point_label(i),
            amount(float(ds["pollution_eq_after"].values[i]), "eq/yr"),
            amount(float(ds["tce_after"].values[i]), "tce/yr"),
            money(float(ds["capex"].values[i])),
            str(len(portfolios[i])),
        ]
        for i in _order(ds, portfolios)
    ]
    headers = ["point", "pollution after", "energy after", "capex", "projects"]
    return table_html(headers, rows, numeric_from=1, what="points")


def changes_table_html(ds: xr.Dataset) -> str:
    """What changes from each point to the next one along the frontier."""
    portfolios = _portfolios(ds)
    order = _order(ds, portfolios)
    rows = []
    for a, b in zip(order, order[1:], strict=False):
        rows.append(
            [
                f"{point_label(a)} -> {point_label(b)}",
                _list(portfolios[b] - portfolios[a]),
                _list(portfolios[a] - portfolios[b]),
                money(float(ds["capex"].values[b] - ds["capex"].values[a])),
                amount(
                    float(ds["pollution_eq_after"].values[b] - ds["pollution_eq_after"].values[a]),
                    "eq/yr",
                ),
                amount(float(ds["tce_after"].values[b] - ds["tce_after"].values[a]), "tce/yr"),
            ]
        )
    headers = ["step", "projects in", "projects out", "capex change"]
    headers += ["pollution change", "energy change"]
    return table_html(headers, rows, numeric_from=3, what="steps")


_PICKER = """
(() => {
  const data = JSON.parse(document.getElementById('frontier-points').textContent);
  const [a, b] = ['pick-a', 'pick-b'].map(id => document.getElementById(id));
  const out = document.getElementById('pick-out');
  const show = () => {
    const p = data[a.value], q = data[b.value];
    const into = q.projects.filter(x => !p.projects.includes(x));
    const outOf = p.projects.filter(x => !q.projects.includes(x));
    const fmt = (v) => (Math.round(v) || 0).toLocaleString('en-US');
    out.textContent = `From ${a.value} to ${b.value}: capex ${fmt(q.capex - p.capex)} CNY, `
      + `pollution ${fmt(q.pe - p.pe)} eq/yr, energy ${fmt(q.tce - p.tce)} tce/yr. `
      + `In: ${into.join(', ') || '-'}. Out: ${outOf.join(', ') || '-'}.`;
  };
  a.addEventListener('change', show); b.addEventListener('change', show); show();
})();
"""


def picker_html(ds: xr.Dataset) -> str:
    """Two select boxes and the differences between the two points picked."""
    portfolios = _portfolios(ds)
    order = _order(ds, portfolios)
    if len(order) < 2:
        return ""
    data = {
        point_label(i): {
            "projects": sorted(portfolios[i]),
            "capex": float(ds["capex"].values[i]),
            "pe": float(ds["pollution_eq_after"].values[i]),
            "tce": float(ds["tce_after"].values[i]),
        }
        for i in order
    }
    options = "".join(f"<option>{point_label(i)}</option>" for i in order)
    last = f"<option selected>{point_label(order[-1])}</option>"
    options_b = "".join(f"<option>{point_label(i)}</option>" for i in order[:-1]) + last
    payload = html.escape(json.dumps(data), quote=False).replace("</", "<\\/")
    return (
        '<p>Compare two points: <select id="pick-a">' + options + "</select> with "
        f'<select id="pick-b">{options_b}</select></p><p id="pick-out"></p>'
        f'<script type="application/json" id="frontier-points">{payload}</script>'
        f"<script>{_PICKER}</script>"
    )


def frontier_section_html(ds: xr.Dataset) -> list[str]:
    """The frontier page's tables and picker, after its figure."""
    if not np.any(ds["feasible"].values if "feasible" in ds else [True]):
        return []
    return [
        "<h2>Points: the portfolio each one is</h2>",
        points_table_html(ds),
        "<h2>What changes from one point to the next</h2>",
        changes_table_html(ds),
        "<h2>Compare any two points</h2>",
        picker_html(ds),
    ]
