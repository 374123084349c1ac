"""Every write about dues: rates and calls, lines, payments, documents, emails.

Services take plain arguments, run in `transaction.atomic`, lock what races matter
on (`select_for_update`), raise only `innovalo.exceptions.ServiceError`, and write
one `innovalo.audit` entry per change, shown on the dues line's page. Reads live in
`members.selectors.dues`. Money is never deleted or rewritten.

One module per domain, re-exported here: `from members.services import dues` then
`dues.dues_record_payment(...)`.
"""

from .documents import (
    dues_issue_certificate,
    dues_issue_missing_certificates,
    dues_issue_notice,
    dues_issue_receipt,
)
from .emails import (
    DIGEST_TARGET,
    LINE_RULES,
    dues_send_due_reminders,
    dues_send_manual_reminder,
    dues_weekly_digest,
)
from .lines import dues_cancel_line, dues_exempt, dues_exempt_platform, dues_set_purchase_order
from .payments import dues_cancel_payment, dues_record_payment
from .rates import (
    CallResult,
    dues_call_year,
    dues_check_rate,
    dues_save_reminder_steps,
    dues_set_rate,
    ensure_default_reminder_steps,
)

__all__ = [
    "DIGEST_TARGET",
    "LINE_RULES",
    "CallResult",
    "dues_call_year",
    "dues_check_rate",
    "dues_cancel_line",
    "dues_cancel_payment",
    "dues_exempt",
    "dues_exempt_platform",
    "dues_issue_certificate",
    "dues_issue_missing_certificates",
    "dues_issue_notice",
    "dues_issue_receipt",
    "dues_record_payment",
    "dues_save_reminder_steps",
    "dues_send_due_reminders",
    "dues_send_manual_reminder",
    "dues_set_purchase_order",
    "dues_set_rate",
    "dues_weekly_digest",
    "ensure_default_reminder_steps",
]
