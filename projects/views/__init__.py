"""One module per page family: ``calls``, ``imports`` (import, review, exports, ICS),
``alerts`` (saved searches, unsubscribe), ``projects``."""
