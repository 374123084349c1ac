"""Reads of the members app that are more than one queryset method (HackSoft selectors).

One module per domain: ``members.selectors.platforms`` (directory, regions, profile
history, correspondents); dues may add ``members.selectors.dues``.
"""
