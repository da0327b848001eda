"""Building blocks of ParkCP's self-contained HTML pages: style, tables, figure blocks.

plotly.js is embedded in the first figure block only, so a page opens offline. A table of
more than `FOLD_AFTER` rows shows its first rows (callers put the chosen or most important
first) and folds the whole table away below them in a <details> block; every table can be
sorted by clicking a column header and a folded one filtered by typing, through one small
script embedded in the page (`_SCRIPT`, no network). `html_page` numbers the <h2>
sections, gives each an anchor and writes a table of contents after the first block;
its print style keeps tables and figures legible on paper (the first rows of each table;
the folded full tables are left out, the CSV files beside the page hold them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection

import pandas as pd

from model.report.figures.style import empty_reason, house_style

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
nav.toc { background: #fafafa; border: 1px solid #e5e5e5; padding: 0.4rem 1rem; }
nav.toc ol { margin: 0.3rem 0; columns: 2; } nav.toc a { text-decoration: none; }
.headline { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
            gap: 0.6rem; margin: 1rem 0; }
.headline div { border: 1px solid #ddd; border-radius: 4px; padding: 0.5rem 0.7rem; }
.headline b { display: block; font-size: 1.25rem; }
.ok { color: #1a7f37; } .bad { color: #b22222; font-weight: 600; }
details.full { margin: 0.3rem 0 1rem; } details.full summary { cursor: pointer; color: #0a58ca; }
input.filter { margin: 0.4rem 0; padding: 0.2rem 0.4rem; width: 20rem; }
th.sortable { cursor: pointer; } th.sortable::after { content: " \\2195"; color: #999; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  nav.toc, details.full { display: none; } th.sortable::after { content: none; }
  h2 { break-after: avoid; } tr, .figure, .headline div { break-inside: avoid; }
  table { font-size: 8pt; } .figure { max-width: 100%; }
}
"""

_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach((th, col) => {
  th.classList.add('sortable');
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const index = [...th.parentNode.children].indexOf(th);
    const key = (row) => { const t = row.cells[index].textContent.trim();
      const n = parseFloat(t.replace(/,/g, '').replace(/[^0-9eE+.-].*$/, ''));
      return isNaN(n) ? t.toLowerCase() : n; };
    const up = th.dataset.dir !== 'up'; th.dataset.dir = up ? 'up' : 'down';
    [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
      const c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0)
                                        : (typeof x === 'number' ? -1 : 1);
      return up ? c : -c; }).forEach(r => body.appendChild(r));
  });
});
document.querySelectorAll('input.filter').forEach(input => {
  input.addEventListener('input', () => {
    const words = input.value.toLowerCase();
    const table = input.parentNode.querySelector('table');
    [...table.tBodies[0].rows].forEach(r => {
      r.style.display = r.textContent.toLowerCase().includes(words) ? '' : 'none'; });
  });
});
"""

FOLD_AFTER = 15
"""Rows a table shows before the rest is folded away (the whole table below them)."""

ROW_LIMIT = 2000
"""Longest full table written into the report; the rest is in results.nc and the CSV."""


def table_html(
    headers: list[str],
    rows: list[list[str]],
    numeric_from: int,
    text_columns: Collection[int] = (),
    what: str = "rows",
) -> str:
    """HTML table; columns from index `numeric_from` on are right-aligned numbers, except
    those listed in `text_columns`. Over `FOLD_AFTER` rows: the first ones, then the whole
    table (sortable, filterable) folded away, its summary naming the count and `what`."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)

    def body(selected: list[list[str]]) -> str:
        return "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{html.escape(c)}</td>'
                if i >= numeric_from and i not in text_columns
                else f"<td>{html.escape(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in selected
        )

    def table(selected: list[list[str]]) -> str:
        return (
            f'<table class="sortable"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body(selected)}</tbody></table>"
        )

    if len(rows) <= FOLD_AFTER:
        return table(rows)
    return (
        table(rows[:FOLD_AFTER])
        + f'<details class="full"><summary>All {len(rows)} {html.escape(what)} (click a '
        "column header to sort, type to filter)</summary>"
        '<input class="filter" type="search" placeholder="filter rows">'
        + table(rows)
        + "</details>"
    )


def figure_blocks(figs: dict) -> list[str]:
    """One <div> per Plotly figure, in the house style (model/report/figures/style.py);
    plotly.js is embedded in the first drawn one only. A figure marked empty is a one-line
    note instead."""
    blocks = []
    embedded = False
    for name, fig in figs.items():
        reason = empty_reason(fig)
        if reason is not None:
            title = fig.layout.title.text or name.replace("_", " ")
            blocks.append(note(f"{_plain(title)}: not drawn, {reason}."))
            continue
        house_style(fig)
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=not embedded,
            include_mathjax=False,
            default_height="480px",
            div_id=f"fig-{name}",
        )
        embedded = True
        blocks.append(f'<div class="figure">{div}</div>')
    return blocks


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


def _with_contents(parts: list[str]) -> list[str]:
    """The parts with an anchor on every <h2> and, after the first part, a table of
    contents linking them (none for a page of fewer than three sections)."""
    used: set[str] = set()
    entries: list[str] = []

    def anchor(match: re.Match) -> str:
        title = match.group(1)
        slug = _slug(re.sub(r"<[^>]+>", "", title), used)
        entries.append(f'<li><a href="#{slug}">{title}</a></li>')
        return f'<span id="{slug}"></span><h2>{title}</h2>'

    anchored = [re.sub(r"<h2>(.*?)</h2>", anchor, part) for part in parts]
    if len(entries) < 3 or not anchored:
        return anchored
    toc = f'<nav class="toc"><strong>Contents</strong><ol>{"".join(entries)}</ol></nav>'
    return [anchored[0], toc, *anchored[1:]]


def html_page(title: str, body_parts: list[str]) -> str:
    """A complete, self-contained HTML page with the report style, a table of contents
    and the table script."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *_with_contents(body_parts),
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _plain(title: str) -> str:
    """A figure title as plain text (its <br> line breaks as spaces, no other tags)."""
    return re.sub(r"<[^>]+>", "", title.replace("<br>", " ")).strip()


def note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def capped(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    """The first `ROW_LIMIT` rows, and a note when rows were left out."""
    if len(frame) <= ROW_LIMIT:
        return frame, ""
    return frame.head(ROW_LIMIT), note(
        f"Showing the first {ROW_LIMIT} of {len(frame)} {what}; results.nc holds all of them."
    )
