from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Veille et projets")

    def ready(self):
        # Reminder jobs and email rules register themselves on import.
        from . import project_reminders, reminders  # noqa: F401
