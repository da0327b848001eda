"""Appraise stage: pure calculators on a park and a portfolio, without Pyomo or Datasets:
evaluation, the hard-limit check, project economics, the audit view and CP levels
(docs/architecture.md)."""
