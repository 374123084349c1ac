"""Reads of the members app that are more than one queryset method (HackSoft selectors).

One module per domain: ``members.selectors.platforms`` (directory, regions, edit page,
correspondents), ``members.selectors.history`` (a platform's profile history) and
``members.selectors.dues`` (board, summaries, digest).
"""
