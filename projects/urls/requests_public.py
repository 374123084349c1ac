"""URLs of the requests_public pages."""

urlpatterns = []
