"""A platform's steering committee (*comité de pilotage*): its members, and its meetings,
held with the meetings app (a meeting of kind steering committee tied to the platform).

The service contract (``innovalo.exceptions``): keyword arguments with plain data, an actor,
one transaction with the row changed locked, ``ServiceError`` on refusal, one history entry
(``innovalo.audit.log_action``) per change. A member's entries are scoped to its platform
(action ``members.steering_*``): the committee's page shows them; a meeting's are its own.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.audit import diff, labelled, log_action, snapshot
from innovalo.exceptions import ServiceError
from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting, MeetingInvitation
from meetings.services import invite_guest, invite_users
from meetings.services.meetings import MEETING_FIELDS, check_dates

from ..enums import College
from ..models import Platform, SteeringMember

logger = logging.getLogger(__name__)

MEMBER_FIELDS = ("user", "name", "email", "organisation", "college", "role")
HISTORY_ACTION_PREFIX = "members.steering_"
# What a steering committee meeting is given when created (its kind and platform are fixed).
STEERING_MEETING_FIELDS = tuple(
    name for name in MEETING_FIELDS if name not in ("kind", "has_dinner", "has_visit")
)
DUPLICATE = gettext_lazy("Cette personne siège déjà au comité.")


def _clean(member: SteeringMember) -> None:
    """The member's own rules, said next to the form's fields: a person of the portal or an
    outside name with an organisation, a college, the fields' lengths and the email's form."""
    member.organisation = member.organisation.strip()
    member.role = member.role.strip()
    if member.user_id is not None:
        if not member.user.is_active:
            raise ServiceError(_("Ce compte est désactivé."), field="user_email")
        # A person of the portal is named and reached by their account.
        member.name, member.email = "", ""
    else:
        member.name = member.name.strip()
        if not member.name:
            raise ServiceError(
                _(
                    "Donnez l'adresse d'une personne du portail "
                    "ou le nom d'une personne extérieure."
                ),
                field="name",
            )
        if not member.organisation:
            raise ServiceError(_("Indiquez l'organisme de cette personne."), field="organisation")
        member.email = member.email.strip().lower()
        accounts = get_user_model().objects.filter(email__iexact=member.email, is_active=True)
        if member.email and accounts.exists():
            raise ServiceError(
                _(
                    "Cette adresse est celle d'un compte du portail : ajoutez la personne "
                    "par son adresse, comme personne du portail."
                ),
                field="email",
            )
    if member.college not in College.values:
        raise ServiceError(_("Choisissez le collège."), field="college")
    try:
        member.clean_fields(exclude=["platform", "user", "created_at"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ServiceError(messages[0], field=name) from None


def _check_unique(member: SteeringMember) -> None:
    if member.user_id is None:
        return
    taken = SteeringMember.objects.filter(platform=member.platform_id, user=member.user_id)
    if member.pk:
        taken = taken.exclude(pk=member.pk)
    if taken.exists():
        raise ServiceError(DUPLICATE, field="user_email")


def _save(member: SteeringMember) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # the same person added at the same moment by someone else
        raise ServiceError(DUPLICATE, field="user_email") from None


def _description(member: SteeringMember) -> str:
    return f"{member} ({College(member.college).label})"


@transaction.atomic
def steering_member_add(
    *,
    platform: Platform,
    actor,
    college: str,
    user=None,
    name: str = "",
    email: str = "",
    organisation: str = "",
    role: str = "",
) -> SteeringMember:
    """A member of the platform's committee: a person of the portal (`user`) or an outside
    name with their organisation (and an optional email for the convocations)."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    member = SteeringMember(
        platform=platform,
        user=user,
        name=name,
        email=email,
        organisation=organisation,
        college=college,
        role=role,
    )
    _clean(member)
    _check_unique(member)
    _save(member)
    log_action(
        member,
        "members.steering_member_added",
        actor=actor,
        message=_("Membre du comité ajouté : %s") % _description(member),
        scope=platform,
    )
    logger.info("steering member %s added to platform %s", member.pk, platform.pk)
    return member


