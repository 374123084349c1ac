from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovaloConfig(AppConfig):
    name = "innovalo"
    verbose_name = _("Portail INNOVALO")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app registers its periodic reminders in <app>/reminders.py.
        autodiscover_modules("reminders")

        from . import (  # noqa: F401  (the settings' checks, the invitation email)
            checks,
            french,  # noqa: F401  (the unaccent lookup, SQLite's functions)
            services,
        )
        from .dashboard import signals as dashboard_signals
        from .signals import connect

        connect()
        dashboard_signals.connect()
