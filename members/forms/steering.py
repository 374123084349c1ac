"""Forms of a platform's steering committee: a member (a person of the portal picked by
email, or an outside name with an organisation), and a new committee meeting (the meetings
app's form, without a kind to choose)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetings.forms import SteeringMeetingForm

from ..enums import College
from ..models import SteeringMember

__all__ = ["SteeringMeetingForm", "SteeringMemberForm"]

FIELD = SteeringMember._meta.get_field


class SteeringMemberForm(forms.Form):
    """Parses the page; the rules (a name and an organisation for an outside person, one seat
    per person) are the service's (``members.services.steering``)."""

    user_email = forms.EmailField(
        label=_("Adresse e-mail de son compte"),
        required=False,
        help_text=_(
            "La personne a un compte sur le portail : elle verra le comité et ses réunions."
        ),
    )
    name = forms.CharField(label=_("Nom"), max_length=FIELD("name").max_length, required=False)
    organisation = forms.CharField(
        label=_("Organisme"),
        max_length=FIELD("organisation").max_length,
        required=False,
        help_text=_("Obligatoire pour une personne extérieure."),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        required=False,
        help_text=_("Facultative : pour lui envoyer les convocations."),
    )
    college = forms.ChoiceField(
        label=_("Collège"), choices=[("", _("— choisir —")), *College.choices]
    )
    role = forms.CharField(
        label=_("Rôle au comité"),
        max_length=FIELD("role").max_length,
        required=False,
        help_text=_("Par exemple : président·e, représentant·e de la région."),
    )

    PORTAL_FIELDS = ("user_email",)
    OUTSIDE_FIELDS = ("name", "email")
    COMMON_FIELDS = ("organisation", "college", "role")

    def __init__(self, *args, member=None, **kwargs):
        if member is not None:
            kwargs.setdefault(
                "initial",
                {
                    "user_email": member.user.email if member.user_id else "",
                    "name": member.name,
                    "organisation": member.organisation,
                    "email": member.email,
                    "college": member.college,
                    "role": member.role,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_user_email(self):
        email = self.cleaned_data["user_email"].strip()
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(
                _(
                    "Aucun compte actif du portail n'a cette adresse : ajoutez la personne "
                    "comme personne extérieure."
                )
            )
        return user

    def clean(self):
        data = super().clean()
        if data.get("user_email") and (data.get("name") or "").strip():
            self.add_error(
                "name",
                _("Une personne du portail ou une personne extérieure : pas les deux à la fois."),
            )
        return data

    def section(self, names):
        return [self[name] for name in names]

    def portal_fields(self):
        return self.section(self.PORTAL_FIELDS)

    def outside_fields(self):
        return self.section(self.OUTSIDE_FIELDS)

    def common_fields(self):
        return self.section(self.COMMON_FIELDS)

    def member_data(self) -> dict:
        """The service's keyword arguments (``steering_member_add`` / ``_update``)."""
        data = self.cleaned_data
        user = data.get("user_email")
        return {
            "user": user,
            "name": "" if user else data["name"],
            "email": "" if user else data["email"],
            "organisation": data["organisation"],
            "college": data["college"],
            "role": data["role"],
        }
