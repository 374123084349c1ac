"""The national dashboard (issue 13): the network in figures for the bureau and the
ministry, at /tableau-de-bord/, each chart's CSV, and the annual national report (PDF)."""
