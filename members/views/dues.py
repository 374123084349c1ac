"""Dues pages: the bureau's board, dues lines, payments, documents. (issue 4)

Views are thin: they check `perms`, parse a form, call a service or a queryset
method, render. Refusals: 403; anonymous visitors are sent to the login page by
LoginRequiredMiddleware.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from innovalo.exports import export_response
from innovalo.models import SentReminder
from innovalo.pdf import pdf_response
from innovalo.perms import require

from .. import perms
from ..enums import DuesDocumentKind, DuesStatus
from ..filters.dues import DuesLineFilter
from ..forms.dues import (
    AllocationFormSet,
    CallYearForm,
    ExemptionForm,
    PaymentForm,
    PurchaseOrderForm,
    ReasonForm,
    ReminderStepFormSet,
)
from ..models import Allocation, DuesDocument, DuesExemption, DuesLine, DuesRate, Platform
from ..services import dues as services
from ..services.dues import DuesError

PAGE_SIZE = 50


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _board_lines(request, year):
    base = DuesLine.objects.filter(year=year).for_board()
    return DuesLineFilter(request.GET or None, queryset=base, request=request)


def dues_board(request):
    """The bureau's board for a year: counts, amounts, regions, filtered lines."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    filterset = _board_lines(request, year)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "year": year,
        "years": services.dues_years(),
        "summary": services.dues_year_summary(year),
        "regions": services.dues_by_region(year),
        "filter": filterset,
        "page_obj": page,
        "today": timezone.localdate(),
        "has_rate": DuesRate.objects.filter(year=year).exists(),
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
    (gettext_lazy("État"), lambda line: DuesStatus(line.state).label),
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


def _line_context(line):
    allocations = list(
        Allocation.objects.filter(line=line)
        .select_related("payment__cancellation__cancelled_by", "payment__recorded_by")
        .order_by("-payment__received_on", "-pk")
    )
    payment_ids = [a.payment_id for a in allocations]
    documents = list(
        DuesDocument.objects.without_content()
        .with_payment_cancelled()
        .filter(Q(line=line) | Q(payment_id__in=payment_ids))
        .order_by("kind", "sequence")
    )
    receipts = {d.payment_id: d for d in documents if d.kind == DuesDocumentKind.RECEIPT}
    for allocation in allocations:
        allocation.receipt = receipts.get(allocation.payment_id)
    reminders = SentReminder.objects.filter(
        Q(key=f"dues:call:{line.pk}")
        | Q(key__startswith=f"dues:manual:{line.pk}:")
        | Q(key__regex=rf"^dues:[0-9]+:{line.pk}:[0-9]+$")
    ).select_related("sent_by")
    return {
        "line": line,
        "allocations": allocations,
        "documents": [d for d in documents if d.kind != DuesDocumentKind.RECEIPT],
        "receipts": [d for d in documents if d.kind == DuesDocumentKind.RECEIPT],
        "reminders": list(reminders),
        "events": list(line.events.select_related("actor").order_by("-created_at", "-pk")[:50]),
        "today": timezone.localdate(),
    }


LINE_ACTIONS = {"remind", "exempt", "cancel", "purchase_order", "cancel_payment"}


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
        if action not in LINE_ACTIONS:
            messages.error(request, _("Action inconnue."))
            return redirect(line)
        done, status = _line_action(request, line, action, forms)
        if done:
            return redirect(line)
    context = _line_context(line)
    context.update(forms)
    return render(request, "members/dues/line_detail.html", context, status=status)


