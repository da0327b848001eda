"""Plotly figures of runs, plans, the audit view and studies, built from Datasets only."""
