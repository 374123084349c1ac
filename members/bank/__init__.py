"""Bank statements: parsing (CAMT.053, the bank's CSV) and matching credits to dues."""
