"""Reads of the surveys app, one module per page family (import the module you need)."""
