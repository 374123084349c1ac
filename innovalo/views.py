from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import perms, services
from .celery import app as celery_app
from .exceptions import ServiceError
from .forms import AcceptInvitationForm, InvitationForm, add_service_error
from .french import French, search_words
from .home import home_context
from .models import Invitation
from .perms import require


@login_not_required
def home(request):
    """Public presentation for visitors; a personal overview once logged in."""
    if not request.user.is_authenticated:
        return render(request, "innovalo/home_public.html", home_context(request))
    return render(request, "innovalo/home.html", home_context(request))


@login_not_required
@require_GET
def accessibility(request):
    """The accessibility statement (RGAA), linked from every page's footer."""
    return render(request, "innovalo/accessibility.html")


@login_not_required
@never_cache
def health(request):
    """For operators: is the database reachable, is the broker? No secrets."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "error"
    if celery_app.conf.task_always_eager:
        checks["broker"] = "in-process"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception:
            checks["broker"] = "error"
    healthy = all(value != "error" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def no_address_management(request):
    """/accounts/email/ does not exist: the bureau manages the portal's addresses."""
    raise Http404


def invitation_list(request):
    require(perms.can_manage_invitations(request.user))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(invited_by=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %s.") % invitation.email)
            return redirect("invitation_list")
    page = Paginator(Invitation.objects.for_list(), 25).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "innovalo/invitation_list.html", {"form": form, "page_obj": page}, status=status
    )


@require_POST
def invitation_resend(request, pk):
    require(perms.can_manage_invitations(request.user))
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
        messages.success(request, _("Invitation renvoyée à %s.") % invitation.email)
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("invitation_list")


@require_POST
def invitation_revoke(request, pk):
    require(perms.can_manage_invitations(request.user))
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(request, _("Invitation révoquée."))
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("invitation_list")


@login_not_required
@never_cache
def invitation_accept(request, token):
    invitation = Invitation.find_by_token(token)
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        status = invitation.status if invitation else None
        return render(request, "innovalo/invitation_invalid.html", {"status": status}, status=410)
    if request.user.is_authenticated:
        messages.info(request, _("Déconnectez-vous pour accepter une invitation."))
        return redirect("home")
    form = AcceptInvitationForm(
        request.POST or None,
        invitation=invitation,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                phone=form.cleaned_data["phone"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bienvenue ! Votre compte est prêt."))
            return redirect("home")
    return render(
        request, "innovalo/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def my_data(request):
    """RGPD: what the portal holds about me, on a page and as a JSON download."""
    from .personal_data import personal_data, readable_sections

    sections = personal_data(request.user)
    if request.GET.get("format") == "json":
        response = JsonResponse(dict(sections), json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = 'attachment; filename="mes-donnees-innovalo.json"'
        return response
    return render(request, "innovalo/my_data.html", {"sections": readable_sections(sections)})


@require_POST
def user_anonymise(request, pk):
    from .models import User
    from .personal_data import user_anonymise as anonymise

    require(perms.can_anonymise_users(request.user))
    user = get_object_or_404(User, pk=pk)
    if user == request.user:
        raise PermissionDenied
    anonymise(user=user, actor=request.user)
    messages.success(request, _("La personne a été anonymisée."))
    return redirect("people_list")


def people_list(request):
    """The bureau's list of people, with anonymisation for those who leave."""
    from django.db.models import Count

    from .models import User

    require(perms.can_anonymise_users(request.user))
    query = request.GET.get("q", "").strip()
    users = User.objects.annotate(platform_count=Count("platform_memberships")).order_by(
        French("last_name"), French("first_name"), "pk"
    )
    if query:
        # Every word in the email or the names, accents and case aside.
        users = search_words(users, query, ("email", "last_name", "first_name"))
    page = Paginator(users, 30).get_page(request.GET.get("page"))
    return render(request, "innovalo/people_list.html", {"page_obj": page, "q": query})
