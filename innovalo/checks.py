"""System checks on settings typed by whoever deploys the portal.

The association's SIRET and IBAN (``ASSOCIATION_SIRET``, ``ASSOCIATION_IBAN``) are
printed on every notice and embedded in the Factur-X XML that Chorus Pro reads: a typo
there would reach every public buyer, so `manage.py check` (run by every command and
by `check --deploy`) refuses them with the same rules as the forms.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError

from .identifiers import validate_iban, validate_siret


@checks.register(checks.Tags.compatibility)
def association_identity(app_configs=None, **kwargs):
    errors = []
    association = getattr(settings, "ASSOCIATION", {})
    for key, setting, validate in (
        ("siret", "ASSOCIATION_SIRET", validate_siret),
        ("iban", "ASSOCIATION_IBAN", validate_iban),
    ):
        value = association.get(key) or ""
        if not value:
            continue
        try:
            validate(value)
        except ValidationError as error:
            errors.append(
                checks.Error(
                    f"{setting}={value!r}: {error.messages[0]}",
                    hint=f"Set {setting} to the association's real {key.upper()}.",
                    id=f"innovalo.E00{1 if key == 'siret' else 2}",
                )
            )
    return errors
