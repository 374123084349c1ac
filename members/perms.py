"""Who may do what with platforms and dues. Plain functions, used everywhere."""

from innovalo.perms import is_bureau, is_ministry

from .enums import PlatformRole


def platform_ids(user) -> set[int]:
    """The ids of the platforms the user is one of the people of (read once per request)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    cache = getattr(user, "_platform_ids_cache", None)
    if cache is None:
        cache = set(user.platform_memberships.values_list("platform_id", flat=True))
        user._platform_ids_cache = cache
    return cache


def is_platform_person(user, platform) -> bool:
    """The user is one of the platform's people (director, staff, accounting)."""
    return platform.pk in platform_ids(user)


def can_see_contacts(user) -> bool:
    """People's details are for logged-in members, never for the public."""
    return bool(user.is_authenticated and user.is_active)


def can_edit_platform(user, platform) -> bool:
    return is_bureau(user) or is_platform_person(user, platform)


def can_see_platform_history(user, platform) -> bool:
    """The history of a platform's profile: the bureau, and the platform's own people
    (never another platform's, never the ministry)."""
    if is_ministry(user):
        return False
    return is_bureau(user) or is_platform_person(user, platform)


def can_see_private_history(user, platform) -> bool:
    """The bureau's own entries in a platform's history (e.g. an exemption's reason)."""
    return is_bureau(user)


def can_invite_for_platform(user, platform) -> bool:
    return is_bureau(user)


def can_export_directory(user) -> bool:
    return is_bureau(user)


def can_import_platforms(user) -> bool:
    return is_bureau(user)


# Dues -----------------------------------------------------------------------


def can_manage_dues(user) -> bool:
    """The bureau's board, payments, calls and reminders."""
    return is_bureau(user)


def can_see_platform_dues(user, platform) -> bool:
    """A platform's dues and documents: the bureau and that platform's own people.

    The ministry never sees individual payments.
    """
    if is_ministry(user):
        return False
    return is_bureau(user) or is_platform_person(user, platform)


def can_see_dues_document(user, platforms) -> bool:
    """A document is the bureau's, and that of the platforms it is about (a receipt
    may concern several platforms paid by one cheque)."""
    return can_manage_dues(user) or any(
        can_see_platform_dues(user, platform) for platform in platforms
    )


PLATFORM_ROLES_FOR_DUES = (PlatformRole.DIRECTOR, PlatformRole.ACCOUNTING)


# Steering committee (issue 11) ------------------------------------------------


def is_platform_person_id(user, platform_id) -> bool:
    """`is_platform_person` for a platform known by its id (same cache, no platform row)."""
    return platform_id in platform_ids(user)


def sits_on_steering_committee(user, platform_id) -> bool:
    """The user, with an account, is a member of the platform's steering committee."""
    if not (user.is_authenticated and user.is_active):
        return False
    cache = getattr(user, "_steering_platform_ids_cache", None)
    if cache is None:
        cache = set(user.steering_seats.values_list("platform_id", flat=True))
        user._steering_platform_ids_cache = cache
    return platform_id in cache


def can_manage_steering_committee(user, platform) -> bool:
    """Keep the committee's members and hold its meetings: the platform's people and the
    bureau (never the read-only ministry)."""
    if is_ministry(user):
        return False
    return is_bureau(user) or is_platform_person_id(user, platform.pk)


def can_see_steering_committee(user, platform) -> bool:
    """The committee's page: those who run it, and its members who have an account."""
    return can_manage_steering_committee(user, platform) or sits_on_steering_committee(
        user, platform.pk
    )


def can_see_steering_member_contacts(user, platform) -> bool:
    """The outside members' email addresses: for those who run the committee."""
    return can_manage_steering_committee(user, platform)


# Agreements and transfer offer (issue 11) ------------------------------------------


def can_see_agreements(user, platform) -> bool:
    """A platform's partnership agreements, their history and signed documents: its
    people and the bureau (never the ministry, never another platform)."""
    return is_bureau(user) or is_platform_person(user, platform)


def can_manage_agreements(user, platform) -> bool:
    """Add, change or delete a platform's agreements: those who see them."""
    return can_see_agreements(user, platform)


def can_see_network_agreements(user) -> bool:
    """The agreements that end across the network: the bureau."""
    return is_bureau(user)
