"""What the members app holds about a person (RGPD page, innovalo.personal_data)."""

from .models import Correspondent, PlatformMembership


def platforms_of(user):
    rows = PlatformMembership.objects.filter(user=user).select_related("platform")
    return "Plateformes", [
        {
            "plateforme": str(row.platform),
            "rôle": row.get_role_display(),
            "depuis le": row.created_at.isoformat(),
        }
        for row in rows
    ]


def correspondences_of(user):
    rows = Correspondent.objects.filter(user=user).select_related("region", "domain")
    return "Correspondances", [
        {"type": row.get_kind_display(), "pour": str(row.region or row.domain)} for row in rows
    ]
