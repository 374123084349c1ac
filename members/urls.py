from .views.dues import urlpatterns as dues_urlpatterns
from .views.platforms import urlpatterns as platform_urlpatterns

urlpatterns = [*platform_urlpatterns, *dues_urlpatterns]
