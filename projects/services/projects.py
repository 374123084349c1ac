"""Every write of co-built projects: create and update a project, its partners' lines,
its stage and the funder's decision, corrections of amounts obtained, the next step and
documents.

Each function takes the acting user, locks what it changes, writes in one transaction
and logs one history entry (``innovalo.audit.log_action``) shown on the project's page.
Perms are checked by the views (``projects.perms``); these functions keep the rules:
a member leads only with one of his platforms, the lead keeps his line, a platform is a
partner once, stages move as ``selectors.projects.allowed_moves`` says, a closed project
(won, not retained, withdrawn) is changed by the bureau only, and an amount obtained is
never rewritten but through ``amount_correct``, which logs the old and new amounts.

Stage changes and new partners notify the project's people through the outbox
(``innovalo.reminders.schedule_email``, in the same transaction), one row per person
under a unique key: a retried task or a second run sends nothing twice.
"""

import hashlib
import logging
import os

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from innovalo.audit import diff, labelled, log_action, snapshot
from innovalo.exceptions import ServiceError
from innovalo.money import amount_text, parse_amount
from innovalo.perms import is_bureau
from innovalo.reminders import schedule_email
from members.models import PlatformMembership

from ..enums import OPEN_STAGES, CallStatus, PartnerKind, ProjectStage
from ..models import CallDeadline, Project, ProjectDocument, ProjectPartner
from ..models.projects import ALLOWED_EXTENSIONS, MAX_DOCUMENT_SIZE
from ..selectors.projects import allowed_moves, project_people

logger = logging.getLogger(__name__)

STAGE_RULE = "project_stage"
PARTNER_RULE = "project_partner"
LEAD_ROLE = "Coordination"

PROJECT_FIELDS = ("title", "acronym", "summary", "call", "lead_platform", "deadline")
LINE_FIELDS = ("organisation", "role", "budget_requested")
NEXT_STEP_FIELDS = ("next_step", "next_step_owner", "next_step_due")
DECISION_FIELDS = ("submitted_on", "decided_on", "decision_note")

# The first bytes of each allowed kind of file (a renamed executable is refused).
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    **dict.fromkeys((".pptx", ".docx", ".xlsx", ".odp", ".odt", ".ods"), (b"PK\x03\x04",)),
}


def _log(obj, verb, *, project, actor, message, changes=None, amount=None):
    return log_action(
        obj,
        f"projects.{verb}",
        actor=actor,
        message=message,
        changes=changes,
        scope=project,
        amount=amount,
    )


def _field_label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _money(value):
    """An amount as the history shows it ("15 000,00"); None stays None."""
    return None if value is None else amount_text(value)


