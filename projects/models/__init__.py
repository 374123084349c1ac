"""The calls watch (``calls``, ``alerts``) and co-built projects (``projects``).
Writes live in ``projects/services/``."""

from .alerts import SavedSearch
from .calls import (
    Call,
    CallDeadline,
    CallFollow,
    CallInterest,
    Funder,
    PendingCallChange,
    Theme,
)
from .projects import Project, ProjectDocument, ProjectPartner
from .requests import FirmRequest, RequestEvent, RequestRouting

__all__ = [
    "Call",
    "CallDeadline",
    "CallFollow",
    "CallInterest",
    "FirmRequest",
    "Funder",
    "PendingCallChange",
    "Project",
    "ProjectDocument",
    "ProjectPartner",
    "RequestEvent",
    "RequestRouting",
    "SavedSearch",
    "Theme",
]
