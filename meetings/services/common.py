"""What the meetings services share: the one error type and the history helper."""

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError

__all__ = ["ServiceError", "labelled", "log_meeting", "same_meeting"]


def log_meeting(obj, verb: str, *, meeting, actor, message, changes=None):
    """One history entry about `obj`, shown on its meeting's page."""
    return log_action(
        obj, f"meetings.{verb}", actor=actor, message=message, changes=changes, scope=meeting
    )


def same_meeting(agenda_item, meeting, field="agenda_item") -> None:
    from django.utils.translation import gettext as _

    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ServiceError(_("Ce point n'appartient pas à cette réunion."), field=field)


def labelled(model, changes: dict) -> dict:
    """History changes as people read them: the fields' names, the choices' labels."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext as _

    def plain(field, value):
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return value

    readable = {}
    for name, (old, new) in changes.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        label = str(getattr(field, "verbose_name", name))
        readable[label] = [plain(field, old), plain(field, new)]
    return readable
