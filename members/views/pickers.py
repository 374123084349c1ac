"""The search endpoints of the platform and establishment pickers (htmx): a
``<datalist>`` of a few matching rows. Names only, as the public directory shows
them, to any signed-in user (the pages that hold the pickers check their own perms)."""

from django.views.decorators.http import require_GET

from ..forms.pickers import establishment_field, platform_field


@require_GET
def platform_picker(request):
    return platform_field().options_response(request)


@require_GET
def establishment_picker(request):
    return establishment_field().options_response(request)