def _line_action(request, line, action, forms):
    """Run one POSTed action; on a refusal, put the error next to its field."""
    user = request.user
    if action == "remind":
        try:
            sent = services.dues_send_manual_reminder(line, actor=user)
        except DuesError as error:
            messages.error(request, error.message)
        else:
            if sent:
                messages.success(request, _("Relance envoyée."))
            else:
                messages.info(request, _("Une relance a déjà été envoyée aujourd'hui."))
        return True, 200
    prefix, form_key, form_class = {
        "exempt": ("exempt", "exempt_form", ReasonForm),
        "cancel": ("cancel", "cancel_form", ReasonForm),
        "purchase_order": ("po", "purchase_order_form", PurchaseOrderForm),
        "cancel_payment": ("cancel_payment", "cancel_payment_form", ReasonForm),
    }[action]
    form = form_class(request.POST, prefix=prefix)
    forms[form_key] = form
    if not form.is_valid():
        return False, 400
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
    except DuesError as error:
        field = "purchase_order" if action == "purchase_order" else "reason"
        form.add_error(field if error.field in (field, "reason") else None, error.message)
        return False, 400
    return True, 200


def _payment_of_line(value, line):
    try:
        allocation = Allocation.objects.select_related("payment").get(
            payment_id=int(value or ""), line=line
        )
    except (ValueError, Allocation.DoesNotExist):
        raise DuesError(_("Paiement introuvable pour cette ligne.")) from None
    return allocation.payment


