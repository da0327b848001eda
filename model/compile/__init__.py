"""Compile stage: a validated scenario becomes `ParkData`, plain arrays and index maps
(docs/architecture.md)."""
