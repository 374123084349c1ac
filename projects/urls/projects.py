"""URLs of the projects pages."""

urlpatterns = []
