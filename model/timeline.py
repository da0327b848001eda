"""Plotly figures and an HTML fragment for multi-year plans, built only from the results
Dataset (never from Pyomo or ParkData).

`timeline_figures(ds)` returns nothing for a one-year Dataset; for a horizon of several
years it returns, in report order:

* ``implementation_timeline``: a Gantt-like chart with one bar per started project,
  from its start year to the end of the horizon. The hatched, lighter part is the lead
  time (started and paid for, not yet in effect: `started` > 0 but `selected` = 0); the
  solid part is the time in effect (`selected` > 0). Sorted by start year, then capex.
* ``spending_by_year``: capex started each year (capex * level started, CNY), stacked by
  project category, against the per-year budget (`budget_by_year`) and, with
  carry-over, the money available that year (this year's budget + every earlier year's
  budget - every earlier year's spending).
* ``emissions_vs_caps``: for each pollutant with a park cap, the park's emissions by year
  (sum over enterprise rows of `emissions`, t/yr) against the cap of that year as a
  dashed step, with the baseline as a dotted reference.
* ``pollution_by_year``: park pollution equivalents by year (sum of `pollution_eq`),
  stacked by medium, with the baseline total as a dashed reference.
* ``energy_co2_by_year``: park energy (sum of `energy_tce`, tce/yr) and CO2 from energy
  (sum of `co2`, tCO2/yr) by year, each with its baseline.
* ``compliance_by_year``: per year, the number of (enterprise, pollutant) pairs above
  their permit (`permit_excess` > 1e-9 t/yr) and the total excess in t/yr.

`timeline_section_html(ds)` is the matching report section without figures: a heading,
one row per planning year (projects started, capex, budget, largest projects) and a note
on how to read the figures.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from model.results import CHOSEN_THRESHOLD, fmt_number, pe_media

EXCESS_THRESHOLD = 1e-9
"""t/yr above a permit from which an (enterprise, pollutant) pair counts as over it."""

_COLOURS = {
    "lead": "#F2B880",
    "effect": "#4C78A8",
    "after": "#E45756",
    "cap": "#222222",
    "baseline": "#9E9E9E",
    "budget": "#222222",
    "available": "#7F7F7F",
    "air": "#4C78A8",
    "water": "#1F9E89",
    "solid": "#8C6D31",
    "other": "#B279A2",
    "tce": "#F58518",
    "co2": "#54A24B",
    "count": "#E45756",
    "excess": "#222222",
}
_CATEGORY_COLOURS = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#EECA3B",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
)


# --------------------------------------------------------------------------- helpers


def is_multi_year(ds: xr.Dataset) -> bool:
    """True when the Dataset covers more than one planning year."""
    return int(ds.sizes.get("year", 0)) > 1


def _years(ds: xr.Dataset) -> np.ndarray:
    return ds["year"].values.astype(int)


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 480):
    """The house style of model/plots.py, with integer year ticks on the x axis."""
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 90, "b": 70},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        separators=".,",
    )
    if x_title:
        fig.update_xaxes(title_text=x_title)
    if y_title:
        fig.update_yaxes(title_text=y_title)
    return fig


def _year_axis(fig: go.Figure, years: np.ndarray, **where: Any) -> None:
    fig.update_xaxes(
        tickmode="array",
        tickvals=[int(y) for y in years],
        ticktext=[str(int(y)) for y in years],
        range=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
        **where,
    )


def _no_data(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16}
    )
    return fig


def _scenario_input(ds: xr.Dataset) -> dict:
    text = ds.attrs.get("scenario_input", "")
    try:
        return json.loads(text) if isinstance(text, str) and text else {}
    except json.JSONDecodeError:
        return {}


def plan_settings(ds: xr.Dataset) -> dict[str, Any]:
    """carry_over (bool), horizon_objective ('total'/'final') and discount_rate of the run:
    from Dataset attrs of those names when present, else from the stored scenario input."""
    merged = _scenario_input(ds)
    budget = merged.get("budget") if isinstance(merged.get("budget"), dict) else {}
    objective = merged.get("objective") if isinstance(merged.get("objective"), dict) else {}
    carry = ds.attrs.get("carry_over", budget.get("carry_over", False))
    horizon = ds.attrs.get("horizon_objective", objective.get("horizon", "total"))
    rate = ds.attrs.get("discount_rate", merged.get("discount_rate", float("nan")))
    return {
        "carry_over": bool(int(carry)) if isinstance(carry, (int, float, bool)) else False,
        "horizon_objective": str(horizon) if horizon else "total",
        "discount_rate": float(rate),
    }


def plan_table(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Per started project (start_year >= 0), sorted by start year, then capex spent
    (largest first), then id: id, name, owner, category, start year (the first year with
    a level started), first year in effect (-1 = not within the horizon), level started
    (sum over years of `started`), capex spent over the horizon (capex * level started,
    CNY) and the steps as text ("2021: 1"; a divisible project may be started in steps
    over several years, "2021: 0.25, 2022: 0.75")."""
    start_year = ds["start_year"].values.astype(int)
    started = np.flatnonzero(start_year >= 0)
    steps = ds["started"].transpose("year", "project").values[:, started]
    level = steps.sum(axis=0)
    capex = ds["capex"].values[started] * level
    in_effect = ds["selected"].transpose("year", "project").values[:, started] > CHOSEN_THRESHOLD
    years = _years(ds)
    effect_from = np.where(in_effect.any(axis=0), years[in_effect.argmax(axis=0)], -1)
    step_text = np.array(
        [
            ", ".join(f"{y}: {v:.3g}" for y, v in zip(years, column, strict=True) if v > 0)
            for column in np.where(steps > CHOSEN_THRESHOLD, steps, 0.0).T
        ],
        dtype=object,
    )
    ids = ds["project"].values.astype(str)[started]
    order = np.lexsort((ids, -capex, start_year[started]))
    return {
        "id": ids[order],
        "name": ds["project_name"].values.astype(str)[started][order],
        "owner": ds["owner"].values.astype(str)[started][order],
        "category": ds["category"].values.astype(str)[started][order],
        "start_year": start_year[started][order],
        "effect_from": effect_from[order],
        "level": level[order],
        "capex": capex[order],
        "steps": step_text[order],
    }


