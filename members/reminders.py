"""The members app's periodic reminders, run by `send_reminders` and Celery beat.

Each job lives with its services; this module only registers them. Importing the
dues services also registers the senders of the dues email rules.
"""

from innovalo.reminders import register

from .services import dues, platforms

register("platform_review")(platforms.platform_review_reminders)
register("dues_reminders")(dues.dues_send_due_reminders)
register("dues_weekly_digest")(dues.dues_weekly_digest)
# Not an email: the certificates a task could not issue (broker down) are caught up.
register("dues_certificates")(dues.dues_issue_missing_certificates)
