"""URLs of the calls pages."""

urlpatterns = []
