"""Report stage: the terminal summary, the HTML pages and their Plotly figures, built from
Datasets only (docs/architecture.md)."""
