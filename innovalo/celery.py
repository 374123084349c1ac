"""The Celery app. Redis from REDIS_URL; the beat schedule lives here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovalo.settings")

app = Celery("innovalo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every reminder that is due now, across apps; idempotent, so hourly is safe.
    "send-due-reminders": {
        "task": "innovalo.tasks.send_due_reminders",
        "schedule": crontab(minute=5),
    },
}
