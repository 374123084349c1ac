"""Actions decided in meetings: create, correct, mark done, reopen, cancel."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovalo.audit import diff, snapshot

from ..enums import ActionStatus
from ..models import ActionItem, Meeting
from .common import ServiceError, labelled, log_meeting, same_meeting

logger = logging.getLogger(__name__)

STATUS_VERBS = {
    ActionStatus.DONE: ("action_done", gettext_lazy("Action faite : %s")),
    ActionStatus.OPEN: ("action_reopened", gettext_lazy("Action rouverte : %s")),
    ActionStatus.CANCELLED: ("action_cancelled", gettext_lazy("Action annulée : %s")),
}


def _check_owners(owners, owner_names: str) -> None:
    if not owners and not owner_names.strip():
        raise ServiceError(_("Une action a au moins un·e responsable."), field="owners")


def _owner_labels(owners, owner_names) -> list[str]:
    return sorted(str(user) for user in owners) + [
        name.strip() for name in owner_names.split(",") if name.strip()
    ]


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    title: str,
    actor,
    owners=(),
    owner_names: str = "",
    due_date=None,
    agenda_item=None,
    description: str = "",
) -> ActionItem:
    same_meeting(agenda_item, meeting)
    _check_owners(owners, owner_names)
    action = ActionItem.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title,
        description=description,
        owner_names=owner_names.strip(),
        due_date=due_date,
        created_by=actor,
    )
    action.owners.set(owners)
    log_meeting(
        action,
        "action_created",
        meeting=meeting,
        actor=actor,
        message=_("Action décidée : %s") % title,
        changes={
            "responsables": [None, ", ".join(_owner_labels(owners, owner_names))],
            **({"échéance": [None, due_date]} if due_date else {}),
        },
    )
    return action


def _set_status(action: ActionItem, status: str) -> None:
    if status not in ActionStatus.values:
        raise ServiceError(_("État inconnu."), field="status")
    if status != action.status:
        action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.status = status


@transaction.atomic
def action_update(
    *,
    action: ActionItem,
    actor,
    title: str,
    status: str,
    owners=(),
    owner_names: str = "",
    due_date=None,
    agenda_item=None,
    description: str = "",
) -> ActionItem:
    """The bureau corrects an action: what, owners, due date, status (cancelled included)."""
    action = ActionItem.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    same_meeting(agenda_item, action.meeting)
    _check_owners(owners, owner_names)
    fields = ["title", "description", "owner_names", "due_date", "agenda_item", "status"]
    before = snapshot(action, fields)
    before["owners"] = _owner_labels(action.owners.all(), "")
    _set_status(action, status)
    action.title = title
    action.description = description
    action.owner_names = owner_names.strip()
    action.due_date = due_date
    action.agenda_item = agenda_item
    action.save()
    action.owners.set(owners)
    after = snapshot(action, fields)
    after["owners"] = _owner_labels(owners, "")
    changes = labelled(ActionItem, diff(before, after))
    if changes:
        log_meeting(
            action,
            "action_updated",
            meeting=action.meeting,
            actor=actor,
            message=_("Action modifiée : %s") % action.title,
            changes=changes,
        )
    logger.info("action %s updated by %s (status %s)", action.pk, actor, status)
    return action


@transaction.atomic
def action_set_status(*, action: ActionItem, status: str, actor) -> ActionItem:
    """Done, reopened or cancelled; who may do which is perms.can_set_action_status."""
    action = ActionItem.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if status == action.status:
        return action
    old = action.status
    _set_status(action, status)
    action.save(update_fields=["status", "done_at"])
    verb, message = STATUS_VERBS[status]
    log_meeting(
        action,
        verb,
        meeting=action.meeting,
        actor=actor,
        message=message % action.title,
        changes=labelled(ActionItem, {"status": [old, status]}),
    )
    return action
