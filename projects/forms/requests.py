"""Forms of the requests' pages (platforms, correspondents, bureau). They only parse; the
services (``projects/services/request_actions.py``) keep the rules and their refusals
come back next to the field (``innovalo.forms.add_service_error``)."""

from django import forms
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from innovalo.forms import IdModelChoiceField, IdModelMultipleChoiceField
from innovalo.french import French
from members.enums import TransferLevel
from members.forms.dues import MoneyField
from members.models import Platform

from ..enums import RequestStatus, RoutingStatus
from ..models import RequestRouting
from ..services.request_actions import TEXT_MAX_LENGTH


def _platforms():
    return Platform.objects.only("pk", "name", "acronym").order_by(French("name"), "pk")


def _text_field(label, *, required=True, rows=4, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class RouteForm(forms.Form):
    """The correspondent confirms the portal's proposals (checked), unchecks some or
    adds any other platform."""

    platforms = IdModelMultipleChoiceField(
        label=_("Plateformes proposées ou déjà sollicitées"),
        queryset=Platform.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = IdModelChoiceField(
        label=_("Ajouter une autre plateforme"),
        queryset=Platform.objects.none(),
        required=False,
        empty_label=_("Aucune"),
    )

    def __init__(self, *args, firm_request, routings, **kwargs):
        self.firm_request = firm_request
        listed = [
            r for r in routings if r.status in (RoutingStatus.PROPOSED, RoutingStatus.NOTIFIED)
        ]
        listed.sort(key=lambda r: (r.status != RoutingStatus.NOTIFIED, -r.score, r.pk))
        self.listed = listed
        kwargs.setdefault(
            "initial",
            {
                "platforms": [
                    r.platform_id
                    for r in listed
                    if r.status == RoutingStatus.NOTIFIED
                    or not any(x.status == RoutingStatus.NOTIFIED for x in listed)
                ]
            },
        )
        super().__init__(*args, **kwargs)
        ids = [r.platform_id for r in listed]
        labels = {r.platform_id: self._label(r) for r in listed}
        rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], default=Value(0))
        self.fields["platforms"].queryset = (
            _platforms().filter(pk__in=ids).order_by(rank, "pk") if ids else _platforms().none()
        )
        self.fields["platforms"].label_from_instance = lambda p: labels.get(p.pk, str(p))
        closed = [
            r.platform_id
            for r in routings
            if r.status in (RoutingStatus.DECLINED, RoutingStatus.PASSED)
        ]
        self.fields["other"].queryset = _platforms().exclude(pk__in=ids + closed)
        if not listed:
            self.fields["platforms"].widget = forms.MultipleHiddenInput()

    @staticmethod
    def _label(routing):
        if routing.status == RoutingStatus.NOTIFIED:
            return _("%(platform)s — déjà sollicitée") % {"platform": routing.platform}
        return _("%(platform)s — proposée (pertinence %(score)s)") % {
            "platform": routing.platform,
            "score": routing.score,
        }

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("platforms") or [])
        other = cleaned.get("other")
        if other is not None and other not in chosen:
            chosen.append(other)
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choisissez au moins une plateforme."))
        cleaned["chosen"] = chosen
        return cleaned


def _routing_field():
    return IdModelChoiceField(
        label=_("Pour la plateforme"), queryset=RequestRouting.objects.none(), empty_label=None
    )


class _AnswerForm(forms.Form):
    """The routing answered: one of the user's answerable routings (hidden when only
    one)."""

    routing = _routing_field()

    def __init__(self, *args, routings, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["routing"]
        field.queryset = RequestRouting.objects.filter(pk__in=[r.pk for r in routings])
        by_pk = {r.pk: r for r in routings}
        field.label_from_instance = lambda r: str(by_pk.get(r.pk, r).platform)
        self.routings = by_pk
        if len(routings) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("routing", routings[0].pk)

    def clean_routing(self):
        routing = self.cleaned_data["routing"]
        return self.routings.get(routing.pk, routing)


class AcceptForm(_AnswerForm):
    pass


class DeclineForm(_AnswerForm):
    reason = _text_field(
        _("Pourquoi déclinez-vous ?"),
        help_text=_("Lu par le correspondant et le bureau, jamais par l'entreprise."),
    )


class PassForm(_AnswerForm):
    platform = IdModelChoiceField(
        label=_("Passer la demande à"),
        queryset=Platform.objects.none(),
        empty_label=_("Choisissez une plateforme"),
    )
    reason = _text_field(
        _("Pourquoi cette plateforme ?"),
        help_text=_("Transmis à la plateforme choisie avec la demande."),
    )
    field_order = ["routing", "platform", "reason"]

    def __init__(self, *args, excluded=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = _platforms().exclude(pk__in=list(excluded))


class MessageForm(forms.Form):
    text = _text_field(
        _("Votre message"),
        help_text=_("Envoyé par e-mail à l'entreprise ; elle le lit aussi sur son lien privé."),
    )


class NoteForm(forms.Form):
    text = _text_field(
        _("Texte de la note"),
        rows=3,
        help_text=_(
            "Lue par les plateformes, le correspondant et le bureau ; jamais par l'entreprise."
        ),
    )

    def __init__(self, *args, **kwargs):
        # The page also holds the message form, whose field is also "text": ids unique.
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("Issue"), widget=forms.RadioSelect)
    transfer_level = forms.TypedChoiceField(
        label=_("Niveau de transfert"),
        choices=[("", "—"), *TransferLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Obligatoire pour une demande terminée."),
    )
    outcome = _text_field(
        _("Service rendu"), required=False, help_text=_("Obligatoire pour une demande terminée.")
    )
    amount_invoiced = MoneyField(label=_("Montant facturé (€)"), required=False, allow_zero=True)
    follow_up_project = IdModelChoiceField(
        label=_("Projet de suite"),
        queryset=Platform.objects.none(),
        required=False,
        empty_label=_("Aucun"),
    )
    reason = _text_field(
        _("Raison"),
        required=False,
        rows=3,
        help_text=_("Obligatoire pour une demande déclinée ou sans réponse."),
    )

    def __init__(self, *args, firm_request, projects, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [RequestStatus.DECLINED, RequestStatus.NO_ANSWER]
        if firm_request.taken_by_id:
            statuses.insert(0, RequestStatus.DONE)
            self.initial.setdefault("status", RequestStatus.DONE)
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]
        self.fields["follow_up_project"].queryset = projects
        if not firm_request.taken_by_id:
            for name in ("transfer_level", "outcome", "amount_invoiced", "follow_up_project"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == RequestStatus.DONE:
            if cleaned.get("transfer_level") is None and "transfer_level" not in self.errors:
                self.add_error("transfer_level", _("Choisissez le niveau de transfert."))
            if not (cleaned.get("outcome") or "").strip() and "outcome" not in self.errors:
                self.add_error("outcome", _("Décrivez le service rendu."))
        elif status and not (cleaned.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", _("Indiquez la raison."))
        return cleaned


class ReopenForm(forms.Form):
    reason = _text_field(_("Pourquoi rouvrir ?"), required=False, rows=2)
