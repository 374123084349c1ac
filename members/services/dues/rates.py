"""The rate of a year, its call, and the bureau's reminder schedule."""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import diff, log_action, snapshot
from innovalo.exceptions import ServiceError
from innovalo.money import amount_text, parse_amount
from innovalo.reminders import schedule_email

from ...enums import DuesStatus
from ...models import DuesExemption, DuesLine, DuesRate, DuesReminderStep, Platform
from ...models.dues import FIRST_POSSIBLE_YEAR
from .lines import log_line

logger = logging.getLogger(__name__)

DEFAULT_REMINDER_DAYS = (15, 45, 90)
LAST_YEAR = 2100
MAX_REMINDER_DAYS = 730


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError(_("Année invalide."), "year") from None
    if not FIRST_POSSIBLE_YEAR <= year <= LAST_YEAR:
        raise ServiceError(
            _("L'année doit être comprise entre %(first)s et %(last)s.")
            % {"first": FIRST_POSSIBLE_YEAR, "last": LAST_YEAR},
            "year",
        )
    return year


def dues_check_rate(*, year, amount) -> tuple[int, object]:
    """What `dues_set_rate` refuses, checked without writing (the call's summary):
    returns the year and the amount parsed, or raises ServiceError."""
    year = _check_year(year)
    amount = parse_amount(amount, field="amount")
    rate = DuesRate.objects.filter(year=year).first()
    if rate is not None and rate.amount != amount:
        _refuse_new_amount(rate)
    return year, amount


def _refuse_new_amount(rate):
    if DuesLine.objects.filter(year=rate.year).exists():
        raise ServiceError(
            _(
                "La cotisation %(year)s est déjà appelée à %(amount)s € : "
                "le montant ne peut plus changer."
            )
            % {"year": rate.year, "amount": amount_text(rate.amount)},
            "amount",
        )


def dues_set_rate(*, year, amount, due_date, note="", actor=None) -> DuesRate:
    year = _check_year(year)
    amount = parse_amount(amount, field="amount")
    with transaction.atomic():
        rate = DuesRate.objects.select_for_update().filter(year=year).first()
        if rate is None:
            rate = DuesRate.objects.create(year=year, amount=amount, due_date=due_date, note=note)
            log_action(
                rate,
                "dues.rate_set",
                actor=actor,
                message=_("Tarif %(year)s : %(amount)s €")
                % {"year": year, "amount": amount_text(amount)},
                amount=amount,
            )
            return rate
        if rate.amount != amount:
            _refuse_new_amount(rate)
        fields = ["amount", "due_date", "note"]
        before = snapshot(rate, fields)
        rate.amount, rate.due_date, rate.note = amount, due_date, note or rate.note
        changes = diff(before, snapshot(rate, fields))
        if changes:
            rate.save()
            log_action(
                rate,
                "dues.rate_set",
                actor=actor,
                message=_("Tarif %(year)s modifié") % {"year": year},
                changes=changes,
            )
        return rate


@dataclass
class CallResult:
    created: int
    called: list[int]