def capex_by_year(ds: xr.Dataset) -> np.ndarray:
    """(Y,) capex started each year, CNY: sum over projects of capex * `started`
    (equals `capex_used`)."""
    return (ds["started"] * ds["capex"]).sum("project").transpose("year").values


def available_by_year(ds: xr.Dataset) -> np.ndarray:
    """(Y,) money available in each year with carry-over: sum of the budgets up to and
    including the year minus the capex spent in earlier years (NaN without limits)."""
    budget = ds["budget_by_year"].values.astype(float)
    spent = ds["capex_used"].values.astype(float)
    spent_before = np.concatenate([[0.0], np.cumsum(spent)[:-1]])
    return np.cumsum(budget) - spent_before


# --------------------------------------------------------------------------- (a) plan


def implementation_timeline(ds: xr.Dataset) -> go.Figure:
    """Gantt-like bars: one per started project from its start year to the end of the
    horizon; the lead time (started, not yet in effect) hatched in a lighter colour."""
    years = _years(ds)
    end = float(years[-1]) + 0.5
    table = plan_table(ds)
    n = len(table["id"])
    begin = table["start_year"].astype(float) - 0.5
    effect = np.where(table["effect_from"] >= 0, table["effect_from"] - 0.5, end)
    effect_text = np.array(
        [str(y) if y >= 0 else f"after {int(years[-1])}" for y in table["effect_from"]],
        dtype=object,
    )
    custom = (
        np.stack(
            [
                table["name"].astype(object),
                table["owner"].astype(object),
                table["capex"].astype(float),
                table["start_year"].astype(int),
                effect_text,
                table["level"].astype(float),
                table["steps"],
            ],
            axis=-1,
        )
        if n
        else np.zeros((0, 7))
    )
    hover = (
        "%{y}: %{customdata[0]}<br>owner %{customdata[1]}"
        "<br>capex spent %{customdata[2]:,.0f} CNY<br>start year %{customdata[3]}"
        "<br>in effect from %{customdata[4]}<br>level %{customdata[5]:.3g}"
        "<br>started (year: level) %{customdata[6]}"
    )
    fig = go.Figure()
    lead = effect > begin + 1e-9
    if lead.any():
        fig.add_trace(
            go.Bar(
                name="started, not yet in effect (lead time)",
                orientation="h",
                y=table["id"][lead],
                x=(effect - begin)[lead],
                base=begin[lead],
                customdata=custom[lead],
                marker={
                    "color": _COLOURS["lead"],
                    "pattern": {"shape": "/", "fgcolor": "#A0522D", "solidity": 0.3},
                },
                hovertemplate=hover + "<br>lead time<extra></extra>",
            )
        )
    acting = end > effect + 1e-9
    if acting.any():
        fig.add_trace(
            go.Bar(
                name="in effect",
                orientation="h",
                y=table["id"][acting],
                x=(end - effect)[acting],
                base=effect[acting],
                customdata=custom[acting],
                marker={"color": _COLOURS["effect"]},
                hovertemplate=hover + "<br>in effect<extra></extra>",
            )
        )
    if n == 0:
        _no_data(fig, "no project started within the horizon")
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(table["id"]),
        autorange="reversed",
        tickfont={"size": 10},
    )
    _year_axis(fig, years)
    spent = float(table["capex"].sum()) if n else 0.0
    return _layout(
        fig,
        f"Implementation timeline {int(years[0])}-{int(years[-1])}: {n} projects started, "
        f"{spent:,.0f} CNY capex (bar from the start year; hatched = lead time)",
        "planning year",
        "project (by start year, then capex)",
        height=max(420, 150 + 16 * n),
    )


