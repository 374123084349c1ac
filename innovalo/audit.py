"""One history for every app (like pretix's ``log_action``).

Services call ``log_action(obj, "meeting.convened", actor=..., message=...)`` once per
change a user cares about; pages show ``AuditEntry.objects.for_scope(obj)`` through
``templates/includes/history.html`` to those their perms allow.
"""

from decimal import Decimal

from django.db import models


def key_of(obj) -> str:
    """ "app_label.model:pk" for a model instance; a string is returned as it is."""
    if isinstance(obj, str):
        return obj
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}:{obj.pk}"


def load(key: str):
    """The instance a key names, or None (deleted, malformed)."""
    from django.apps import apps

    try:
        label, pk = key.split(":", 1)
        model = apps.get_model(label)
        return model._default_manager.filter(pk=int(pk)).first()
    except (ValueError, LookupError):
        return None


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed (plain JSON values)."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if _plain(old) != _plain(new):
            changes[name] = [_plain(old), _plain(new)]
    return changes


def snapshot(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def labelled(model, changes: dict) -> dict:
    """History changes as people read them: the fields' names, the choices' labels
    ({"status": ["called", "paid"]} -> {"état": ["Appelée", "Payée"]})."""
    from decimal import Decimal

    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import DecimalField
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    def plain(field, value):
        if value is None:  # no value, not the text "None"
            return None
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, DecimalField):  # "300.00" in the JSON -> "300,00" in French
            try:
                return number_format(Decimal(str(value)), field.decimal_places, force_grouping=True)
            except ArithmeticError:
                return value
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


def log_action(obj, action: str, *, actor=None, message="", changes=None, scope=None, amount=None):
    """Write one history entry about `obj` (shown on `scope`'s page, default `obj`'s)."""
    from .models import AuditEntry

    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        action=action,
        target=key_of(obj),
        scope=key_of(scope if scope is not None else obj),
        object_repr=str(obj)[:255] if not isinstance(obj, str) else "",
        actor=actor,
        message=str(message)[:255],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        amount=amount,
    )


def entries_for(obj, limit=None):
    """A page's history, newest first, with the actor in the same query."""
    from .models import AuditEntry

    entries = AuditEntry.objects.for_scope(obj)
    return entries[:limit] if limit else entries
