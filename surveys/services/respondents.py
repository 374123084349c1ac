"""External respondents: their token link, their opt-out, and their import.

**The link.** A respondent's token is *derived*: ``token = urlsafe-base64(HMAC-SHA256(
SECRET_KEY, "surveys.respondent:<pk>:<salt>"))`` (256 bits), where ``token_salt`` is a
random 128-bit value of the respondent. So the invitation and every reminder carry the
same link, and nothing but its sha256 (``token_hash``, unique) is stored to find it
back (``Respondent.find_by_token``). ``respondent_token_create`` draws a new salt:
the previous link stops working.

If the site's key changes, a derived token no longer matches its stored hash:
``respondent_link_token`` then stores the hash of the new link (the links mailed
before stop working), so that an email never carries a dead link.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import log_action
from innovalo.exceptions import ServiceError

from ..enums import CampaignStatus, InvitationState, RespondentStatus
from ..models import Respondent
from ..models.responses import hash_token
from ..selectors.results import cache as results_cache

TOKEN_PREFIX = "surveys.respondent"
IMPORT_BATCH = 2000
# The columns an import may change on a respondent already there.
IMPORT_FIELDS = ("organisation", "siret", "department_id", "language")


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_token(pk: int, salt: str) -> str:
    """The link token of respondent ``pk`` with ``salt`` (43 URL-safe characters)."""
    message = f"{TOKEN_PREFIX}:{pk}:{salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@transaction.atomic
def respondent_token_create(*, respondent, actor=None) -> str:
    """A new salt, hence a new link (the previous link stops working); returns the
    token. Not logged: the invitation that carries it is."""
    salt = new_salt()
    token = derive_token(respondent.pk, salt)
    token_hash = hash_token(token)
    Respondent.objects.filter(pk=respondent.pk).update(token_salt=salt, token_hash=token_hash)
    respondent.token_salt, respondent.token_hash = salt, token_hash
    return token


def respondent_link_token(respondent) -> str:
    """The token of the respondent's link, the same for every email. Writes only when
    the respondent has no salt yet or the site's key changed (see the module)."""
    if not respondent.token_salt:
        return respondent_token_create(respondent=respondent)
    token = derive_token(respondent.pk, respondent.token_salt)
    if respondent.token_hash != hash_token(token):
        Respondent.objects.filter(pk=respondent.pk, token_salt=respondent.token_salt).update(
            token_hash=hash_token(token)
        )
        respondent.token_hash = hash_token(token)
    return token


def respondent_link(respondent) -> str:
    """The absolute URL of the respondent's questionnaire."""
    token = respondent_link_token(respondent)
    return settings.SITE_URL + reverse("survey_questionnaire", args=[token])


def respondent_opt_out_link(respondent) -> str:
    """The absolute URL of the respondent's one-click opt-out."""
    token = respondent_link_token(respondent)
    return settings.SITE_URL + reverse("survey_opt_out", args=[token])


