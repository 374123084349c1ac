from .documents import DocumentCounter, DuesDocument
from .dues import (
    Allocation,
    DuesExemption,
    DuesLine,
    DuesRate,
    DuesReminderStep,
    Payment,
    PaymentCancellation,
)
from .partnerships import Agreement, SteeringMember, TransferOffer
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
    "Agreement",
    "SteeringMember",
    "TransferOffer",
    "Allocation",
    "DocumentCounter",
    "DuesDocument",
    "DuesExemption",
    "DuesLine",
    "DuesRate",
    "DuesReminderStep",
    "Payment",
    "PaymentCancellation",
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
