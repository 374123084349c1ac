from django.urls import path

from . import views

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/rapport/", views.report, name="dashboard_report_page"),
    path("tableau-de-bord/rapport.pdf", views.report_pdf, name="dashboard_report"),
    path("tableau-de-bord/<slug:chart>.csv", views.chart_csv, name="dashboard_csv"),
]