def unsubscribe_headers(respondent) -> dict:
    """The headers of every email to a respondent (RFC 2369 and RFC 8058 one-click)."""
    return {
        "List-Unsubscribe": f"<{respondent_opt_out_link(respondent)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def respondent_opt_out(*, respondent, actor=None) -> Respondent:
    """One click from an email: never mailed again. A second click changes nothing."""
    locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
    if locked.status == RespondentStatus.OPTED_OUT:
        return locked
    old = locked.status
    locked.status = RespondentStatus.OPTED_OUT
    locked.opted_out_at = timezone.now()
    fields = ["status", "opted_out_at"]
    if locked.invitation in (InvitationState.PENDING, InvitationState.HELD):
        locked.invitation = InvitationState.SKIPPED
        fields.append("invitation")
    locked.save(update_fields=fields)
    log_action(
        locked,
        "surveys.respondent_opted_out",
        actor=actor,
        scope=locked.campaign,
        message=_("Désinscription des courriels"),
        changes={"status": [old, RespondentStatus.OPTED_OUT]},
    )
    return locked


# Import ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with ``errors``, why it did nothing)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: list = field(default_factory=list)  # (line, first line of the same email)
    errors: list = field(default_factory=list)  # ImportRow with errors

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


class ImportRefused(ServiceError):
    """Rows with errors: nothing was written; ``report.errors`` says which and why."""

    def __init__(self, message, report):
        super().__init__(message, field="file")
        self.report = report


def _merge_in_file(rows) -> tuple[dict, list]:
    """{lowered email: row} with the later rows' non-empty values over the earlier
    ones', and (line, first line) for each duplicate."""
    by_email, merged = {}, []
    for row in rows:
        key = row.values["email"].lower()
        first = by_email.get(key)
        if first is None:
            by_email[key] = row
            continue
        merged.append((row.line, first.line))
        for name, value in row.values.items():
            if name != "email" and value not in ("", None):
                first.values[name] = value
    return by_email, merged


def respondents_import(*, campaign, rows, actor) -> ImportReport:
    """Write the rows of ``surveys.importers.read_respondents`` (``ImportRow``s): all or
    nothing. Rows with errors refuse the whole file (``ImportRefused`` with the
    report). The same email (any case) twice in the file is one respondent, the later
    rows' non-empty cells winning; a respondent already in the campaign keeps its
    status, link and invitation (an opted-out respondent stays opted out) and takes
    the file's non-empty organisation, SIRET, department and language."""
    if not campaign.is_external:
        raise ServiceError(_("Seul un questionnaire externe a des répondants."), field="file")
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        raise ServiceError(
            _("La campagne est close : elle ne reçoit plus de répondants."), field="file"
        )
    report = ImportReport(errors=[row for row in rows if row.errors])
    if report.errors:
        raise ImportRefused(
            _("%(count)s ligne(s) en erreur : rien n'a été importé.")
            % {"count": len(report.errors)},
            report,
        )
    if not rows:
        raise ServiceError(_("Le fichier ne contient aucune ligne de données."), field="file")
    by_email, report.merged = _merge_in_file(rows)
    with transaction.atomic():
        # One import at a time per campaign: a concurrent one waits, then sees our rows.
        type(campaign).objects.select_for_update().filter(pk=campaign.pk).first()
        existing = {
            key: rest
            for key, *rest in Respondent.objects.filter(campaign=campaign)
            .annotate(key=Lower("email"))
            .order_by()
            .values_list("key", "pk", *IMPORT_FIELDS)
        }
        to_create, to_update = [], []
        for key, row in by_email.items():
            values = row.values
            current = existing.get(key)
            if current is None:
                to_create.append(
                    Respondent(
                        campaign=campaign,
                        email=values["email"],
                        organisation=values["organisation"],
                        siret=values["siret"],
                        department_id=values["department_id"],
                        language=values["language"] or "fr",
                        token_salt=new_salt(),
                    )
                )
                continue
            pk, *old = current
            new = [
                values[name] if values[name] not in ("", None) else old[index]
                for index, name in enumerate(IMPORT_FIELDS)
            ]
            if new == old:
                report.unchanged += 1
                continue
            to_update.append(Respondent(pk=pk, **dict(zip(IMPORT_FIELDS, new, strict=True))))
        created = Respondent.objects.bulk_create(to_create, batch_size=IMPORT_BATCH)
        _store_token_hashes(created)
        Respondent.objects.bulk_update(to_update, IMPORT_FIELDS, batch_size=IMPORT_BATCH)
        report.created, report.updated = len(created), len(to_update)
        transaction.on_commit(results_cache.invalidate)  # bulk writes send no signal
        log_action(
            campaign,
            "surveys.respondents_imported",
            actor=actor,
            message=_("Import de répondants : %(created)s ajoutés, %(updated)s mis à jour")
            % {"created": report.created, "updated": report.updated},
            changes={
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "merged": len(report.merged),
            },
        )
    return report


def _store_token_hashes(respondents) -> None:
    """The hash of each new respondent's link (it needs the id the insert gave): one
    ``UPDATE ... FROM (VALUES ...)`` per thousand rows (PostgreSQL and SQLite 3.33+);
    ``bulk_update`` would build a CASE of ten thousand branches."""
    quote = connection.ops.quote_name
    table, pk, column = quote(Respondent._meta.db_table), quote("id"), quote("token_hash")
    for start in range(0, len(respondents), 1000):
        chunk = respondents[start : start + 1000]
        params = []
        for respondent in chunk:
            respondent.token_hash = hash_token(derive_token(respondent.pk, respondent.token_salt))
            params += [respondent.pk, respondent.token_hash]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = hashes.column2 "
                f"FROM (VALUES {values}) AS hashes WHERE {table}.{pk} = hashes.column1",
                params,
            )
