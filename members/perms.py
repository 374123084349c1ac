"""Who may do what with platforms and dues. Plain functions, used everywhere."""

from innovalo.perms import is_bureau, is_ministry

from .enums import PlatformRole


def is_platform_person(user, platform) -> bool:
    """The user is one of the platform's people (director, staff, accounting)."""
    if not (user.is_authenticated and user.is_active):
        return False
    cache = getattr(user, "_platform_ids_cache", None)
    if cache is None:
        cache = set(user.platform_memberships.values_list("platform_id", flat=True))
        user._platform_ids_cache = cache
    return platform.pk in cache


def can_see_contacts(user) -> bool:
    """People's details are for logged-in members, never for the public."""
    return bool(user.is_authenticated and user.is_active)


def can_edit_platform(user, platform) -> bool:
    return is_bureau(user) or is_platform_person(user, platform)


def can_see_platform_history(user, platform) -> bool:
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
