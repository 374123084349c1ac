"""The meetings app's periodic reminders, run by `send_reminders` and Celery beat.

Each job lives with its services (``meetings/services/emails.py``, which also registers
the email senders); this module only registers the jobs.
"""

from innovalo.reminders import register

from .services import emails

register("meeting_eve")(emails.meeting_eve_reminders)
register("meeting_actions")(emails.action_reminders)
