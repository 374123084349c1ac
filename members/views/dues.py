"""Dues pages: the bureau's board, dues lines, payments, documents. (issue 4)

Views are thin: they check `perms`, parse a form, call a service (mapping a
`ServiceError` onto the form with `add_service_error`) or a selector, render.
Refusals: 403; anonymous visitors are sent to the login page by
LoginRequiredMiddleware. A GET never writes: documents are issued by services,
from a POST or a task, never by opening a page or a PDF.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from innovalo.exceptions import ServiceError
from innovalo.exports import export_response
from innovalo.forms import add_service_error
from innovalo.pdf import pdf_response
from innovalo.perms import require
from innovalo.tasks import enqueue

from .. import perms, tasks
from ..enums import DuesDocumentKind
from ..filters.dues import DuesLineFilter
from ..forms.dues import (
    LINE_LIST_ID,
    AllocationFormSet,
    CallYearForm,
    ExemptionForm,
    PaymentForm,
    PurchaseOrderForm,
    ReasonForm,
    ReminderStepFormSet,
    find_open_lines,
    line_label,
    reminder_step_rows,
)
from ..models import Allocation, DuesDocument, DuesExemption, DuesLine, Platform
from ..models.dues import DuesReminderStep
from ..selectors import dues as selectors
from ..services import dues as services

PAGE_SIZE = 50
MAX_ID_DIGITS = 18


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _id(value):
    """A database id from a form value, or None (not a number, or too large)."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None


def _board_lines(request, year):
    return DuesLineFilter(
        request.GET or None, queryset=selectors.board_lines(year), request=request
    )


def _narrows(filterset) -> bool:
    """Whether the board's filters keep fewer than the year's lines (an invalid filter
    included: its lines are then counted by a query)."""
    if not filterset.is_bound:
        return False
    if not filterset.is_valid():
        return True
    return any(value not in (None, "") for value in filterset.form.cleaned_data.values())


def dues_board(request):
    """The bureau's board for a year: counts, amounts, regions, filtered lines."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    filterset = _board_lines(request, year)
    summary, regions = selectors.cached_year_figures(year)
    # Unfiltered, the page shows the year's lines: the figures hold their number.
    count = None if _narrows(filterset) else summary["total"]
    page = selectors.board_page(filterset.qs, request.GET.get("page"), PAGE_SIZE, count=count)
    years, rated = selectors.dues_years()
    context = {
        "year": year,
        "years": years,
        "summary": summary,
        "regions": regions,
        "filter": filterset,
        "page_obj": page,
        "today": timezone.localdate(),
        "has_rate": year in rated,
    }
    return render(request, "members/dues/board.html", context)


def _money(value):
    """Two decimals whatever the database returns (SQLite drops trailing zeros)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


EXPORT_COLUMNS = [
    (gettext_lazy("Année"), lambda line: line.year),
    (gettext_lazy("Plateforme"), lambda line: line.platform.name),
    (gettext_lazy("Sigle"), lambda line: line.platform.acronym),
    (gettext_lazy("Région"), lambda line: line.platform.department.region.name),
    (gettext_lazy("État"), lambda line: str(line.status_label)),
    (gettext_lazy("Montant dû"), lambda line: _money(line.amount_due)),
    (gettext_lazy("Payé"), lambda line: _money(line.paid_amount)),
    (gettext_lazy("Reste dû"), lambda line: _money(line.balance)),
    (gettext_lazy("Échéance"), lambda line: line.due_date),
    (gettext_lazy("Bon de commande"), lambda line: line.purchase_order),
    (gettext_lazy("SIRET"), lambda line: line.platform.siret),
    (gettext_lazy("Code service Chorus Pro"), lambda line: line.platform.chorus_service_code),
]


