"""Forms of the projects pages. They only parse; the services keep the rules and their
refusals come back next to the field (``innovalo.forms.add_service_error``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innovalo.forms import IdModelChoiceField
from innovalo.french import French
from innovalo.money import amount_text
from innovalo.perms import is_bureau
from members.forms.dues import DateInput, MoneyField
from members.models import Platform

from ..enums import CallStatus, PartnerKind, ProjectStage
from ..models import Call, CallDeadline, ProjectPartner
from ..models.projects import ALLOWED_EXTENSIONS, MAX_DOCUMENT_SIZE

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def call_choices(current=None):
    """Published calls still open (a deadline ahead, or open all year), and the current
    one: a project answers a call it can still be submitted to."""
    ahead = CallDeadline.objects.filter(due_at__gte=timezone.now()).values("call_id")
    queryset = Call.objects.filter(
        Q(status=CallStatus.PUBLISHED) & (Q(open_all_year=True) | Q(pk__in=ahead))
    )
    if current is not None:
        queryset = queryset | Call.objects.filter(pk=current.pk)
    return queryset.only("pk", "title").order_by(French("title"), "pk")


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=300)
    acronym = forms.CharField(label=_("Acronyme"), max_length=40, required=False)
    summary = forms.CharField(
        label=_("Résumé"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    call = IdModelChoiceField(
        label=_("Appel visé"),
        queryset=Call.objects.none(),
        required=False,
        empty_label=_("Aucun (projet hors appel)"),
    )
    lead_platform = IdModelChoiceField(
        label=_("Plateforme porteuse"), queryset=Platform.objects.none()
    )
    deadline = forms.DateTimeField(
        label=_("Date limite"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Laissée vide, c'est la prochaine date limite de l'appel."),
    )

    def __init__(self, *args, user, project=None, **kwargs):
        if project is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": project.title,
                    "acronym": project.acronym,
                    "summary": project.summary,
                    "call": project.call_id,
                    "lead_platform": project.lead_platform_id,
                    "deadline": project.deadline,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = call_choices(project.call if project else None)
        platforms = Platform.objects.only("pk", "name", "acronym").order_by(French("name"), "pk")
        if not is_bureau(user):
            mine = Q(memberships__user=user)
            if project is not None:
                mine |= Q(pk=project.lead_platform_id)
            platforms = platforms.filter(mine).distinct()
        self.fields["lead_platform"].queryset = platforms
        if "lead_platform" not in self.initial and len(platforms) == 1:
            self.initial["lead_platform"] = platforms[0].pk


class PartnerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature"), choices=PartnerKind.choices)
    platform = IdModelChoiceField(
        label=_("Plateforme du réseau"),
        queryset=Platform.objects.none(),
        required=False,
        help_text=_("Pour un partenaire du réseau."),
    )
    organisation = forms.CharField(
        label=_("Organisme"),
        max_length=200,
        required=False,
        help_text=_("Pour une entreprise, un laboratoire ou un autre partenaire."),
    )
    role = forms.CharField(label=_("Rôle"), max_length=200, required=False)
    budget_requested = MoneyField(label=_("Budget demandé (€)"), allow_zero=True, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        taken = ProjectPartner.objects.filter(project=project, platform__isnull=False).values(
            "platform_id"
        )
        self.fields["platform"].queryset = (
            Platform.objects.exclude(pk__in=taken)
            .only("pk", "name", "acronym")
            .order_by(French("name"), "pk")
        )


class PartnerLineForm(forms.Form):
    """A line's role and budget (and an outside partner's name)."""

    organisation = forms.CharField(label=_("Organisme"), max_length=200)
    role = forms.CharField(label=_("Rôle"), max_length=200, required=False)
    budget_requested = MoneyField(label=_("Budget demandé (€)"), allow_zero=True, required=False)

    def __init__(self, *args, partner, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "organisation": partner.organisation,
                "role": partner.role,
                "budget_requested": partner.budget_requested,
            },
        )
        super().__init__(*args, **kwargs)
        if partner.kind == PartnerKind.PLATFORM:
            del self.fields["organisation"]


class StageForm(forms.Form):
    """The move to one stage: its date, the funder's note, the amounts obtained."""

    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Décision du financeur"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project, stage, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.amount_fields = []
        if stage == ProjectStage.SUBMITTED:
            self.fields["on"].label = _("Déposé le")
            del self.fields["note"]
        elif stage in (ProjectStage.WON, ProjectStage.NOT_RETAINED):
            self.fields["on"].label = _("Décision du")
            self.fields["note"].required = True
            if stage == ProjectStage.WON:
                for partner in partners:
                    name = f"amount_{partner.pk}"
                    self.fields[name] = MoneyField(
                        label=_("Montant obtenu (€) — %s") % partner,
                        allow_zero=True,
                        help_text=_("Demandé : %s €") % amount_text(partner.budget_requested),
                    )
                    self.amount_fields.append((name, partner))
        elif stage == ProjectStage.WITHDRAWN:
            del self.fields["on"]
            self.fields["note"].label = _("Raison de l'abandon")
        else:
            del self.fields["on"]
            del self.fields["note"]
        if "on" in self.fields:
            self.fields["on"].initial = timezone.localdate()

    def amounts(self) -> dict:
        return {partner.pk: self.cleaned_data.get(name) for name, partner in self.amount_fields}


class NextStepForm(forms.Form):
    text = forms.CharField(
        label=_("Prochaine étape"),
        max_length=300,
        required=False,
        help_text=_("Laissez vide pour l'effacer."),
    )
    owner = IdModelChoiceField(
        label=_("Responsable"), queryset=get_user_model().objects.none(), required=False
    )
    due = forms.DateField(label=_("Échéance"), required=False, widget=DateInput())

    def __init__(self, *args, project, people, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "text": project.next_step,
                "owner": project.next_step_owner_id,
                "due": project.next_step_due,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        required=False,
        help_text=_("Le nom du fichier si vide."),
    )
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s ; %(size)d Mo au plus.") % {
            "types": ", ".join(ext.lstrip(".").upper() for ext in ALLOWED_EXTENSIONS),
            "size": MAX_DOCUMENT_SIZE // (1024 * 1024),
        }


class AmountCorrectionForm(forms.Form):
    amount = MoneyField(label=_("Montant obtenu (€)"), allow_zero=True)
    reason = forms.CharField(
        label=_("Raison de la correction"),
        max_length=200,
        help_text=_("Gardée dans l'historique du projet, avec l'ancien et le nouveau montant."),
    )

    def __init__(self, *args, partner, **kwargs):
        kwargs.setdefault("initial", {"amount": partner.amount_obtained})
        super().__init__(*args, **kwargs)
