"""URLs of the imports pages (``projects/views/imports.py``): the import and its review,
the exports of the list, the deadlines feed. Before ``/appels/<id>/``."""

from django.urls import path

from ..views import imports as views

urlpatterns = [
    path("appels/import/", views.call_import, name="call_import"),
    path("appels/import/modifications/", views.call_changes, name="call_changes"),
    path("appels/export.csv", views.call_export_csv, name="call_export_csv"),
    path("appels/export.xlsx", views.call_export_xlsx, name="call_export_xlsx"),
    path("appels/agenda/", views.call_calendar, name="call_calendar"),
    path("appels/agenda/<str:token>.ics", views.call_feed, name="call_feed"),
]
