"""Bank statements (issue 12), bureau only: import a statement, then decide on
each credit (accept the proposed match, change it, ignore the credit)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from innovalo.exceptions import ServiceError
from innovalo.forms import add_service_error
from innovalo.money import amount_text
from innovalo.perms import require

from .. import perms
from ..forms.bank import ChangeMatchForm, CsvMappingForm, StatementImportForm
from ..models import BankStatement, BankTransaction, TransactionMatch, TransactionStatus
from ..services import bank as services

PAGE_SIZE = 50
TODO = (TransactionStatus.UNMATCHED, TransactionStatus.PROPOSED)


def _statements(request):
    statements = (
        BankStatement.objects.select_related("imported_by")
        .annotate(
            credits=Count("transactions"),
            to_decide=Count("transactions", filter=Q(transactions__status__in=TODO)),
        )
        .order_by("-imported_at", "-pk")
    )
    return Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))


@require_http_methods(["GET", "POST"])
def bank_statements(request):
    require(perms.can_manage_dues(request.user))
    form = StatementImportForm()
    mapping_form = CsvMappingForm(prefix="csv")
    status = 200
    if request.method == "POST" and request.POST.get("action") == "mapping":
        mapping_form = CsvMappingForm(request.POST, prefix="csv")
        if mapping_form.is_valid():
            try:
                services.bank_save_csv_mapping(**mapping_form.cleaned_data, actor=request.user)
            except ServiceError as error:
                add_service_error(mapping_form, error)
            else:
                messages.success(request, _("Colonnes du CSV enregistrées."))
                return redirect("bank_statements")
        status = 400
    elif request.method == "POST":
        form = StatementImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement, new, known = services.bank_import_statement(
                    data=upload.read(),
                    file_name=upload.name,
                    mapping=form.cleaned_data["bank"],
                    actor=request.user,
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Relevé importé : %(new)s opération(s), %(known)s déjà importée(s).")
                    % {"new": new, "known": known},
                )
                return redirect(statement)
        status = 400
    context = {"form": form, "mapping_form": mapping_form, "page_obj": _statements(request)}
    return render(request, "members/bank/statements.html", context, status=status)


def _transactions(statement, request):
    matches = TransactionMatch.objects.select_related("line__platform", "payment").order_by("pk")
    rows = (
        statement.transactions.order_by("booking_date", "pk")
        .select_related("decided_by")
        .prefetch_related(Prefetch("matches", queryset=matches))
    )
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@require_http_methods(["GET", "POST"])
def bank_statement_detail(request, pk):
    require(perms.can_manage_dues(request.user))
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"), pk=pk)
    change_form, changed_id, status = None, None, 200
    if request.method == "POST":
        credit = get_object_or_404(
            BankTransaction, pk=_id(request.POST.get("transaction")), statement=statement
        )
        action = request.POST.get("action")
        try:
            if action == "accept":
                payment = services.bank_accept(bank_transaction=credit, actor=request.user)
                messages.success(request, _("Paiement enregistré, reçu émis."))
                return redirect(statement)
            if action == "ignore":
                services.bank_ignore(bank_transaction=credit, actor=request.user)
                messages.success(request, _("Opération ignorée."))
                return redirect(statement)
            if action == "change":
                change_form, changed_id = ChangeMatchForm(request.POST), credit.pk
                if change_form.is_valid():
                    data = change_form.cleaned_data
                    payment = services.bank_change(
                        bank_transaction=credit,
                        allocations=data["allocations"],
                        actor=request.user,
                    )
                    messages.success(
                        request,
                        _("Paiement de %(amount)s € enregistré, reçu émis.")
                        % {"amount": amount_text(payment.amount)},
                    )
                    return redirect(statement)
                status = 400
            else:
                messages.error(request, _("Action inconnue."))
                status = 400
        except ServiceError as error:
            if change_form is not None:
                add_service_error(change_form, error)
            else:
                messages.error(request, str(error))
            status = 400
    context = {
        "statement": statement,
        "page_obj": _transactions(statement, request),
        "change_form": change_form,
        "changed_id": changed_id,
        "extra_rows": range(2, ChangeMatchForm.ROWS + 1),
        "todo": TODO,
    }
    return render(request, "members/bank/statement_detail.html", context, status=status)


def _id(value):
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0
