"""The members app's periodic reminders, run by `send_reminders` and Celery beat.

Each job lives with its services; this module only registers them.
"""

from innovalo.reminders import register

from .services import dues, platforms

for name, job in [
    ("platform_review", getattr(platforms, "platform_review_reminders", None)),
    ("dues_reminders", getattr(dues, "dues_send_due_reminders", None)),
    ("dues_weekly_digest", getattr(dues, "dues_weekly_digest", None)),
]:
    if job is not None:
        register(name)(job)
