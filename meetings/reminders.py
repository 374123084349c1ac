"""The meetings app's periodic reminders, run by `send_reminders` and Celery beat."""

from innovalo.reminders import register

from . import services

register("meeting_eve")(lambda: services.meeting_eve_reminders())
register("meeting_actions")(lambda: services.action_reminders())
