"""ParkCP: cleaner-production project selection for industrial parks."""

__version__ = "0.1.0"
