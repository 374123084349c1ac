"""The participant lists frozen in published minutes name each member by user id too, so
that anonymising a person who leaves finds them (``meetings.personal_data.anonymise``).

Lists frozen before this migration get the ids of the meeting's invitees whose name
(``str(user)``: full name, else email) and organisation match. Data only: no table changes.
"""

from django.db import migrations


def _name(user):
    return f"{user.first_name} {user.last_name}".strip() or user.email


def add_user_ids(apps, schema_editor):
    Minutes = apps.get_model("meetings", "Minutes")
    MeetingInvitation = apps.get_model("meetings", "MeetingInvitation")
    for minutes in Minutes.objects.exclude(participants=None).iterator():
        invitations = MeetingInvitation.objects.filter(
            meeting_id=minutes.meeting_id, user__isnull=False
        ).select_related("user")
        by_name = {}
        for invitation in invitations:
            by_name.setdefault(_name(invitation.user), []).append(invitation.user_id)
        changed = False
        for group in (minutes.participants or {}).values():
            for entry in group:
                if "user_id" in entry:
                    continue
                ids = by_name.get(entry.get("display_name"), [])
                entry["user_id"] = ids[0] if len(ids) == 1 else None
                changed = True
        if changed:
            # A queryset update: published minutes refuse save().
            Minutes.objects.filter(pk=minutes.pk).update(participants=minutes.participants)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_minutes_participants")]

    operations = [migrations.RunPython(add_user_ids, migrations.RunPython.noop)]
