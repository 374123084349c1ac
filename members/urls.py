from django.urls import path

from .views import dues, pickers, platforms

urlpatterns = [
    path("plateformes/", platforms.platform_list, name="platform_list"),
    path("plateformes/export/", platforms.platform_export, name="platform_export"),
    path("plateformes/import/", platforms.platform_import, name="platform_import"),
    path("choix/plateformes/", pickers.platform_picker, name="platform_picker"),
    path("choix/etablissements/", pickers.establishment_picker, name="establishment_picker"),
    path("plateformes/<slug:slug>/", platforms.platform_detail, name="platform_detail"),
    path("plateformes/<slug:slug>/modifier/", platforms.platform_edit, name="platform_edit"),
    path(
        "plateformes/<slug:slug>/modifier/ligne/<str:kind>/",
        platforms.platform_edit_row,
        name="platform_edit_row",
    ),
    path(
        "plateformes/<slug:slug>/historique/", platforms.platform_history, name="platform_history"
    ),
    path("plateformes/<slug:slug>/inviter/", platforms.platform_invite, name="platform_invite"),
    path("regions/", platforms.region_list, name="region_list"),
    path("regions/<slug:slug>/", platforms.region_detail, name="region_detail"),
    path("cotisations/", dues.dues_board, name="dues_board"),
    path("cotisations/export/", dues.dues_export, name="dues_export"),
    path("cotisations/ligne/<id:pk>/", dues.dues_line_detail, name="dues_line_detail"),
    path("cotisations/ligne/<id:pk>/avis.pdf", dues.dues_notice_pdf, name="dues_notice_pdf"),
    path(
        "cotisations/ligne/<id:pk>/attestation.pdf",
        dues.dues_certificate_pdf,
        name="dues_certificate_pdf",
    ),
    path("cotisations/paiements/nouveau/", dues.dues_payment_create, name="dues_payment_create"),
    path("cotisations/paiements/lignes/", dues.dues_line_picker, name="dues_line_picker"),
    path("cotisations/appel/", dues.dues_call_year, name="dues_call_year"),
    path("cotisations/appel/<int:year>/envoi/", dues.dues_call_progress, name="dues_call_progress"),
    path("cotisations/exonerations/", dues.dues_exemptions, name="dues_exemptions"),
    path("cotisations/relances/", dues.dues_reminder_settings, name="dues_reminder_settings"),
    path(
        "cotisations/documents/<id:pk>/<str:number>.pdf", dues.dues_document, name="dues_document"
    ),
    path("plateformes/<slug:slug>/cotisations/", dues.platform_dues, name="platform_dues"),
]

# Agreements and transfer offer (issue 11)
from .views import agreements  # noqa: E402

urlpatterns += [
    path("plateformes/<slug:slug>/conventions/", agreements.agreement_list, name="agreement_list"),
    path(
        "plateformes/<slug:slug>/conventions/nouvelle/",
        agreements.agreement_create,
        name="agreement_create",
    ),
    path(
        "plateformes/<slug:slug>/conventions/<id:pk>/modifier/",
        agreements.agreement_edit,
        name="agreement_edit",
    ),
    path(
        "plateformes/<slug:slug>/conventions/<id:pk>/supprimer/",
        agreements.agreement_delete,
        name="agreement_delete",
    ),
    path(
        "plateformes/<slug:slug>/conventions/<id:pk>/document/",
        agreements.agreement_document,
        name="agreement_document",
    ),
    path("conventions/", agreements.agreements_ending, name="agreements_ending"),
]

# Steering committee (issue 11)
from .views import steering  # noqa: E402

urlpatterns += [
    path("plateformes/<slug:slug>/comite/", steering.steering_committee, name="steering_committee"),
    path(
        "plateformes/<slug:slug>/comite/historique/",
        steering.steering_history,
        name="steering_history",
    ),
    path(
        "plateformes/<slug:slug>/comite/membres/ajouter/",
        steering.steering_member_add,
        name="steering_member_add",
    ),
    path(
        "plateformes/<slug:slug>/comite/membres/<id:pk>/modifier/",
        steering.steering_member_edit,
        name="steering_member_edit",
    ),
    path(
        "plateformes/<slug:slug>/comite/membres/<id:pk>/retirer/",
        steering.steering_member_remove,
        name="steering_member_remove",
    ),
    path(
        "plateformes/<slug:slug>/comite/reunion/",
        steering.steering_meeting_create,
        name="steering_meeting_create",
    ),
]

# Dues accounting journal and financial report figures (issue 12)
from .views import journal  # noqa: E402

urlpatterns += [
    path("cotisations/comptabilite/", journal.dues_journal, name="dues_journal"),
]

# The year's notices of public buyers for Chorus Pro (issue 12)
from .views import chorus  # noqa: E402

urlpatterns += [
    path("cotisations/chorus/", chorus.dues_chorus_zip, name="dues_chorus_zip"),
]

# Bank statements: import and match credits to dues (issue 12)
from .views import bank  # noqa: E402

urlpatterns += [
    path("cotisations/releves/", bank.bank_statements, name="bank_statements"),
    path("cotisations/releves/<id:pk>/", bank.bank_statement_detail, name="bank_statement_detail"),
]
