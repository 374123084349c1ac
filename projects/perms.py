"""Who may do what with calls, alerts and projects. Plain functions, used by views,
templates and tests alike.

Anonymous: nothing. Members (directors, staff): read calls, follow them, alerts, propose
calls, their projects. Bureau: everything. Ministry: read calls and project figures
(counts and amounts), never a project's documents or details.
"""

from innovalo.perms import is_bureau, is_ministry
from members.perms import is_platform_person

from .enums import PRIVATE_STATUSES


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_member(user) -> bool:
    """A platform person (director, staff): not the bureau, not the ministry."""
    return _active(user) and not is_bureau(user) and not is_ministry(user)


# Calls ------------------------------------------------------------------------


def can_read_calls(user) -> bool:
    return _active(user)


def can_see_call(user, call) -> bool:
    if not _active(user):
        return False
    if call.status in PRIVATE_STATUSES:
        return is_bureau(user) or call.proposed_by_id == user.pk
    return True


def can_manage_calls(user) -> bool:
    """Create, edit, archive, publish proposals, import, review imported changes."""
    return is_bureau(user)


def can_propose_call(user) -> bool:
    return _is_member(user)


def can_follow_calls(user) -> bool:
    """Follow a call, save a search: every logged-in person but the ministry's
    read-only account may; the ministry may too, it only reads."""
    return _active(user)


def can_declare_interest(user, platform) -> bool:
    return is_bureau(user) or is_platform_person(user, platform)


def can_see_interests(user) -> bool:
    """Which platforms are interested in which call: members and the bureau."""
    return _active(user) and not is_ministry(user)


def can_export_calls(user) -> bool:
    return _active(user)


# Projects -----------------------------------------------------------------------


def _platform_ids(user) -> set[int]:
    cache = getattr(user, "_platform_ids_cache", None)
    if cache is None:
        cache = set(user.platform_memberships.values_list("platform_id", flat=True))
        user._platform_ids_cache = cache
    return cache


def is_project_lead(user, project) -> bool:
    return _active(user) and project.lead_platform_id in _platform_ids(user)


def partner_platform_ids(project) -> set[int]:
    """The partner platforms (uses the prefetched partners when there are)."""
    return {p.platform_id for p in project.partners.all() if p.platform_id}


def is_project_partner(user, project) -> bool:
    return _active(user) and bool(partner_platform_ids(project) & _platform_ids(user))


def can_read_projects(user) -> bool:
    """The board: members see every project's title, call, stage and partners; the
    ministry reads counts and amounts."""
    return _active(user)


def can_create_project(user) -> bool:
    return is_bureau(user) or (_is_member(user) and bool(_platform_ids(user)))


def can_see_project_details(user, project) -> bool:
    """Summary, budget lines, documents, next step, history: the bureau, the lead's and
    the partners' people."""
    return is_bureau(user) or is_project_lead(user, project) or is_project_partner(user, project)


def can_see_project_amounts(user, project) -> bool:
    """Budget and amounts obtained: those who see the details, and the ministry."""
    return is_ministry(user) or can_see_project_details(user, project)


def can_edit_project(user, project) -> bool:
    return is_bureau(user) or is_project_lead(user, project)


def can_edit_partner_line(user, partner) -> bool:
    """A partner's people edit their own budget line; the lead and the bureau any line."""
    if can_edit_project(user, partner.project):
        return True
    return bool(partner.platform_id and partner.platform_id in _platform_ids(user))


def can_see_project_documents(user, project) -> bool:
    return can_see_project_details(user, project)


# Co-built projects' pages ------------------------------------------------------------
# A closed project (won, not retained, withdrawn) is not edited further except by the
# bureau; the ministry reads figures on the board, never a project's page.


def _project_open(project) -> bool:
    from .enums import OPEN_STAGES

    return project.stage in OPEN_STAGES


def can_see_project_page(user, project) -> bool:
    """Members see a project's title, call, stage and partners; the ministry does not
    open projects (403): it reads counts and amounts on the board."""
    return _active(user) and not is_ministry(user)


def can_see_project_figures(user) -> bool:
    """Counts and amounts requested/obtained per stage, summed in SQL."""
    return is_bureau(user) or is_ministry(user)


def can_change_project(user, project) -> bool:
    """Edit, partners, stage, next step: the lead's people while the project is open;
    the bureau always."""
    return is_bureau(user) or (is_project_lead(user, project) and _project_open(project))


def can_change_partner_line(user, partner) -> bool:
    """A partner's people edit their own line while the project is open."""
    return is_bureau(user) or (
        _project_open(partner.project) and can_edit_partner_line(user, partner)
    )


