from django.urls import path

from . import views

urlpatterns = [
    # Answering: the campaigns a user is concerned by, a platform's response.
    path("enquetes/", views.campaign_list, name="survey_list"),
    path("enquetes/nouvelle/", views.campaign_create, name="survey_create"),
    path("enquetes/<id:pk>/", views.campaign_detail, name="survey_detail"),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/",
        views.response_edit,
        name="survey_response",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/envoyer/",
        views.response_submit,
        name="survey_response_submit",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/envoyee/",
        views.response_done,
        name="survey_response_done",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/reponse.pdf",
        views.response_pdf,
        name="survey_response_pdf",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/reprendre/",
        views.response_take_over,
        name="survey_response_take_over",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/rouvrir/",
        views.response_reopen,
        name="survey_response_reopen",
    ),
    path(
        "enquetes/<id:pk>/plateformes/<slug:slug>/historique/",
        views.response_history,
        name="survey_response_history",
    ),
    # The bureau's editor.
    path("enquetes/<id:pk>/modifier/", views.campaign_edit, name="survey_edit"),
    path("enquetes/<id:pk>/copier/", views.campaign_copy, name="survey_copy"),
    path("enquetes/<id:pk>/etat/", views.campaign_transition, name="survey_transition"),
    path("enquetes/<id:pk>/apercu/", views.campaign_preview, name="survey_preview"),
    path("enquetes/<id:pk>/sections/nouvelle/", views.section_create, name="survey_section_create"),
    path(
        "enquetes/<id:pk>/sections/<id:section_pk>/",
        views.section_edit,
        name="survey_section_edit",
    ),
    path(
        "enquetes/<id:pk>/sections/<id:section_pk>/deplacer/",
        views.section_move,
        name="survey_section_move",
    ),
    path(
        "enquetes/<id:pk>/sections/<id:section_pk>/supprimer/",
        views.section_delete,
        name="survey_section_delete",
    ),
    path(
        "enquetes/<id:pk>/questions/nouvelle/",
        views.question_create,
        name="survey_question_create",
    ),
    path(
        "enquetes/<id:pk>/questions/<id:question_pk>/",
        views.question_edit,
        name="survey_question_edit",
    ),
    path(
        "enquetes/<id:pk>/questions/<id:question_pk>/deplacer/",
        views.question_move,
        name="survey_question_move",
    ),
    path(
        "enquetes/<id:pk>/questions/<id:question_pk>/supprimer/",
        views.question_delete,
        name="survey_question_delete",
    ),
    # External respondents and their token link.
    path("enquetes/<id:pk>/repondants/", views.respondent_list, name="survey_respondents"),
    path(
        "enquetes/<id:pk>/repondants/importer/",
        views.respondent_import,
        name="survey_respondent_import",
    ),
    path(
        "enquetes/<id:pk>/repondants/invitations/",
        views.invitation_control,
        name="survey_invitations",
    ),
    path("q/<str:token>/", views.questionnaire, name="survey_questionnaire"),
    path("q/<str:token>/desinscription/", views.opt_out, name="survey_opt_out"),
    # Tracking and reminders.
    path("enquetes/<id:pk>/suivi/", views.tracking, name="survey_tracking"),
    path("enquetes/<id:pk>/suivi/relancer/", views.remind_by_hand, name="survey_remind"),
    # Results.
    path("enquetes/<id:pk>/resultats/", views.results, name="survey_results"),
    path("enquetes/<id:pk>/export/", views.export, name="survey_export"),
    path("enquetes/<id:pk>/rapport.pdf", views.report_pdf, name="survey_report"),
]