def dues_export(request):
    """The board's lines (current year and filters) as CSV or XLSX."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    lines = _board_lines(request, year).qs
    columns = [(str(header), accessor) for header, accessor in EXPORT_COLUMNS]
    return export_response(fmt, lines, columns, f"cotisations-{year}", title=f"Cotisations {year}")


FORM_ACTIONS = {
    "exempt": ("exempt", "exempt_form", ReasonForm),
    "cancel": ("cancel", "cancel_form", ReasonForm),
    "purchase_order": ("po", "purchase_order_form", PurchaseOrderForm),
    "cancel_payment": ("cancel_payment", "cancel_payment_form", ReasonForm),
}
BUTTON_ACTIONS = {"remind", "issue_notice", "issue_certificate", "issue_receipt"}
# Irreversible actions: a first POST shows what will happen, a second with confirm=1 acts.
CONFIRMED_ACTIONS = {"exempt", "cancel", "cancel_payment"}


@require_http_methods(["GET", "POST"])
def dues_line_detail(request, pk):
    """A dues line: payments, documents, reminders, history; the bureau's actions."""
    require(perms.can_manage_dues(request.user))
    line = get_object_or_404(DuesLine.objects.for_detail(), pk=pk)
    forms = {
        "exempt_form": ReasonForm(prefix="exempt"),
        "cancel_form": ReasonForm(prefix="cancel"),
        "purchase_order_form": PurchaseOrderForm(
            prefix="po", initial={"purchase_order": line.purchase_order}
        ),
        "cancel_payment_form": ReasonForm(prefix="cancel_payment"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action in BUTTON_ACTIONS:
            _button_action(request, line, action)
            return redirect(line)
        if action not in FORM_ACTIONS:
            messages.error(request, _("Action inconnue."))
            return redirect(line)
        if action in CONFIRMED_ACTIONS and request.POST.get("confirm") != "1":
            confirmation = _confirmation(request, line, action, forms)
            if confirmation is not None:
                return confirmation
        elif _form_action(request, line, action, forms):
            return redirect(line)
        status = 400
    context = {"line": line, "today": timezone.localdate(), **selectors.line_page(line), **forms}
    return render(request, "members/dues/line_detail.html", context, status=status)


def _button_action(request, line, action):
    """A POST without a form: send a reminder, issue a document."""
    user = request.user
    try:
        if action == "remind":
            if services.dues_send_manual_reminder(line, actor=user):
                messages.success(request, _("Relance envoyée."))
            else:
                messages.info(request, _("Une relance a déjà été envoyée aujourd'hui."))
            return
        if action == "issue_notice":
            document = services.dues_issue_notice(line, actor=user)
        elif action == "issue_certificate":
            document = services.dues_issue_certificate(line, actor=user)
        else:
            document = services.dues_issue_receipt(
                _payment_of_line(request.POST.get("payment"), line), actor=user
            )
    except ServiceError as error:
        messages.error(request, str(error))
        return
    messages.success(
        request,
        _("%(kind)s %(number)s émis.")
        % {"kind": document.get_kind_display(), "number": document.number},
    )


def _confirmation(request, line, action, forms):
    """The page that asks to confirm an irreversible action (nothing written), or None
    when its form is in error (shown on the line's page)."""
    prefix, form_key, form_class = FORM_ACTIONS[action]
    form = form_class(request.POST, prefix=prefix)
    forms[form_key] = form
    if not form.is_valid():
        return None
    context = {"line": line, "action": action, "form": form, "reason": form.cleaned_data["reason"]}
    if action == "cancel_payment":
        try:
            payment = _payment_of_line(request.POST.get("payment"), line)
        except ServiceError as error:
            form.add_error(None, str(error))
            return None
        context["payment"] = payment
        context["allocations"] = list(
            payment.allocations.select_related("line__platform").order_by("line__year", "pk")
        )
        context["receipt"] = payment.documents.without_content().filter(voided_at__isnull=True)
    return render(request, "members/dues/confirm_action.html", context)


def _form_action(request, line, action, forms) -> bool:
    """Run one POSTed action; on a refusal, put the error next to its field."""
    user = request.user
    prefix, form_key, form_class = FORM_ACTIONS[action]
    form = form_class(request.POST, prefix=prefix)
    forms[form_key] = form
    if not form.is_valid():
        return False
    try:
        if action == "exempt":
            services.dues_exempt(line=line, reason=form.cleaned_data["reason"], actor=user)
            messages.success(request, _("Ligne exonérée."))
        elif action == "cancel":
            services.dues_cancel_line(line=line, reason=form.cleaned_data["reason"], actor=user)
            messages.success(request, _("Ligne annulée."))
        elif action == "purchase_order":
            services.dues_set_purchase_order(
                line=line, purchase_order=form.cleaned_data["purchase_order"], actor=user
            )
            messages.success(request, _("Bon de commande enregistré."))
        else:
            payment = _payment_of_line(request.POST.get("payment"), line)
            services.dues_cancel_payment(
                payment=payment, reason=form.cleaned_data["reason"], actor=user
            )
            messages.success(request, _("Paiement annulé."))
    except ServiceError as error:
        add_service_error(form, error)
        return False
    return True


def _payment_of_line(value, line):
    allocation = (
        Allocation.objects.select_related("payment")
        .filter(payment_id=_id(value), line=line)
        .first()
    )
    if allocation is None:
        raise ServiceError(_("Paiement introuvable pour cette ligne."))
    return allocation.payment


@require_http_methods(["GET", "POST"])
def dues_payment_create(request):
    """Record a payment and its allocation across one or several dues lines."""
    require(perms.can_manage_dues(request.user))
    if request.method == "POST":
        form = PaymentForm(request.POST)
        formset = AllocationFormSet(request.POST, prefix="alloc")
        if form.is_valid() and formset.is_valid():
            allocations = formset.allocations()
            try:
                payment = services.dues_record_payment(
                    **form.cleaned_data, allocations=allocations, actor=request.user
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Paiement enregistré, reçu %(number)s émis.")
                    % {"number": payment.documents.get().number},
                )
                return redirect("dues_line_detail", allocations[0][0])
        status = 400
    else:
        form = PaymentForm(initial={"received_on": timezone.localdate()})
        wanted = _id(request.GET.get("line"))
        lines = selectors.open_lines(ids=[wanted]) if wanted else []
        initial = [{"line": line.pk, "amount": line.balance} for line in lines]
        formset = AllocationFormSet(prefix="alloc", initial=initial, lines=lines)
        status = 200
    return render(
        request,
        "members/dues/payment_form.html",
        {"form": form, "formset": formset},
        status=status,
    )


@require_GET
def dues_line_picker(request):
    """The payment form's line search (htmx): the page's one ``<datalist>`` with the
    few open lines matching the text of the row's field named by ``field``."""
    require(perms.can_manage_dues(request.user))
    text = request.GET.get(request.GET.get("field", ""), "")
    labels = [line_label(line) for line in find_open_lines(text)]
    return render(
        request,
        "members/dues/line_datalist.html",
        {"line_list_id": LINE_LIST_ID, "line_labels": labels},
    )


@require_http_methods(["GET", "POST"])
def dues_exemptions(request):
    """Exempt a platform for a year, before the call (no notice then) or after it."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    form = ExemptionForm(request.POST or None, initial={"year": year})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and request.POST.get("confirm") != "1":
            return render(
                request,
                "members/dues/confirm_action.html",
                {"action": "exempt_platform", "form": form, **form.cleaned_data},
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.dues_exempt_platform(
                    platform=data["platform"],
                    year=data["year"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(platform)s est exonérée pour %(year)s.")
                    % {"platform": data["platform"], "year": data["year"]},
                )
                return redirect(f"{reverse('dues_exemptions')}?year={data['year']}")
    exemptions = DuesExemption.objects.filter(year=year).select_related("platform", "created_by")
    page = Paginator(exemptions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/dues/exemptions.html",
        {"form": form, "year": year, "page_obj": page},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def dues_call_year(request):
    """Call a year's dues in three steps: the form (the year's rate, or last year's
    proposed); a summary that writes nothing (who, how much, when, what is sent); the
    confirmation (`confirm=1`), which saves the rate and enqueues the call as a task
    (`members.tasks.dues_call_year`, idempotent), then shows its progress."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    initial = selectors.proposed_rate(year)
    editing = request.method == "GET" or "edit" in request.POST
    form = CallYearForm(None if request.method == "GET" else request.POST, initial=initial)
    if editing or not form.is_valid():
        status = 200 if editing else 400
        return _call_form(request, form, year, initial, status=status)
    data = form.cleaned_data
    try:
        services.dues_check_rate(year=data["year"], amount=data["amount"])
    except ServiceError as error:
        add_service_error(form, error)
        return _call_form(request, form, data["year"], initial, status=400)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "members/dues/call_preview.html",
            {"form": form, "data": data, "preview": selectors.call_preview(data["year"])},
        )
    try:
        with transaction.atomic():
            services.dues_set_rate(
                year=data["year"],
                amount=data["amount"],
                due_date=data["due_date"],
                actor=request.user,
            )
            enqueue(tasks.dues_call_year, data["year"], request.user.pk)
    except ServiceError as error:
        add_service_error(form, error)
        return _call_form(request, form, data["year"], initial, status=400)
    messages.success(
        request,
        _("Appel %(year)s confirmé : les appels de cotisation partent ci-dessous.")
        % {"year": data["year"]},
    )
    return redirect("dues_call_progress", data["year"])


