"""The calls watch (``/appels/``) and co-built projects (``/projets/``). Each page family
keeps its URLs in its own module, next to its views."""

from . import alerts, calls, imports, projects, requests, requests_public

urlpatterns = [
    *imports.urlpatterns,  # /appels/import/, exports and feed before /appels/<id>/
    *alerts.urlpatterns,
    *calls.urlpatterns,
    *projects.urlpatterns,
    *requests_public.urlpatterns,  # /demandes/nouvelle/, /demandes/suivi/<token>/
    *requests.urlpatterns,
]
