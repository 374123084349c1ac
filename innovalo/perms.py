"""Who may do what in the portal as a whole. Plain functions, used by views,
templates (through the `portal` context processor) and tests alike."""


def is_bureau(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_bureau)


def is_ministry(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_ministry)


def is_director(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_director)


def can_manage_invitations(user) -> bool:
    return is_bureau(user)


def can_read_national_data(user) -> bool:
    """National dashboards: the bureau and the ministry."""
    return is_bureau(user) or is_ministry(user)


def can_anonymise_users(user) -> bool:
    return is_bureau(user)


def require(allowed: bool) -> None:
    """In a view: refuse with 403 unless the perms function said yes."""
    if not allowed:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
