"""The public side of firms' requests (``/demandes/``): the form, the thank-you page and
the firm's private page. Being written: the form comes next."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def request_create(request):
    return render(request, "projects/requests_public/request_form.html", {})


@login_not_required
def request_sent(request):
    return render(request, "projects/requests_public/request_form.html", {})


@login_not_required
def request_track(request, token):
    return render(request, "projects/requests_public/request_form.html", {})
