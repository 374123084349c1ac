from django.urls import path

from . import views

urlpatterns = [
    path("reunions/", views.meeting_list, name="meeting_list"),
    path("reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("reunions/mes-actions/", views.my_actions, name="my_actions"),
    path("reunions/agenda/", views.calendar_settings, name="calendar_settings"),
    path("reunions/agenda/<str:token>.ics", views.meeting_feed, name="meeting_feed"),
    path("reunions/actions/<id:action_pk>/etat/", views.action_status, name="action_status"),
    path("reunions/actions/<id:action_pk>/modifier/", views.action_edit, name="action_edit"),
    path(
        "reunions/documents/<id:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("reunions/<id:pk>/", views.meeting_detail, name="meeting_detail"),
    path("reunions/<id:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<id:pk>/historique/", views.meeting_history, name="meeting_history"),
    path("reunions/<id:pk>/convoquer/", views.meeting_convene, name="meeting_convene"),
    path("reunions/<id:pk>/tenue/", views.meeting_mark_held, name="meeting_mark_held"),
    path("reunions/<id:pk>/annuler/", views.meeting_cancel, name="meeting_cancel"),
    path("reunions/<id:pk>/ordre-du-jour/", views.agenda_edit, name="agenda_edit"),
    path(
        "reunions/<id:pk>/ordre-du-jour/<id:item_pk>/",
        views.agenda_edit,
        name="agenda_item_edit",
    ),
    path(
        "reunions/<id:pk>/ordre-du-jour/<id:item_pk>/supprimer/",
        views.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path("reunions/<id:pk>/propositions/", views.proposal_create, name="proposal_create"),
    path(
        "reunions/<id:pk>/propositions/<id:proposal_pk>/accepter/",
        views.proposal_accept,
        name="proposal_accept",
    ),
    path(
        "reunions/<id:pk>/propositions/<id:proposal_pk>/refuser/",
        views.proposal_decline,
        name="proposal_decline",
    ),
    path("reunions/<id:pk>/invitations/", views.meeting_invitations, name="meeting_invitations"),
    path(
        "reunions/<id:pk>/invitations/<id:invitation_pk>/retirer/",
        views.invitation_remove,
        name="invitation_remove",
    ),
    path("reunions/<id:pk>/personnes/", views.people_search, name="meeting_people"),
    path("reunions/<id:pk>/reponse/", views.meeting_rsvp, name="meeting_rsvp"),
    path("reunions/<id:pk>/presences/", views.meeting_attendance, name="meeting_attendance"),
    path("reunions/<id:pk>/compte-rendu/", views.minutes_edit, name="minutes_edit"),
    path("reunions/<id:pk>/compte-rendu/publier/", views.minutes_publish, name="minutes_publish"),
    path("reunions/<id:pk>/approbation/", views.minutes_approve, name="minutes_approve"),
    path("reunions/<id:pk>/actions/", views.action_create, name="action_create"),
    path("reunions/<id:pk>/documents/", views.attachment_create, name="attachment_create"),
    path("reunions/<id:pk>/assemblee-generale/", views.general_assembly, name="general_assembly"),
    path("reunions/<id:pk>/ordre-du-jour.pdf", views.meeting_agenda_pdf, name="meeting_agenda_pdf"),
    path(
        "reunions/<id:pk>/compte-rendu.pdf",
        views.meeting_minutes_pdf,
        name="meeting_minutes_pdf",
    ),
    path("reunions/<id:pk>/reunion.ics", views.meeting_ics_view, name="meeting_ics"),
]
