"""Reads, one module per page family: each page gets its rows from one function."""