def spending_by_year(ds: xr.Dataset) -> go.Figure:
    """Stacked bars of capex started each year by project category (CNY), with the
    per-year budget and, with carry-over, the money available in each year."""
    years = _years(ds)
    spent = (ds["started"] * ds["capex"]).transpose("year", "project").values
    categories = np.array(
        [c if c else "(no category)" for c in ds["category"].values.astype(str)], dtype=object
    )
    names = sorted(set(categories[spent.sum(axis=0) > 0]))
    totals = {name: spent[:, categories == name].sum(axis=1) for name in names}
    fig = go.Figure()
    for i, name in enumerate(sorted(names, key=lambda c: -totals[c].sum())):
        counts = (ds["started"].values[:, categories == name] > CHOSEN_THRESHOLD).sum(axis=1)
        fig.add_trace(
            go.Bar(
                name=name,
                x=years,
                y=totals[name],
                customdata=counts,
                marker_color=_CATEGORY_COLOURS[i % len(_CATEGORY_COLOURS)],
                hovertemplate=(
                    f"{html.escape(name)} %{{x}}: %{{y:,.0f}} CNY"
                    "<br>%{customdata} projects started<extra></extra>"
                ),
            )
        )
    budget = ds["budget_by_year"].values.astype(float)
    if np.isfinite(budget).any():
        fig.add_trace(
            go.Scatter(
                name="budget of the year",
                x=years,
                y=budget,
                mode="lines+markers",
                line={"color": _COLOURS["budget"], "width": 2},
                hovertemplate="budget %{x}: %{y:,.0f} CNY<extra></extra>",
            )
        )
        if plan_settings(ds)["carry_over"]:
            fig.add_trace(
                go.Scatter(
                    name="available with carry-over",
                    x=years,
                    y=available_by_year(ds),
                    mode="lines+markers",
                    line={"color": _COLOURS["available"], "dash": "dot"},
                    hovertemplate="available %{x}: %{y:,.0f} CNY<extra></extra>",
                )
            )
    if not names:
        _no_data(fig, "no capex spent")
    fig.update_layout(barmode="stack", legend_title_text="category")
    fig.update_yaxes(tickformat=",~r")
    _year_axis(fig, years)
    total = float(ds["capex_used"].sum())
    return _layout(
        fig,
        f"Capex started per year by category against the budget (CNY; {total:,.0f} in all)",
        "planning year",
        "capex (CNY)",
    )


