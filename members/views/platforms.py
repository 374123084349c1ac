"""Platform pages: directory, profile, edit, regions, import and export. (issue 3)"""

urlpatterns = []