def _call_form(request, form, year, initial, status=200):
    return render(
        request,
        "members/dues/call_form.html",
        {
            "form": form,
            "year": year,
            "from_year": initial.get("from_year"),
            "already": DuesLine.objects.filter(year=year).count(),
            "members": Platform.objects.members().count(),
        },
        status=status,
    )


def dues_call_progress(request, year):
    """Where the call of a year stands (counts read from the database); polled by htmx
    every two seconds while emails wait, a plain page (with a link to refresh) without
    script."""
    require(perms.can_manage_dues(request.user))
    if not FIRST_CALL_YEAR <= year <= LAST_CALL_YEAR:
        raise Http404
    progress = selectors.call_progress(year)
    context = {
        "year": year,
        "progress": progress,
        "problems": selectors.call_problems(year) if progress["done"] else [],
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "members/dues/includes/call_progress.html", context)
    return render(request, "members/dues/call_progress.html", context)


FIRST_CALL_YEAR, LAST_CALL_YEAR = 2000, 2100


@require_http_methods(["GET", "POST"])
def dues_reminder_settings(request):
    """The reminder schedule: days after the due date, each step on or off."""
    require(perms.can_manage_dues(request.user))
    initial = [
        {"id": step.pk, "days_after_due": step.days_after_due, "is_active": step.is_active}
        for step in DuesReminderStep.objects.order_by("days_after_due", "pk")
    ]
    formset = ReminderStepFormSet(request.POST or None, prefix="steps", initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            try:
                services.dues_save_reminder_steps(
                    steps=reminder_step_rows(formset), actor=request.user
                )
            except ServiceError as error:
                formset.non_form_errors().append(str(error))
            else:
                messages.success(request, _("Calendrier des relances enregistré."))
                return redirect("dues_reminder_settings")
    return render(
        request,
        "members/dues/reminder_settings.html",
        {"formset": formset, "catch_up": selectors.REMINDER_CATCH_UP_DAYS},
        status=status,
    )


# Documents: read only ----------------------------------------------------------------


def dues_document(request, pk, number):
    """A stored document, identical at every download (its stamped copy once void)."""
    document = get_object_or_404(
        DuesDocument.objects.select_related("line__platform"), pk=pk, number=number
    )
    require(perms.can_see_dues_document(request.user, selectors.document_platforms(document)))
    return pdf_response(document.filename, document.served_content())


def _line_document(request, pk, kind):
    """The valid document of a line; 404 when none was issued (a GET never issues)."""
    line = get_object_or_404(DuesLine.objects.select_related("platform"), pk=pk)
    require(perms.can_see_dues_document(request.user, [line.platform]))
    document = selectors.current_document(line, kind)
    if document is None:
        raise Http404(_("Ce document n'a pas été émis."))
    return pdf_response(document.filename, document.served_content())


def dues_notice_pdf(request, pk):
    """The notice of a called line, once issued (by the call or the bureau's POST)."""
    return _line_document(request, pk, DuesDocumentKind.NOTICE)


def dues_certificate_pdf(request, pk):
    """The valid membership certificate of a paid line, once issued."""
    return _line_document(request, pk, DuesDocumentKind.CERTIFICATE)


# A platform's own page -------------------------------------------------------------


def platform_dues(request, slug):
    """A platform's dues by year, with its documents: the bureau and its own people."""
    platform = get_object_or_404(Platform.objects.select_related("department__region"), slug=slug)
    require(perms.can_see_platform_dues(request.user, platform))
    return render(
        request,
        "members/dues/platform_dues.html",
        {
            "platform": platform,
            "lines": selectors.platform_dues(platform),
            "outstanding": selectors.platform_outstanding(platform),
            "today": timezone.localdate(),
            "can_manage": perms.can_manage_dues(request.user),
        },
    )
