"""Building blocks of ParkCP's self-contained HTML pages: style, tables, figure blocks.

plotly.js is embedded in the first figure block only, so a page opens offline.
"""

from __future__ import annotations

import html
from collections.abc import Collection

import pandas as pd

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans SC", sans-serif;
       margin: 1.5rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; font-family: monospace; }
.figure { margin: 1rem 0; }
p.note { color: #555; font-size: 0.9rem; }
"""

ROW_LIMIT = 200
"""Longest table shown in the report; the rest is in results.nc."""


def table_html(
    headers: list[str],
    rows: list[list[str]],
    numeric_from: int,
    text_columns: Collection[int] = (),
) -> str:
    """HTML table; columns from index `numeric_from` on are right-aligned numbers, except
    those listed in `text_columns`."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if i >= numeric_from and i not in text_columns
            else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_blocks(figs: dict) -> list[str]:
    """One <div> per Plotly figure; plotly.js is embedded in the first one only."""
    blocks = []
    for index, (name, fig) in enumerate(figs.items()):
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            include_mathjax=False,
            default_height="480px",
            div_id=f"fig-{name}",
        )
        blocks.append(f'<div class="figure">{div}</div>')
    return blocks


def html_page(title: str, body_parts: list[str]) -> str:
    """A complete, self-contained HTML page with the report style."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *body_parts,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def capped(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    """The first `ROW_LIMIT` rows, and a note when rows were left out."""
    if len(frame) <= ROW_LIMIT:
        return frame, ""
    return frame.head(ROW_LIMIT), note(
        f"Showing the first {ROW_LIMIT} of {len(frame)} {what}; results.nc holds all of them."
    )
