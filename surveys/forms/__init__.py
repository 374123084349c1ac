"""Forms of the surveys app, one module per page family (they only parse)."""