# --------------------------------------------------------------------------- (b) paths


def park_totals_by_year(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """(Y,) park totals by year: pollution equivalents/yr, tce/yr, tCO2/yr, the number of
    (enterprise, pollutant) pairs above their permit and the total excess (t/yr)."""
    excess = ds["permit_excess"].transpose("year", "enterprise", "pollutant").values
    return {
        "pollution_eq": ds["pollution_eq"].sum(["enterprise", "pollutant"]).values,
        "tce": ds["energy_tce"].sum(["enterprise", "carrier"]).values,
        "co2": ds["co2"].sum(["enterprise", "carrier"]).values,
        "pairs_over": (excess > EXCESS_THRESHOLD).sum(axis=(1, 2)),
        "excess_t": excess.sum(axis=(1, 2)),
    }


def _capped(ds: xr.Dataset) -> list[str]:
    caps = ds["park_cap_by_year"].transpose("year", "pollutant").values
    return [
        str(p)
        for p, has in zip(ds["pollutant"].values, ~np.isnan(caps).all(axis=0), strict=True)
        if has
    ]


def emissions_vs_caps(ds: xr.Dataset) -> go.Figure:
    """One panel per capped pollutant: park emissions by year (t/yr) against the cap
    (dashed step, each year's cap held across that year) and the baseline (dotted)."""
    years = _years(ds)
    capped = _capped(ds)
    if not capped:
        fig = _no_data(go.Figure(), "no park caps in this scenario")
        _year_axis(fig, years)
        return _layout(fig, "Park emissions against park caps (t/yr)", "planning year", "t/yr")
    cols = min(3, len(capped))
    rows = math.ceil(len(capped) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"{p} (t/yr)" for p in capped],
        horizontal_spacing=0.08,
        vertical_spacing=0.18 if rows > 1 else 0.1,
    )
    step_x = [float(y) - 0.5 for y in years] + [float(years[-1]) + 0.5]
    for i, pollutant in enumerate(capped):
        row, col = i // cols + 1, i % cols + 1
        after = ds["emissions"].sel(pollutant=pollutant).sum("enterprise").values
        cap = ds["park_cap_by_year"].sel(pollutant=pollutant).values.astype(float)
        base = float(ds["emissions_baseline"].sel(pollutant=pollutant).sum())
        first = i == 0
        fig.add_trace(
            go.Scatter(
                name="park emissions",
                legendgroup="after",
                showlegend=first,
                x=years,
                y=after,
                mode="lines+markers",
                line={"color": _COLOURS["after"], "width": 2},
                hovertemplate=f"{pollutant} %{{x}}: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="park cap",
                legendgroup="cap",
                showlegend=first,
                x=step_x,
                y=[*cap, cap[-1]],
                mode="lines",
                line={"color": _COLOURS["cap"], "dash": "dash", "shape": "hv"},
                hovertemplate=f"{pollutant} cap: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="baseline",
                legendgroup="baseline",
                showlegend=first,
                x=[step_x[0], step_x[-1]],
                y=[base, base],
                mode="lines",
                line={"color": _COLOURS["baseline"], "dash": "dot"},
                hovertemplate=f"{pollutant} baseline: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
    _year_axis(fig, years)
    fig.update_yaxes(rangemode="tozero", tickformat=",~r")
    return _layout(
        fig,
        "Park emissions by year against the park caps (t/yr)",
        "",
        "",
        height=max(420, 330 * rows + 60),
    )


def pollution_by_year(ds: xr.Dataset) -> go.Figure:
    """Park pollution equivalents by year, stacked by medium, and the baseline total."""
    years = _years(ds)
    media = ds["pollutant_medium"].values.astype(str)
    has_pe = ds["pe_per_t"].values > 0
    by_pollutant = ds["pollution_eq"].sum("enterprise").transpose("year", "pollutant").values
    fig = go.Figure()
    for medium in pe_media(ds):
        columns = (media == medium) & has_pe
        if not columns.any():
            continue
        fig.add_trace(
            go.Bar(
                name=medium,
                x=years,
                y=by_pollutant[:, columns].sum(axis=1),
                marker_color=_COLOURS[medium],
                hovertemplate=f"{medium} %{{x}}: %{{y:,.0f}} eq/yr<extra></extra>",
            )
        )
    base = float(ds["pollution_eq_baseline"].sum())
    fig.add_trace(
        go.Scatter(
            name="baseline (all media)",
            x=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
            y=[base, base],
            mode="lines",
            line={"color": _COLOURS["baseline"], "dash": "dash"},
            hovertemplate="baseline: %{y:,.0f} eq/yr<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(rangemode="tozero", tickformat=",~r")
    _year_axis(fig, years)
    return _layout(
        fig,
        "Park pollution load by year and medium (pollution equivalents/yr)",
        "planning year",
        "pollution equivalents/yr",
    )


def energy_co2_by_year(ds: xr.Dataset) -> go.Figure:
    """Two panels: park energy use (tce/yr) and CO2 from energy (tCO2/yr) by year, each
    against its baseline (dashed)."""
    years = _years(ds)
    totals = park_totals_by_year(ds)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["Energy (tce/yr)", "CO2 from energy (tCO2/yr)"]
    )
    series = [
        ("tce", "energy", totals["tce"], float(ds["energy_tce_baseline"].sum()), "tce/yr"),
        ("co2", "CO2", totals["co2"], float(ds["co2_baseline"].sum()), "tCO2/yr"),
    ]
    for col, (key, label, values, base, unit) in enumerate(series, start=1):
        fig.add_trace(
            go.Scatter(
                name=f"park {label}",
                x=years,
                y=values,
                mode="lines+markers",
                line={"color": _COLOURS[key], "width": 2},
                customdata=100.0 * (values - base) / base if base else np.zeros(len(values)),
                hovertemplate=(
                    f"{label} %{{x}}: %{{y:,.0f}} {unit}"
                    "<br>%{customdata:+.1f}% against the baseline<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="baseline",
                legendgroup="baseline",
                showlegend=col == 1,
                x=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
                y=[base, base],
                mode="lines",
                line={"color": _COLOURS["baseline"], "dash": "dash"},
                hovertemplate=f"{label} baseline: %{{y:,.0f}} {unit}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    _year_axis(fig, years)
    fig.update_yaxes(tickformat=",~r")
    return _layout(fig, "Park energy (tce/yr) and CO2 from energy (tCO2/yr) by year", "", "")


def compliance_by_year(ds: xr.Dataset) -> go.Figure:
    """Bars: (enterprise, pollutant) pairs above their permit each year; line: the sum of
    the excesses over all pairs (t/yr, right axis)."""
    years = _years(ds)
    totals = park_totals_by_year(ds)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            name="pairs over their permit",
            x=years,
            y=totals["pairs_over"],
            marker_color=_COLOURS["count"],
            hovertemplate="%{x}: %{y} enterprise-pollutant pairs over their permit<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            name="total excess (t/yr)",
            x=years,
            y=totals["excess_t"],
            mode="lines+markers",
            line={"color": _COLOURS["excess"]},
            hovertemplate="%{x}: %{y:,.4g} t/yr above permits in all<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="pairs over permit (count)", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="excess (t/yr)", rangemode="tozero", secondary_y=True)
    _year_axis(fig, years)
    mode = ds.attrs.get("permit_mode", "?")
    return _layout(
        fig,
        f"Permit compliance by year (permits: {mode}): pairs over permit (count) and "
        "total excess (t/yr)",
        "planning year",
        "",
    )


def timeline_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """The multi-year figures, in report order; {} for a one-year Dataset."""
    if not is_multi_year(ds):
        return {}
    return {
        "implementation_timeline": implementation_timeline(ds),
        "spending_by_year": spending_by_year(ds),
        "emissions_vs_caps": emissions_vs_caps(ds),
        "pollution_by_year": pollution_by_year(ds),
        "energy_co2_by_year": energy_co2_by_year(ds),
        "compliance_by_year": compliance_by_year(ds),
    }


# --------------------------------------------------------------------------- HTML


def _cell(text: str, numeric: bool) -> str:
    return (
        f'<td class="num">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"
    )


def timeline_section_html(ds: xr.Dataset, largest: int = 5) -> str:
    """HTML fragment (no figures): heading, one row per planning year (projects first
    started that year, how many of them act only after a lead time, capex started, the
    year's budget, the park's pollution equivalents, tce and pairs over permit that year,
    the largest capex started), then a note. "" for a one-year Dataset."""
    if not is_multi_year(ds):
        return ""
    years = _years(ds)
    table = plan_table(ds)
    totals = park_totals_by_year(ds)
    budget = ds["budget_by_year"].values.astype(float)
    spent = capex_by_year(ds)
    settings = plan_settings(ds)
    headers = [
        "year",
        "projects started",
        "of which with lead time",
        "capex started CNY",
        "budget of the year CNY",
        "pollution eq/yr",
        "tce/yr",
        "pairs over permit",
        f"largest capex started in the year (up to {largest})",
    ]
    steps = ds["started"].transpose("year", "project").values
    step_capex = steps * ds["capex"].values
    project_ids = ds["project"].values.astype(str)
    body = []
    for t, year in enumerate(years):
        mine = table["start_year"] == year
        delayed = mine & (table["effect_from"] != year)
        now = np.flatnonzero(steps[t] > CHOSEN_THRESHOLD)
        now = now[np.lexsort((project_ids[now], -step_capex[t, now]))]
        names = [
            project_ids[j]
            if steps[t, j] > 1 - 1e-6
            else f"{project_ids[j]} (level {steps[t, j]:.3g})"
            for j in now[:largest]
        ]
        shown = ", ".join(names) + (f" and {len(now) - largest} more" if len(now) > largest else "")
        cells = [
            (str(int(year)), False),
            (str(int(mine.sum())), True),
            (str(int(delayed.sum())), True),
            (fmt_number(float(spent[t])), True),
            (fmt_number(float(budget[t])) if np.isfinite(budget[t]) else "no limit", True),
            (fmt_number(float(totals["pollution_eq"][t])), True),
            (fmt_number(float(totals["tce"][t])), True),
            (str(int(totals["pairs_over"][t])), True),
            (shown or "none", False),
        ]
        body.append("<tr>" + "".join(_cell(text, num) for text, num in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    horizon = settings["horizon_objective"]
    rate = settings["discount_rate"]
    if horizon == "final":
        counted = f"only the final year, {int(years[-1])}, counts in the objective"
    else:
        shown_rate = f"{100 * rate:g} %" if math.isfinite(rate) else "the scenario's rate"
        counted = (
            "every year's reduction counts in the objective, discounted at "
            f"{shown_rate} a year from {int(years[0])}"
        )
    carry = (
        "unspent money of a year may be spent later (carry-over)"
        if settings["carry_over"]
        else "each year's money can only be spent within that year"
    )
    note = (
        f"<p>Plan over {int(years[0])}-{int(years[-1])}: {len(table['id'])} projects started, "
        f"{fmt_number(float(spent.sum()))} CNY capex. A project's capex falls in its start "
        "year; it acts from its start year plus its lead time on and stays in effect (a "
        "divisible project may be started in steps over several years; a step shows its "
        "level). "
        f"Per-year budgets: {carry}. Objective: {counted}. Emissions, energy and permits "
        "are checked in every year against that year's limits. In the timeline figure, the "
        "hatched part of a bar is the lead time (started, not yet in effect).</p>"
    )
    return (
        f"<h2>Implementation plan {int(years[0])}-{int(years[-1])}</h2>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"
        f"{note}\n"
    )
