from .platforms import (
    Campus,
    Correspondent,
    Domain,
    Equipment,
    Establishment,
    Platform,
    PlatformHost,
    PlatformMembership,
    Service,
)
from .territories import Department, Region

__all__ = [
    "Campus",
    "Correspondent",
    "Department",
    "Domain",
    "Equipment",
    "Establishment",
    "Platform",
    "PlatformHost",
    "PlatformMembership",
    "Region",
    "Service",
]