@transaction.atomic
def steering_member_update(*, member: SteeringMember, actor, **fields) -> SteeringMember:
    """Change a member (`fields` among MEMBER_FIELDS); the history says what changed."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown steering member fields: {sorted(unknown)}")
    member = (
        SteeringMember.objects.select_for_update(of=("self",))
        .select_related("user", "platform")
        .get(pk=member.pk)
    )
    before = snapshot(member, MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value.strip() if isinstance(value, str) else value)
    _clean(member)
    _check_unique(member)
    changes = labelled(SteeringMember, diff(before, snapshot(member, MEMBER_FIELDS)))
    if not changes:
        return member
    _save(member)
    log_action(
        member,
        "members.steering_member_updated",
        actor=actor,
        message=_("Membre du comité modifié : %s") % member,
        changes=changes,
        scope=member.platform,
    )
    return member


@transaction.atomic
def steering_member_remove(*, member: SteeringMember, actor) -> None:
    """A member leaves the committee (the meetings keep their invitations and minutes)."""
    member = (
        SteeringMember.objects.select_for_update(of=("self",))
        .select_related("user", "platform")
        .filter(pk=member.pk)
        .first()
    )
    if member is None:
        raise ServiceError(_("Ce membre a déjà quitté le comité."))
    log_action(
        member,
        "members.steering_member_removed",
        actor=actor,
        message=_("Membre du comité retiré : %s") % _description(member),
        scope=member.platform,
    )
    member.delete()
    logger.info("steering member %s removed", member.pk)


# Meetings ------------------------------------------------------------------------------------


@transaction.atomic
def steering_meeting_create(*, platform: Platform, actor, **fields) -> Meeting:
    """A draft meeting of the platform's steering committee; then the meetings app's pages
    (agenda, invitations, convocation, attendance, minutes, actions, documents)."""
    unknown = set(fields) - set(STEERING_MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    check_dates(fields.get("start"), fields.get("end"))
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    meeting = Meeting.objects.create(
        kind=MeetingKind.STEERING_COMMITTEE,
        platform=platform,
        status=MeetingStatus.DRAFT,
        organiser=actor,
        **fields,
    )
    log_action(meeting, "meetings.meeting_created", actor=actor, message=_("Réunion créée"))
    logger.info("steering meeting %s created for platform %s", meeting.pk, platform.pk)
    return meeting


@transaction.atomic
def steering_meeting_invite(*, meeting: Meeting, members=(), users=(), actor) -> int:
    """Invite the committee's `members` (those with an account to their account, the others
    as guests by name, organisation and email, as the meetings app does for people without
    an account) and some of the platform's people (`users`); those already invited are
    skipped. Returns how many were invited."""
    if meeting.kind != MeetingKind.STEERING_COMMITTEE:
        raise ServiceError(_("Cette réunion n'est pas un comité de pilotage."))
    if any(member.platform_id != meeting.platform_id for member in members):
        raise ServiceError(_("Ce membre ne siège pas à ce comité : rechargez la page."))
    organisations = {m.user_id: m.organisation for m in members if m.user_id and m.organisation}
    account_users = [member.user for member in members if member.user_id] + list(users)
    created = invite_users(meeting=meeting, users=account_users, actor=actor)
    # A member without a platform of the portal is shown with their organisation.
    for invitation in created:
        organisation = organisations.get(invitation.user_id)
        if organisation and invitation.platform_id is None:
            MeetingInvitation.objects.filter(pk=invitation.pk).update(
                guest_organisation=organisation
            )
    guests = {
        (name.casefold(), email.casefold())
        for name, email in meeting.invitations.filter(user__isnull=True).values_list(
            "guest_name", "guest_email"
        )
    }
    count = len(created)
    for member in members:
        if member.user_id or (member.name.casefold(), member.email.casefold()) in guests:
            continue
        guests.add((member.name.casefold(), member.email.casefold()))
        invite_guest(
            meeting=meeting,
            name=member.name,
            organisation=member.organisation,
            email=member.email,
            actor=actor,
        )
        count += 1
    return count
