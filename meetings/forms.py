import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from innovalo.exceptions import ServiceError
from innovalo.forms import IdModelChoiceField, IdModelMultipleChoiceField, PortalModelForm
from innovalo.french import French
from innovalo.widgets import PersonMultipleChoiceField

from . import services
from .enums import ActionStatus, AttachmentKind, Attendance, MeetingKind, RsvpStatus
from .models import ActionItem, AgendaItem, Meeting, Minutes
from .services.agenda import ITEM_FIELDS
from .services.meetings import MEETING_FIELDS

User = get_user_model()

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(PortalModelForm):
    video_url = forms.URLField(
        label=capfirst(_("lien de visioconférence")), required=False, assume_scheme="https"
    )

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS
        widgets = {
            "start": DATETIME_INPUT,
            "end": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        if "kind" in self.fields:
            # A steering committee is held by a platform, from its committee's page.
            self.fields["kind"].choices = [
                (value, label)
                for value, label in self.fields["kind"].choices
                if value != MeetingKind.STEERING_COMMITTEE
            ]


class SteeringMeetingForm(MeetingForm):
    """A platform's steering committee meeting: its kind and platform are fixed."""

    class Meta(MeetingForm.Meta):
        fields = [
            name for name in MEETING_FIELDS if name not in ("kind", "has_dinner", "has_visit")
        ]


def meeting_form_class(meeting=None):
    """The form of a meeting's edit page: a steering committee's has no kind to choose."""
    if meeting is not None and meeting.kind == MeetingKind.STEERING_COMMITTEE:
        return SteeringMeetingForm
    return MeetingForm


def _day_choices(meeting):
    return [(day.isoformat(), date_format(day, "l j F Y")) for day in meeting.days]


class AgendaItemForm(PortalModelForm):
    day = forms.TypedChoiceField(label=_("jour"), coerce=lambda v: _parse_day(v))

    class Meta:
        model = AgendaItem
        fields = ITEM_FIELDS
        widgets = {
            "start_time": TIME_INPUT,
            "end_time": TIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = _day_choices(meeting)
        if self.instance.pk:
            self.initial["day"] = self.instance.day.isoformat()
        self.fields["order"].required = False
        from surveys.enums import CampaignStatus
        from surveys.models import Campaign

        campaigns = self.fields["survey_campaign"]
        campaigns.queryset = Campaign.objects.exclude(status=CampaignStatus.DRAFT).order_by(
            "-year", "title", "pk"
        )
        campaigns.empty_label = _("— aucune —")

    def clean_order(self):
        return self.cleaned_data.get("order") or 0


def _parse_day(value):
    return datetime.date.fromisoformat(value)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Point proposé"), max_length=255)
    description = forms.CharField(
        label=_("Pourquoi ce point ?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ProposalAcceptForm(forms.Form):
    day = forms.TypedChoiceField(label=_("jour"), coerce=lambda v: _parse_day(v))
    start_time = forms.TimeField(label=_("heure de début"), required=False, widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("heure de fin"), required=False, widget=TIME_INPUT)
    room = forms.CharField(label=_("salle"), max_length=100, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = _day_choices(meeting)


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class InviteMembersForm(forms.Form):
    users = PersonMultipleChoiceField(
        label=_("Membres à inviter"), queryset=User.objects.none(), required=False
    )
    all_directors = forms.BooleanField(
        label=_("Inviter toutes les personnes rattachées à une plateforme"), required=False
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.invitations.filter(user__isnull=False).values("user_id")
        self.fields["users"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(pk__in=invited)
            .order_by(French("last_name"), French("first_name"), "pk")
        )
        self.fields["users"].widget.search_url = people_search_url(meeting)

    def clean(self):
        data = super().clean()
        if not data.get("users") and not data.get("all_directors"):
            raise ValidationError(_("Choisissez au moins une personne."))
        return data


class SteeringInviteForm(forms.Form):
    """A steering committee meeting's invitations: its committee's members (those with an
    account to their account, the others by name and email) and the platform's people."""

    members = IdModelMultipleChoiceField(
        label=_("Membres du comité à inviter"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = IdModelMultipleChoiceField(
        label=_("Personnes de la plateforme à inviter"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting, **kwargs):
        from members.models import SteeringMember

        super().__init__(*args, **kwargs)
        invitations = list(meeting.invitations.values_list("user_id", "guest_name", "guest_email"))
        invited_users = {user_id for user_id, _name, _email in invitations if user_id}
        invited_guests = {
            (name.casefold(), email.casefold())
            for user_id, name, email in invitations
            if not user_id
        }
        members = list(
            SteeringMember.objects.filter(platform=meeting.platform_id)
            .select_related("user")
            .order_by("college", "name", "user__last_name", "pk")
        )
        self.members_left = [
            member
            for member in members
            if (
                member.user_id not in invited_users
                if member.user_id
                else (member.name.casefold(), member.email.casefold()) not in invited_guests
            )
        ]
        self.fields["members"].queryset = SteeringMember.objects.filter(
            pk__in=[member.pk for member in self.members_left]
        ).select_related("user")
        self.fields["members"].choices = [
            (member.pk, steering_member_label(member)) for member in self.members_left
        ]
        people = (
            User.objects.filter(is_active=True, platform_memberships__platform=meeting.platform_id)
            .exclude(pk__in=invited_users)
            .exclude(pk__in=[member.user_id for member in members if member.user_id])
            .distinct()
        )
        self.users_left = list(people.order_by(French("last_name"), French("first_name"), "pk"))
        self.fields["users"].queryset = people
        self.fields["users"].choices = [(user.pk, str(user)) for user in self.users_left]
        self.has_choices = bool(self.members_left or self.users_left)
        if not self.members_left:
            del self.fields["members"]
        if not self.users_left:
            del self.fields["users"]

    def clean(self):
        data = super().clean()
        data.setdefault("members", [])
        data.setdefault("users", [])
        if not data["members"] and not data["users"]:
            raise ValidationError(_("Choisissez au moins une personne."))
        return data


def steering_member_label(member) -> str:
    """ "Name, organisation", and whether the convocation can reach them."""
    label = str(member.user) if member.user_id else member.name
    if member.organisation:
        label = f"{label}, {member.organisation}"
    if not member.user_id and not member.email:
        label = f"{label} — {_('sans adresse e-mail : pas de convocation')}"
    return label


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    organisation = forms.CharField(label=_("Organisme"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(
        label=_("Votre réponse"),
        choices=[(RsvpStatus.YES, _("Je viendrai")), (RsvpStatus.NO, _("Je ne viendrai pas"))],
        widget=forms.RadioSelect,
    )
    dinner = forms.BooleanField(label=_("Je participe au dîner"), required=False)
    visit = forms.BooleanField(label=_("Je participe à la visite"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        if not meeting.has_dinner:
            del self.fields["dinner"]
        if not meeting.has_visit:
            del self.fields["visit"]


class AttendanceForm(forms.Form):
    """One choice per invitee: present, excused, absent, represented (and by whom)."""

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            self.fields[f"att_{invitation.pk}"] = forms.ChoiceField(
                label=invitation.display_name,
                choices=Attendance.choices,
                required=False,
                initial=invitation.attendance,
            )
            self.fields[f"rep_{invitation.pk}"] = forms.CharField(
                label=_("représenté·e par"),
                max_length=200,
                required=False,
                initial=invitation.represented_by,
            )

    def rows(self):
        for invitation in self.invitations:
            yield invitation, self[f"att_{invitation.pk}"], self[f"rep_{invitation.pk}"]

    def clean(self):
        data = super().clean()
        for invitation in self.invitations:
            status = data.get(f"att_{invitation.pk}")
            if status == Attendance.REPRESENTED and not data.get(f"rep_{invitation.pk}"):
                self.add_error(f"rep_{invitation.pk}", _("Indiquez qui représente la personne."))
        return data

    def marks(self):
        return {
            invitation.pk: (
                self.cleaned_data.get(f"att_{invitation.pk}") or "",
                self.cleaned_data.get(f"rep_{invitation.pk}") or "",
            )
            for invitation in self.invitations
        }


class MinutesForm(forms.Form):
    summary = forms.CharField(
        label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    correction_note = forms.CharField(
        label=_("Nature de la correction (nouvelle version)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, minutes: Minutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.minutes = minutes
        self.items = list(minutes.items.all())
        self.initial.setdefault("summary", minutes.summary)
        self.initial.setdefault("correction_note", minutes.correction_note)
        if minutes.version == 1:
            del self.fields["correction_note"]
        for item in self.items:
            self.fields[f"text_{item.pk}"] = forms.CharField(
                label=_("Compte rendu"),
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
                initial=item.text,
            )
            self.fields[f"decisions_{item.pk}"] = forms.CharField(
                label=_("Décisions (une par ligne)"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=item.decisions,
            )

    def sections(self):
        for item in self.items:
            yield item, self[f"text_{item.pk}"], self[f"decisions_{item.pk}"]

    def item_values(self):
        """[(item id, text, decisions)] for minutes_update."""
        return [
            (
                item.pk,
                self.cleaned_data[f"text_{item.pk}"],
                self.cleaned_data[f"decisions_{item.pk}"],
            )
            for item in self.items
        ]


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=200,
        required=False,
    )


def people_search_url(meeting, action=None) -> str:
    """The endpoint the people pickers of `meeting`'s forms ask for matching people."""
    url = reverse("meeting_people", args=[meeting.pk])
    return f"{url}?action={action.pk}" if action is not None and action.pk else url


class ActionForm(PortalModelForm):
    owners = PersonMultipleChoiceField(
        label=capfirst(_("responsables (membres)")), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = ActionItem
        fields = ["title", "description", "owners", "owner_names", "due_date", "agenda_item"]
        widgets = {
            "due_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(is_active=True)
        if meeting.kind == MeetingKind.STEERING_COMMITTEE:
            # A committee's actions: its members, its platform's people, its invitees (and
            # the action's own owners, when corrected).
            people = (
                Q(steering_seats__platform=meeting.platform_id)
                | Q(platform_memberships__platform=meeting.platform_id)
                | Q(meeting_invitations__meeting=meeting)
            )
            if self.instance.pk:
                people |= Q(meeting_actions=self.instance.pk)
            owners = owners.filter(people).distinct()
        self.fields["owners"].queryset = owners.order_by(
            French("last_name"), French("first_name"), "pk"
        )
        self.fields["owners"].widget.search_url = people_search_url(meeting, self.instance)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class ActionEditForm(ActionForm):
    """The bureau's correction of an action, status included (cancelled, reopened)."""

    class Meta(ActionForm.Meta):
        fields = [*ActionForm.Meta.fields, "status"]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Nature"), choices=AttachmentKind.choices)
    agenda_item = IdModelChoiceField(
        label=_("Point de l'ordre du jour"), queryset=AgendaItem.objects.none(), required=False
    )
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("10 Mo au plus : PDF, PPTX, DOCX, XLSX, ODP, ODT, ODS, PNG ou JPG."),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            services.attachment_check(uploaded)
        except ServiceError as error:
            raise ValidationError(str(error)) from error
        return uploaded


class ResolutionForm(forms.Form):
    text = forms.CharField(label=_("Résolution"), widget=forms.Textarea(attrs={"rows": 2}))
    votes_for = forms.IntegerField(label=_("Pour"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Contre"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)


class OfficerForm(forms.Form):
    position = forms.CharField(label=_("Fonction"), max_length=100)
    name = forms.CharField(label=_("Nom"), max_length=200)


class _ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The options from the field's `rows` when a page read them already, else from its
    queryset, evaluated once (the default iterator runs `.iterator()` after the page's test:
    a second query, a server-side cursor on PostgreSQL)."""

    def _rows(self):
        return self.queryset if self.field.rows is None else self.field.rows

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self._rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._rows())


class _ListedModelChoiceField(IdModelChoiceField):
    """A ModelChoiceField whose options may come from a list (`rows`); the queryset still
    validates what is posted."""

    iterator = _ListedChoiceIterator
    rows = None


class ApprovalForm(forms.Form):
    minutes = _ListedModelChoiceField(
        label=_("Compte rendu approuvé"), queryset=Minutes.objects.none()
    )

    def __init__(self, *args, meeting, awaiting=None, **kwargs):
        """`awaiting`: the choices, when the page read them already
        (``selectors.minutes_approvals``)."""
        super().__init__(*args, **kwargs)
        field = self.fields["minutes"]
        field.rows = awaiting
        if awaiting is not None and not self.is_bound:
            return  # the page's form: its options are the rows; nothing posted to check
        from .selectors import same_series

        field.queryset = (
            Minutes.objects.filter(
                same_series(meeting),
                status="published",
                meeting__start__lt=meeting.start,
                approvals__isnull=True,
            )
            .select_related("meeting")
            .only("version", "meeting", "meeting__title")  # what the options print
            .order_by("-meeting__start", "-version")
        )

    @property
    def has_choices(self) -> bool:
        """Whether some minutes await approval (evaluates the choices once, for the options)."""
        field = self.fields["minutes"]
        return bool(field.queryset if field.rows is None else field.rows)
