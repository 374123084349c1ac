from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .enums import Role
from .models import User


class InvitationForm(forms.Form):
    """Invite a person with a role; a platform's person (director, staff, accounting)
    is invited for their platform, to which accepting attaches them."""

    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.DIRECTOR)

    def __init__(self, *args, **kwargs):
        from members.enums import PlatformRole
        from members.forms.pickers import platform_field

        super().__init__(*args, **kwargs)
        # Added here: the members app imports this module. A searchable picker: a
        # federation holds 5,000 platforms, never all listed on the page.
        self.fields["platform"] = platform_field(
            label=_("Plateforme"),
            help_text=_(
                "Obligatoire pour une personne de plateforme : son compte y sera rattaché. "
                "Tapez quelques lettres du nom ou du sigle, puis choisissez."
            ),
            required=False,
        )
        self.fields["platform_role"] = forms.ChoiceField(
            label=_("Rôle dans la plateforme"),
            choices=PlatformRole.choices,
            initial=PlatformRole.DIRECTOR,
            required=False,
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Un compte existe déjà avec cette adresse."))
        return email

    def clean(self):
        cleaned = super().clean()
        role, platform = cleaned.get("role"), cleaned.get("platform")
        if role == Role.DIRECTOR:
            if platform is None and "platform" not in self.errors:
                self.add_error(
                    "platform",
                    _(
                        "Choisissez la plateforme de la personne invitée : son compte y sera "
                        "rattaché."
                    ),
                )
            cleaned["platform_role"] = cleaned.get("platform_role") or "director"
        elif role:
            if platform is not None:
                self.add_error(
                    "platform",
                    _("Seule une personne de plateforme est rattachée à une plateforme."),
                )
            cleaned["platform_role"] = ""
        return cleaned


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, invitation=None, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif p1:
            probe = User(
                email=self.invitation.email if self.invitation else "",
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def add_service_error(form, error) -> None:
    """Show a ``ServiceError`` on the form: next to its field when the form has it,
    above the form otherwise. The one place views map service errors to forms."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


# Ids posted in forms -------------------------------------------------------------------

BIGINT_MAX = 2**63 - 1


def _out_of_range(value) -> bool:
    """An id no table can hold: PostgreSQL answers "no such row", SQLite raises
    OverflowError (a 500) before it is asked."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False
    return not -BIGINT_MAX - 1 <= number <= BIGINT_MAX


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for which a 30-digit id is an invalid choice on every database."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and _out_of_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField for which a 30-digit id is an invalid value everywhere."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if _out_of_range(pk):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


def bounded_formfield(db_field, **kwargs):
    """ModelForm fields for relations use the bounded id fields above."""
    from django.db import models

    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdModelChoiceField)
    return db_field.formfield(**kwargs)


class PortalModelForm(forms.ModelForm):
    """The portal's ModelForm: relation fields refuse ids that overflow, on any database.

    Django reads ``Meta.formfield_callback`` only: each subclass's Meta gets it here,
    before the metaclass builds the fields."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(bounded_formfield)