@require_http_methods(["GET", "POST"])
def dues_payment_create(request):
    """Record a payment and its allocation across one or several dues lines."""
    require(perms.can_manage_dues(request.user))
    initial_rows = []
    line_id = request.GET.get("line", "")
    if line_id.isdigit():
        line = DuesLine.objects.open().with_amounts().filter(pk=line_id).first()
        if line:
            initial_rows = [{"line": line, "amount": line.balance}]
    if request.method == "POST":
        form = PaymentForm(request.POST)
        formset = AllocationFormSet(request.POST, prefix="alloc")
        if form.is_valid() and formset.is_valid():
            total = formset.total()
            if total != form.cleaned_data["amount"]:
                form.add_error(
                    "amount",
                    _(
                        "La somme répartie (%(total)s €) doit être égale au montant "
                        "du paiement (%(amount)s €)."
                    )
                    % {
                        "total": services.amount_text(total),
                        "amount": services.amount_text(form.cleaned_data["amount"]),
                    },
                )
            else:
                try:
                    payment = services.dues_record_payment(
                        **form.cleaned_data, allocations=formset.allocations(), actor=request.user
                    )
                except DuesError as error:
                    field = error.field if error.field in form.fields else None
                    form.add_error(field, error.message)
                else:
                    messages.success(
                        request,
                        _("Paiement enregistré, reçu %(number)s émis.")
                        % {"number": payment.documents.get().number},
                    )
                    first = payment.allocations.order_by("pk").first()
                    return redirect(first.line)
        status = 400
    else:
        form = PaymentForm(initial={"received_on": timezone.localdate()})
        formset = AllocationFormSet(prefix="alloc", initial=initial_rows)
        status = 200
    return render(
        request,
        "members/dues/payment_form.html",
        {"form": form, "formset": formset},
        status=status,
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
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.dues_exempt_platform(
                    platform=data["platform"],
                    year=data["year"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except DuesError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
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


def dues_call_year(request):
    """Open the call of a year (idempotent): lines, notices, emails."""
    require(perms.can_manage_dues(request.user))
    year = _year(request)
    rate = DuesRate.objects.filter(year=year).first()
    initial = {"year": year}
    if rate:
        initial.update(amount=rate.amount, due_date=rate.due_date)
    form = CallYearForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.dues_set_rate(
                        year=data["year"],
                        amount=data["amount"],
                        due_date=data["due_date"],
                        actor=request.user,
                    )
                    result = services.dues_call_year(year=data["year"], actor=request.user)
            except DuesError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Appel %(year)s : %(created)s ligne(s) créée(s), %(called)s appel(s) "
                        "envoyé(s)."
                    )
                    % {
                        "year": data["year"],
                        "created": result.created,
                        "called": len(result.called),
                    },
                )
                return redirect(f"{reverse('dues_board')}?year={data['year']}")
    already = DuesLine.objects.filter(year=year).count()
    members = Platform.objects.members().count()
    return render(
        request,
        "members/dues/call_form.html",
        {"form": form, "year": year, "already": already, "members": members},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def dues_reminder_settings(request):
    """The reminder schedule: days after the due date, each step on or off."""
    require(perms.can_manage_dues(request.user))
    formset = ReminderStepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST":
        if formset.is_valid():
            services.dues_save_reminder_steps(formset, actor=request.user)
            messages.success(request, _("Calendrier des relances enregistré."))
            return redirect("dues_reminder_settings")
        status = 400
    else:
        status = 200
    return render(
        request,
        "members/dues/reminder_settings.html",
        {"formset": formset, "catch_up": services.REMINDER_CATCH_UP_DAYS},
        status=status,
    )


# Documents -----------------------------------------------------------------------


def _document_platforms(document):
    if document.kind == DuesDocumentKind.RECEIPT:
        return list(
            Platform.objects.filter(dues_lines__allocations__payment_id=document.payment_id)
            .distinct()
            .order_by("pk")
        )
    return [document.line.platform]


def _require_document_access(user, platforms):
    if perms.can_manage_dues(user):
        return
    require(any(perms.can_see_platform_dues(user, platform) for platform in platforms))


def dues_document(request, pk, number):
    """A stored document, identical at every download."""
    document = get_object_or_404(
        DuesDocument.objects.select_related("line__platform"), pk=pk, number=number
    )
    _require_document_access(request.user, _document_platforms(document))
    return pdf_response(document.filename, bytes(document.content))


def _line_document(request, pk, kind):
    line = get_object_or_404(DuesLine.objects.select_related("platform"), pk=pk)
    _require_document_access(request.user, [line.platform])
    try:
        document = services.dues_issue_document(kind, line=line, actor=request.user)
    except DuesError as error:
        raise Http404(error.message) from None
    return pdf_response(document.filename, bytes(document.content))


def dues_notice_pdf(request, pk):
    """The notice of a called line (issued once, on first need)."""
    return _line_document(request, pk, DuesDocumentKind.NOTICE)


def dues_certificate_pdf(request, pk):
    """The membership certificate, once the year's dues are paid (issued once)."""
    return _line_document(request, pk, DuesDocumentKind.CERTIFICATE)


# A platform's own page -------------------------------------------------------------


def platform_dues(request, slug):
    """A platform's dues by year, with its documents: the bureau and its own people."""
    platform = get_object_or_404(Platform.objects.select_related("department__region"), slug=slug)
    require(perms.can_see_platform_dues(request.user, platform))
    lines = list(platform.dues_lines.with_amounts().order_by("-year", "pk"))
    documents = list(
        DuesDocument.objects.without_content()
        .with_payment_cancelled()
        .visible_to_platform(platform)
        .order_by("year", "kind", "sequence")
    )
    paid_by_payment = {}
    for payment_id, line_id in Allocation.objects.filter(line__platform=platform).values_list(
        "payment_id", "line_id"
    ):
        paid_by_payment.setdefault(payment_id, set()).add(line_id)
    by_line = {line.pk: [] for line in lines}
    for document in documents:
        targets = (
            paid_by_payment.get(document.payment_id, ())
            if document.kind == DuesDocumentKind.RECEIPT
            else [document.line_id]
        )
        for line_id in targets:
            by_line.setdefault(line_id, []).append(document)
    for line in lines:
        line.document_list = by_line.get(line.pk, [])
        line.has_notice = any(d.kind == DuesDocumentKind.NOTICE for d in line.document_list)
        line.has_certificate = any(
            d.kind == DuesDocumentKind.CERTIFICATE for d in line.document_list
        )
    return render(
        request,
        "members/dues/platform_dues.html",
        {
            "platform": platform,
            "lines": lines,
            "today": timezone.localdate(),
            "can_manage": perms.can_manage_dues(request.user),
        },
    )
