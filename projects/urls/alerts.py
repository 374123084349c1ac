"""URLs of the alerts pages."""

urlpatterns = []