def _locked(project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _check_open(project, actor) -> None:
    if project.stage not in OPEN_STAGES and not is_bureau(actor):
        raise ServiceError(_("Ce projet est clos : seul le bureau peut encore le modifier."))


def _check_lead(actor, platform) -> None:
    if platform is None:
        raise ServiceError(_("Choisissez la plateforme porteuse."), field="lead_platform")
    if is_bureau(actor):
        return
    if not PlatformMembership.objects.filter(user=actor, platform=platform).exists():
        raise ServiceError(
            _("Vous ne pouvez porter un projet qu'avec l'une de vos plateformes."),
            field="lead_platform",
        )


def _check_call(call) -> None:
    if call is not None and call.status == CallStatus.PROPOSED:
        raise ServiceError(_("Cet appel n'est pas encore publié."), field="call")


def call_next_deadline(call):
    """The call's next deadline still ahead (None when there is none)."""
    if call is None:
        return None
    return (
        CallDeadline.objects.filter(call=call, due_at__gte=timezone.now())
        .order_by("due_at", "pk")
        .values_list("due_at", flat=True)
        .first()
    )


def _same_minute(first, second) -> bool:
    if first is None or second is None:
        return False
    return first.replace(second=0, microsecond=0) == second.replace(second=0, microsecond=0)


def _clean_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Donnez un titre au projet."), field="title")
    return title


def _ensure_lead_line(project) -> None:
    if not ProjectPartner.objects.filter(project=project, platform=project.lead_platform).exists():
        ProjectPartner.objects.create(
            project=project,
            kind=PartnerKind.PLATFORM,
            platform=project.lead_platform,
            role=LEAD_ROLE,
            order=0,
        )


# Projects ------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *, actor, title, lead_platform, acronym="", summary="", call=None, deadline=None
) -> Project:
    """A project at the idea stage; the lead gets its "Coordination" line, the deadline
    is the call's next one still ahead unless one is given."""
    title = _clean_title(title)
    _check_lead(actor, lead_platform)
    _check_call(call)
    if deadline is None:
        deadline = call_next_deadline(call)
    now = timezone.now()
    project = Project.objects.create(
        title=title,
        acronym=(acronym or "").strip(),
        summary=summary or "",
        call=call,
        lead_platform=lead_platform,
        deadline=deadline,
        stage=ProjectStage.IDEA,
        stage_changed_at=now,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _ensure_lead_line(project)
    _log(
        project,
        "project_created",
        project=project,
        actor=actor,
        message=_("Projet créé : %s") % project,
        changes={
            _field_label(Project, "stage"): [None, str(ProjectStage(project.stage).label)],
            _field_label(Project, "lead_platform"): [None, str(lead_platform)],
        },
    )
    logger.info("project %s created by %s", project.pk, actor)
    return project


@transaction.atomic
def project_update(
    *, project, actor, title, lead_platform, acronym="", summary="", call=None, deadline=None
) -> Project:
    """Title, acronym, summary, call, lead and deadline. A new call brings its next
    deadline unless the deadline was changed too; a new lead gets its line."""
    project = _locked(project)
    _check_open(project, actor)
    title = _clean_title(title)
    if lead_platform != project.lead_platform:
        _check_lead(actor, lead_platform)
    _check_call(call)
    before = snapshot(project, PROJECT_FIELDS)
    if _same_minute(deadline, project.deadline):
        deadline = project.deadline  # a form gives minutes; keep the stored seconds
    if call != project.call and call is not None and deadline in (None, project.deadline):
        deadline = call_next_deadline(call) or deadline
    project.title = title
    project.acronym = (acronym or "").strip()
    project.summary = summary or ""
    project.call = call
    project.lead_platform = lead_platform
    project.deadline = deadline
    changes = labelled(Project, diff(before, snapshot(project, PROJECT_FIELDS)))
    if not changes:
        return project
    project.updated_at = timezone.now()
    project.save()
    _ensure_lead_line(project)
    _log(
        project,
        "project_updated",
        project=project,
        actor=actor,
        message=_("Projet modifié"),
        changes=changes,
    )
    return project


# Partners ------------------------------------------------------------------------------


def _notify_people(rule, target, period, project, actor) -> int:
    """One outbox row per person of the project (but who acted), sent after the commit."""
    count = 0
    for person in project_people(project):
        if actor is not None and person.pk == actor.pk:
            continue
        if person.email:
            schedule_email(rule, target, f"{period}user-{person.pk}")
            count += 1
    return count


def _partner_fields(kind, platform, organisation):
    if kind not in PartnerKind.values:
        raise ServiceError(_("Nature de partenaire inconnue."), field="kind")
    if kind == PartnerKind.PLATFORM:
        if platform is None:
            raise ServiceError(_("Choisissez la plateforme partenaire."), field="platform")
        return platform, ""
    organisation = (organisation or "").strip()
    if not organisation:
        raise ServiceError(_("Indiquez le nom de l'organisme partenaire."), field="organisation")
    return None, organisation


@transaction.atomic
def partner_add(
    *, project, actor, kind, platform=None, organisation="", role="", budget_requested=0
) -> ProjectPartner:
    """A platform of the network (once per project) or an outside partner; the project's
    people are told."""
    project = _locked(project)
    _check_open(project, actor)
    platform, organisation = _partner_fields(kind, platform, organisation)
    if platform is not None and project.partners.filter(platform=platform).exists():
        raise ServiceError(_("Cette plateforme est déjà partenaire du projet."), field="platform")
    budget = parse_amount(budget_requested or 0, field="budget_requested", allow_zero=True)
    order = (project.partners.aggregate(top=Max("order"))["top"] or 0) + 1
    partner = ProjectPartner.objects.create(
        project=project,
        kind=kind,
        platform=platform,
        organisation=organisation,
        role=(role or "").strip(),
        budget_requested=budget,
        order=order,
    )
    project.updated_at = timezone.now()
    project.save(update_fields=["updated_at"])
    _log(
        partner,
        "partner_added",
        project=project,
        actor=actor,
        message=_("Partenaire ajouté : %s") % partner,
        changes={_field_label(ProjectPartner, "role"): [None, partner.role]}
        if partner.role
        else None,
        amount=budget,
    )
    _notify_people(PARTNER_RULE, partner, "", project, actor)
    return partner


def _locked_line(partner) -> ProjectPartner:
    return (
        ProjectPartner.objects.select_for_update(of=("self",))
        .select_related("project", "platform")
        .get(pk=partner.pk)
    )


@transaction.atomic
def partner_update(*, partner, actor, role="", budget_requested=0, organisation=None):
    """A line's role and budget requested (and an outside partner's name). The amount
    obtained is not changed here: see ``amount_correct``."""
    _locked(partner.project)
    partner = _locked_line(partner)
    project = partner.project
    _check_open(project, actor)
    before = snapshot(partner, LINE_FIELDS)
    if partner.kind != PartnerKind.PLATFORM and organisation is not None:
        _platform, partner.organisation = _partner_fields(partner.kind, None, organisation)
    partner.role = (role or "").strip()
    partner.budget_requested = parse_amount(
        budget_requested or 0, field="budget_requested", allow_zero=True
    )
    changes = diff(before, snapshot(partner, LINE_FIELDS))
    if not changes:
        return partner
    if "budget_requested" in changes:
        changes["budget_requested"] = [_money(v) for v in changes["budget_requested"]]
    partner.save()
    project.updated_at = timezone.now()
    project.save(update_fields=["updated_at"])
    _log(
        partner,
        "partner_updated",
        project=project,
        actor=actor,
        message=_("Ligne de %s modifiée") % partner,
        changes=labelled(ProjectPartner, changes),
    )
    return partner


@transaction.atomic
def partner_remove(*, partner, actor) -> None:
    """Not the lead's line, nor a line with an amount obtained (correct it first)."""
    _locked(partner.project)
    partner = _locked_line(partner)
    project = partner.project
    _check_open(project, actor)
    if partner.platform_id and partner.platform_id == project.lead_platform_id:
        raise ServiceError(_("La ligne de la plateforme porteuse ne peut pas être retirée."))
    if partner.amount_obtained is not None:
        raise ServiceError(
            _("Ce partenaire a un montant obtenu : sa ligne ne peut plus être retirée.")
        )
    label = str(partner)
    _log(
        partner,
        "partner_removed",
        project=project,
        actor=actor,
        message=_("Partenaire retiré : %s") % label,
        changes={
            _field_label(ProjectPartner, "budget_requested"): [
                _money(partner.budget_requested),
                None,
            ]
        },
    )
    partner.delete()
    project.updated_at = timezone.now()
    project.save(update_fields=["updated_at"])


# Stage and decision ----------------------------------------------------------------------


def _decision_amounts(project, amounts) -> dict:
    """{line: amount} for every line of the project, each parsed (0 allowed)."""
    amounts = amounts or {}
    lines = list(project.partners.select_for_update().order_by("order", "pk"))
    parsed = {}
    for line in lines:
        value = amounts.get(line.pk)
        if value in (None, ""):
            raise ServiceError(
                _("Indiquez le montant obtenu pour chaque partenaire (0 si rien)."),
                field=f"amount_{line.pk}",
            )
        parsed[line] = parse_amount(value, field=f"amount_{line.pk}", allow_zero=True)
    if not parsed or not any(parsed.values()):
        raise ServiceError(_("Un projet retenu obtient un montant."), field="amounts")
    return parsed


@transaction.atomic
def project_set_stage(*, project, actor, stage, on=None, note="", amounts=None) -> Project:
    """Move a project (see ``allowed_moves``). Submitted sets the date of submission; won
    and not retained set the date of the decision and need the funder's note, won the
    amount obtained for each partner's line (``amounts``: {line id: amount})."""
    project = _locked(project)
    old = project.stage
    if stage == old:
        raise ServiceError(_("Le projet est déjà à cette étape."), field="stage")
    if stage not in allowed_moves(old):
        raise ServiceError(
            _("Passage impossible de « %(old)s » à « %(new)s ».")
            % {
                "old": ProjectStage(old).label,
                "new": ProjectStage(stage).label if stage in ProjectStage.values else stage,
            },
            field="stage",
        )
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ServiceError(_("Cette date est à venir."), field="on")
    note = (note or "").strip()
    before = snapshot(project, DECISION_FIELDS)
    lines_changes = {}
    obtained = None
    if stage == ProjectStage.SUBMITTED:
        project.submitted_on = on
    elif stage in (ProjectStage.WON, ProjectStage.NOT_RETAINED):
        if project.submitted_on and on < project.submitted_on:
            raise ServiceError(_("La décision ne peut précéder le dépôt."), field="on")
        if not note:
            raise ServiceError(_("Résumez la décision du financeur."), field="note")
        if stage == ProjectStage.WON:
            parsed = _decision_amounts(project, amounts)
            for line, amount in parsed.items():
                line.amount_obtained = amount
                line.save(update_fields=["amount_obtained"])
                lines_changes[_("montant obtenu — %s") % line] = [None, _money(amount)]
            obtained = sum(parsed.values())
        project.decided_on = on
        project.decision_note = note
    elif stage == ProjectStage.WITHDRAWN and note:
        project.decision_note = note
    project.stage = stage
    project.stage_changed_at = timezone.now()
    project.updated_at = project.stage_changed_at
    project.save()
    # The stage is in the message; the dates, the note and the amounts are the changes.
    changes = labelled(Project, diff(before, snapshot(project, DECISION_FIELDS)))
    changes.update(lines_changes)
    entry = _log(
        project,
        "stage_changed",
        project=project,
        actor=actor,
        message=_("Étape : %(old)s → %(new)s")
        % {"old": ProjectStage(old).label, "new": ProjectStage(stage).label},
        changes=changes,
        amount=obtained,
    )
    _notify_people(STAGE_RULE, project, f"{stage}:{entry.pk}/", project, actor)
    logger.info("project %s moved %s -> %s by %s", project.pk, old, stage, actor)
    return project


@transaction.atomic
def amount_correct(*, partner, actor, amount, reason) -> ProjectPartner:
    """The one way to change an amount obtained once decided: old → new, with a reason,
    in the project's history."""
    _locked(partner.project)
    partner = _locked_line(partner)
    project = partner.project
    if project.stage != ProjectStage.WON:
        raise ServiceError(_("Seul un projet retenu a des montants obtenus."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Indiquez la raison de la correction."), field="reason")
    new = parse_amount(amount, field="amount", allow_zero=True)
    old = partner.amount_obtained
    if old == new:
        raise ServiceError(_("Le montant est inchangé."), field="amount")
    partner.amount_obtained = new
    partner.save(update_fields=["amount_obtained"])
    project.updated_at = timezone.now()
    project.save(update_fields=["updated_at"])
    _log(
        partner,
        "amount_corrected",
        project=project,
        actor=actor,
        message=(
            _("Montant obtenu corrigé (%(line)s) : %(reason)s")
            % {"line": partner, "reason": reason}
        ),
        changes={_field_label(ProjectPartner, "amount_obtained"): [_money(old), _money(new)]},
        amount=new,
    )
    return partner


# Next step -------------------------------------------------------------------------------


@transaction.atomic
def next_step_set(*, project, actor, text="", owner=None, due=None) -> Project:
    """What comes next, who does it (one of the project's people), by when; an empty
    text clears the next step."""
    project = _locked(project)
    _check_open(project, actor)
    text = (text or "").strip()
    if not text:
        if owner is not None or due is not None:
            raise ServiceError(_("Décrivez la prochaine étape."), field="text")
    elif owner is not None and not project_people(project).filter(pk=owner.pk).exists():
        raise ServiceError(
            _("Le ou la responsable est une personne des plateformes du projet."), field="owner"
        )
    before = snapshot(project, NEXT_STEP_FIELDS)
    project.next_step = text
    project.next_step_owner = owner if text else None
    project.next_step_due = due if text else None
    changes = diff(before, snapshot(project, NEXT_STEP_FIELDS))
    if not changes:
        return project
    project.updated_at = timezone.now()
    project.save()
    _log(
        project,
        "next_step_set",
        project=project,
        actor=actor,
        message=_("Prochaine étape : %s") % text if text else _("Prochaine étape effacée"),
        changes=labelled(Project, changes),
    )
    return project


# Documents -------------------------------------------------------------------------------


def _shorten(name: str, max_length: int) -> str:
    name = os.path.basename(name or "")
    if len(name) <= max_length:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: max(1, max_length - len(ext) - 1)] + "…" + ext[: max_length - 2]


def _check_file(uploaded) -> str:
    """The extension and size the model allows, a content that matches the extension;
    returns the file's SHA-256 (read in chunks)."""
    if uploaded is None:
        raise ServiceError(_("Choisissez un fichier."), field="file")
    ext = os.path.splitext(uploaded.name or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ServiceError(
            _("Type de fichier refusé : %s.")
            % ", ".join(e.lstrip(".") for e in ALLOWED_EXTENSIONS),
            field="file",
        )
    if uploaded.size > MAX_DOCUMENT_SIZE:
        raise ServiceError(
            _("Le fichier dépasse %d Mo.") % (MAX_DOCUMENT_SIZE // (1024 * 1024)), field="file"
        )
    if not uploaded.size:
        raise ServiceError(_("Le fichier est vide."), field="file")
    uploaded.seek(0)
    head = uploaded.read(8)
    if not head.startswith(SIGNATURES.get(ext, (b"",))):
        raise ServiceError(
            _("Le contenu du fichier ne correspond pas à son extension."), field="file"
        )
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_add(*, project, actor, uploaded, title="") -> ProjectDocument:
    project = _locked(project)
    _check_open(project, actor)
    sha256 = _check_file(uploaded)
    title_length = ProjectDocument._meta.get_field("title").max_length
    name_length = ProjectDocument._meta.get_field("original_name").max_length
    document = ProjectDocument(
        project=project,
        title=(title or "").strip() or _shorten(uploaded.name, title_length),
        original_name=_shorten(uploaded.name, name_length),
        size=uploaded.size,
        sha256=sha256,
        uploaded_by=actor,
    )
    document.file.save(uploaded.name, uploaded, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    _log(
        document,
        "document_added",
        project=project,
        actor=actor,
        message=_("Document ajouté : %s") % document.title,
    )
    return document


@transaction.atomic
def document_delete(*, document, actor) -> None:
    project = _locked(document.project)
    _check_open(project, actor)
    document = ProjectDocument.objects.select_for_update().get(pk=document.pk)
    _log(
        document,
        "document_deleted",
        project=project,
        actor=actor,
        message=_("Document supprimé : %s") % document.title,
        changes={"sha256": [document.sha256, None]},
    )
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
