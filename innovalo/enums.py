from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A person's role in the portal. Directors are linked to platforms in members/."""

    DIRECTOR = "director", _("Directeur·rice de plateforme")
    BUREAU = "bureau", _("Bureau")
    MINISTRY = "ministry", _("Ministère")
