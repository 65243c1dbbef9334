"""qinet: dashboards for NHS quality-improvement programmes."""

__version__ = "0.1.0"
