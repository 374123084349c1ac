"""The surveys app's periodic reminders, run by `send_reminders` and Celery beat.

The job lives with its services (``surveys/services/reminders.py``, which also
registers the email senders); this module only registers it. ``innovalo.apps``
imports every app's ``reminders`` module at startup (``autodiscover_modules``).
"""

from innovalo.reminders import register

from .services import invitations, reminders

register("survey_reminders")(reminders.survey_send_due_reminders)
# Not a reminder: invitations left pending with nobody sending them are sent again.
register("survey_invitations")(invitations.invitations_catch_up)