def can_add_project_document(user, project) -> bool:
    return is_bureau(user) or (_project_open(project) and can_see_project_documents(user, project))


def can_delete_project_document(user, project) -> bool:
    return can_change_project(user, project)


def can_correct_project_amounts(user, project) -> bool:
    """Amounts obtained are corrected by the bureau only, through a logged service."""
    from .enums import ProjectStage

    return is_bureau(user) and project.stage == ProjectStage.WON


# Firms' requests ---------------------------------------------------------------------------
# A platform's people see the requests routed to their platforms (transmitted, and after)
# or taken by them; a regional correspondent his region's; the bureau all; the ministry
# only counts (``/demandes/chiffres/``). A closed request is changed by the bureau only.


def correspondent_region_ids(user) -> set[int]:
    """The regions the user is the regional correspondent of (cached on the user)."""
    if not _active(user):
        return set()
    cache = getattr(user, "_correspondent_regions_cache", None)
    if cache is None:
        from members.enums import CorrespondentKind

        cache = set(
            user.correspondences.filter(
                kind=CorrespondentKind.REGIONAL, region__isnull=False
            ).values_list("region_id", flat=True)
        )
        user._correspondent_regions_cache = cache
    return cache


def request_platform_ids(firm_request) -> set[int]:
    """Platforms whose people see the request: those it was transmitted to (a proposal
    not confirmed is not), and the one that took it. Uses the prefetched routings."""
    from .models.requests import VISIBLE_ROUTINGS

    ids = {r.platform_id for r in firm_request.routings.all() if r.status in VISIBLE_ROUTINGS}
    if firm_request.taken_by_id:
        ids.add(firm_request.taken_by_id)
    return ids


def _request_open(firm_request) -> bool:
    from .enums import OPEN_REQUEST_STATUSES

    return firm_request.status in OPEN_REQUEST_STATUSES


def is_request_correspondent(user, firm_request) -> bool:
    return firm_request.region_id in correspondent_region_ids(user)


def is_request_platform_person(user, firm_request) -> bool:
    return _active(user) and bool(request_platform_ids(firm_request) & _platform_ids(user))


def is_request_taker(user, firm_request) -> bool:
    """One of the people of the platform that took the request."""
    return bool(
        _active(user)
        and firm_request.taken_by_id
        and firm_request.taken_by_id in _platform_ids(user)
    )


def can_read_requests(user) -> bool:
    """The board: the bureau, platforms' people and correspondents (who may see none
    yet); the ministry reads the figures only."""
    return _active(user) and not is_ministry(user)


def can_see_request(user, firm_request) -> bool:
    if not _active(user) or is_ministry(user):
        return False
    return (
        is_bureau(user)
        or is_request_correspondent(user, firm_request)
        or is_request_platform_person(user, firm_request)
    )


def can_route_request(user, firm_request) -> bool:
    """Confirm or change the routing: the region's correspondent or the bureau, while no
    platform has taken the request."""
    return (is_bureau(user) or is_request_correspondent(user, firm_request)) and (
        firm_request.taken_by_id is None and _request_open(firm_request)
    )


def can_answer_routing(user, routing, firm_request) -> bool:
    """Accept, decline or pass: the people of a platform the request was transmitted to,
    while nobody has taken it."""
    from .enums import RoutingStatus

    return (
        _active(user)
        and routing.status == RoutingStatus.NOTIFIED
        and routing.platform_id in _platform_ids(user)
        and firm_request.taken_by_id is None
        and _request_open(firm_request)
    )


def can_handle_request(user, firm_request) -> bool:
    """Mark it in progress, write to the firm: the people of the platform that took it
    (and the bureau), while it is open."""
    return (
        _request_open(firm_request)
        and bool(firm_request.taken_by_id)
        and (is_bureau(user) or is_request_taker(user, firm_request))
    )


def can_note_request(user, firm_request) -> bool:
    """Internal notes: whoever sees the request, while it is open (the bureau always)."""
    return can_see_request(user, firm_request) and (_request_open(firm_request) or is_bureau(user))


def can_close_request(user, firm_request) -> bool:
    """Close (done, declined, without answer): the platform that took it; before anyone
    took it, the region's correspondent; the bureau always while open."""
    if not _request_open(firm_request):
        return False
    if is_bureau(user):
        return True
    if firm_request.taken_by_id:
        return is_request_taker(user, firm_request)
    return is_request_correspondent(user, firm_request)


def can_reopen_request(user, firm_request) -> bool:
    return is_bureau(user) and not _request_open(firm_request)


def can_read_request_figures(user) -> bool:
    """Counts per region, domain, level and state: the bureau and the ministry."""
    return is_bureau(user) or is_ministry(user)
