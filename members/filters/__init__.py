"""Filters of the members app, one module per domain (platforms, dues)."""
