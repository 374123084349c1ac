"""Every periodic job and email sender is registered when Django starts, not when the
URLs are loaded: ``send_reminders`` and the Celery worker never load the URLs."""

import os
import subprocess
import sys
from pathlib import Path

from innovalo.reminders import registered_jobs, registered_rules

ROOT = Path(__file__).resolve().parents[2]
JOBS = {
    "agreement_reminders",
    "call_deadlines",
    "call_digests",
    "project_next_steps",
    "request_privacy",
    "request_reminders",
    "survey_reminders",
    "meeting_actions",
    "dues_reminders",
    "outbox",
}


def test_send_reminders_lists_every_job_in_a_fresh_process():
    env = {**os.environ, "DEBUG": "1"}
    listed = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert set(listed) >= JOBS


def test_every_email_rule_of_the_new_apps_has_a_sender():
    rules = set(registered_rules())
    for rule in (
        "agreement_ending",
        "call_digest",
        "call_deadline",
        "call_proposal_published",
        "call_proposal_refused",
        "request_routed",
        "request_reminder_platform",
        "request_reminder_correspondent",
        "project_stage",
    ):
        assert rule in rules, rule
    assert set(registered_jobs()) >= JOBS
