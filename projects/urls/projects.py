"""URLs of the projects pages (``/projets/``)."""

from django.urls import path

from ..views import projects as views

urlpatterns = [
    path("projets/", views.project_board, name="project_board"),
    path("projets/choix-appel/", views.project_call_picker, name="project_call_picker"),
    path("projets/nouveau/", views.project_create, name="project_create"),
    path("projets/<id:pk>/", views.project_detail, name="project_detail"),
    path("projets/<id:pk>/modifier/", views.project_edit, name="project_edit"),
    path("projets/<id:pk>/etape/", views.project_stage, name="project_stage"),
    path("projets/<id:pk>/prochaine-etape/", views.project_next_step, name="project_next_step"),
    path(
        "projets/<id:pk>/partenaires/ajouter/",
        views.project_partner_add,
        name="project_partner_add",
    ),
    path(
        "projets/<id:pk>/partenaires/<id:partner_pk>/",
        views.project_partner_edit,
        name="project_partner_edit",
    ),
    path(
        "projets/<id:pk>/partenaires/<id:partner_pk>/retirer/",
        views.project_partner_remove,
        name="project_partner_remove",
    ),
    path(
        "projets/<id:pk>/partenaires/<id:partner_pk>/montant-obtenu/",
        views.project_amount_correct,
        name="project_amount_correct",
    ),
    path("projets/<id:pk>/documents/", views.project_document_add, name="project_document_add"),
    path(
        "projets/<id:pk>/documents/<id:doc_id>/",
        views.project_document,
        name="project_document",
    ),
    path(
        "projets/<id:pk>/documents/<id:doc_id>/supprimer/",
        views.project_document_delete,
        name="project_document_delete",
    ),
]