def dues_call_year(*, year, actor=None, send=True, platforms=None) -> CallResult:
    """Open the call of a year: a dues line for every member platform, then each
    line not called yet is called and its notice email scheduled in the outbox (the
    email's sender issues the numbered notice and attaches it).

    Running it again creates nothing twice: the unique constraint (platform, year)
    holds, existing lines are skipped, and each email has its own (rule, target).
    `platforms` narrows the member platforms called (the demo's 2016 network).
    """
    year = _check_year(year)
    with transaction.atomic():
        rate = DuesRate.objects.select_for_update().filter(year=year).first()
        if rate is None:
            raise ServiceError(
                _("Aucun tarif n'est défini pour %(year)s.") % {"year": year}, "year"
            )
        existing = set(DuesLine.objects.filter(year=year).values_list("platform_id", flat=True))
        exemptions = {
            e.platform_id: e for e in DuesExemption.objects.filter(year=year, line__isnull=True)
        }
        created = 0
        candidates = platforms if platforms is not None else Platform.objects.all()
        for platform in candidates.members().exclude(pk__in=existing).order_by("pk"):
            exemption = exemptions.get(platform.pk)
            line = DuesLine.objects.create(
                platform=platform,
                year=year,
                amount_due=rate.amount,
                due_date=rate.due_date,
                status=DuesStatus.EXEMPT if exemption else DuesStatus.TO_CALL,
                exemption=exemption,
            )
            log_line(
                line,
                "dues.created",
                _("Ligne créée au tarif %(year)s") % {"year": rate.year},
                amount=rate.amount,
                actor=actor,
            )
            created += 1
        to_call = list(
            DuesLine.objects.select_for_update()
            .filter(
                year=year,
                called_at__isnull=True,
                status__in=[DuesStatus.TO_CALL, DuesStatus.PARTLY_PAID],
            )
            .order_by("pk")
        )
        now = timezone.now()
        for line in to_call:
            before = line.status
            if line.status == DuesStatus.TO_CALL:
                line.status = DuesStatus.CALLED
            line.called_at = now
            line.save(update_fields=["status", "called_at"])
            log_line(
                line,
                "dues.called",
                _("Cotisation appelée"),
                actor=actor,
                changes={"status": [before, line.status]} if before != line.status else None,
            )
            if send:
                schedule_email("dues_call", line, "", actor=actor)
        called = [line.pk for line in to_call]
    logger.info("dues call %s: %s lines created, %s called", year, created, len(called))
    return CallResult(created=created, called=called)


def dues_save_reminder_steps(*, steps: list[dict], actor=None) -> list[DuesReminderStep]:
    """Save the bureau's reminder schedule from plain rows.

    `steps`: dicts with `id` (None for a new step), `days_after_due` (None leaves a
    new row out) and `is_active`. A step keeps its id when its days change, and its
    reminders are keyed by that id: a line already reminded at this step is not
    reminded again.
    """
    rows = []
    for row in steps:
        pk, days = row.get("id"), row.get("days_after_due")
        if days in (None, ""):
            if pk:
                raise ServiceError(_("Indiquez le nombre de jours de chaque relance."))
            continue
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise ServiceError(_("Nombre de jours invalide."), "days_after_due") from None
        if not 1 <= days <= MAX_REMINDER_DAYS:
            raise ServiceError(
                _("Une relance suit l'échéance de 1 à %(max)s jours.") % {"max": MAX_REMINDER_DAYS},
                "days_after_due",
            )
        rows.append((pk, days, bool(row.get("is_active"))))
    all_days = [days for _pk, days, _active in rows]
    if len(set(all_days)) != len(all_days):
        raise ServiceError(_("Deux relances ont le même nombre de jours."), "days_after_due")
    saved = []
    try:
        with transaction.atomic():
            existing = {s.pk: s for s in DuesReminderStep.objects.select_for_update()}
            for pk, days, active in rows:
                step = existing.get(pk) if pk else DuesReminderStep()
                if step is None:
                    raise ServiceError(_("Cette étape de relance n'existe plus."))
                before = snapshot(step, ["days_after_due", "is_active"]) if step.pk else {}
                step.days_after_due, step.is_active = days, active
                changes = diff(before, snapshot(step, ["days_after_due", "is_active"]))
                if changes:
                    is_new = step.pk is None
                    step.save()
                    log_action(
                        step,
                        "dues.reminder_step",
                        actor=actor,
                        message=_("Relance %(step)s ajoutée") % {"step": step}
                        if is_new
                        else _("Relance %(step)s modifiée") % {"step": step},
                        changes=changes,
                    )
                saved.append(step)
    except IntegrityError:
        raise ServiceError(
            _("Deux relances ont le même nombre de jours."), "days_after_due"
        ) from None
    logger.info("dues reminder steps saved by %s: %s", actor, [str(s) for s in saved])
    return saved


def ensure_default_reminder_steps():
    if not DuesReminderStep.objects.exists():
        for days in DEFAULT_REMINDER_DAYS:
            DuesReminderStep.objects.get_or_create(days_after_due=days)
