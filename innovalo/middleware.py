from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switch.

    Django's LocaleMiddleware follows the browser's Accept-Language; the
    association wants the portal in French first, whatever the browser says.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """A NUL character in the path, the query or a form is refused with 400.

    PostgreSQL refuses NUL in text: left to the views, ``/personnes/?q=%00`` would
    be a 500. Nobody types one; only scanners and broken clients send it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest(
                "Requête invalide : caractère nul.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                items = request.POST.lists()
            except Exception:  # noqa: BLE001 - malformed bodies are Django's to refuse
                return False
            for key, values in items:
                if "\x00" in key or any("\x00" in str(value) for value in values):
                    return True
            for upload in request.FILES.values():
                if "\x00" in (upload.name or ""):
                    return True
        return False
