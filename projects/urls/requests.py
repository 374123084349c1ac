"""URLs of the requests pages."""

urlpatterns = []
