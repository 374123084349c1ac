"""The dues accounting journal of a year, for the association's accountant (issue 12),
and the figures of the financial report presented at the general assembly.

One entry per receipt and one per payment cancellation, each written as balanced
lines (French double entry, *plan comptable associatif*):

- a payment received in the year debits the treasury account of its method, for its
  amount, and credits the dues account once per allocation (one line per dues line it
  settles, labelled with the platform and the year of the dues);
- a cancellation recorded in the year reverses it on the cancellation's date: the dues
  account is debited per allocation and the treasury account credited.

The piece number is the receipt's number (``RE-YYYY-NNNN``; the cancelled payment's
voided receipt keeps it). Accounts come from the settings, read with ``getattr`` so
that none is required:

- ``DUES_ACCOUNT`` (default ``756000``, *cotisations*): credited by the dues;
- ``BANK_ACCOUNT`` (``512000``, *banque*): transfers, *mandats administratifs* and cards;
- ``CHEQUE_ACCOUNT`` (``511200``, *chèques à encaisser*): cheques, until the bank
  statement shows them deposited (the accountant's remittance entry moves them to 512);
- ``CASH_ACCOUNT`` (``530000``, *caisse*): cash.

Everything is read in SQL: the lines are one ``UNION ALL`` of four queries, ordered
and sliced by the database (a page reads only its rows, the count is one query);
totals and the report's figures are aggregates.
"""

from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Trim, TruncDate
from django.utils.translation import gettext as _

from ..enums import DuesDocumentKind, DuesStatus, PaymentMethod
from ..models import Allocation, DuesDocument, DuesLine, Payment, PaymentCancellation
from ..models.dues import MONEY, ZERO

MONEY_OUT = DecimalField(**MONEY)
TEXT = CharField()
DEFAULT_ACCOUNTS = {
    "DUES_ACCOUNT": "756000",
    "BANK_ACCOUNT": "512000",
    "CHEQUE_ACCOUNT": "511200",
    "CASH_ACCOUNT": "530000",
}
METHOD_ACCOUNTS = {
    PaymentMethod.TRANSFER: "BANK_ACCOUNT",
    PaymentMethod.MANDATE: "BANK_ACCOUNT",
    PaymentMethod.CARD: "BANK_ACCOUNT",
    PaymentMethod.CHEQUE: "CHEQUE_ACCOUNT",
    PaymentMethod.CASH: "CASH_ACCOUNT",
}
COLUMNS = ("entry_date", "piece", "account", "label", "debit", "credit")
# Within an entry: the debit lines first, then the credits (kind = 0 payment, 1 its
# allocations; 2 a cancellation's allocations, 3 its treasury line).
ORDER = ("entry_date", "piece", "kind", "row_id")


def account(name: str) -> str:
    """An account number from the settings (``DUES_ACCOUNT``...), or its default."""
    return str(getattr(settings, name, DEFAULT_ACCOUNTS[name]))


def accounts() -> dict[str, str]:
    return {name: account(name) for name in DEFAULT_ACCOUNTS}


def _treasury_account(method_field: str):
    return Case(
        *[
            When(**{method_field: method}, then=Value(account(name)))
            for method, name in METHOD_ACCOUNTS.items()
        ],
        default=Value(account("BANK_ACCOUNT")),
        output_field=TEXT,
    )


def _receipt(payment_field: str):
    return Subquery(
        DuesDocument.objects.filter(
            kind=DuesDocumentKind.RECEIPT, payment_id=OuterRef(payment_field)
        ).values("number")[:1],
        output_field=TEXT,
    )


def _piece(payment_field: str):
    """The receipt's number; a payment recorded without a receipt shows its id."""
    return Coalesce(
        _receipt(payment_field),
        Concat(Value("P-"), Cast(payment_field, TEXT)),
        output_field=TEXT,
    )


def _method_label(method_field: str):
    return Case(
        *[
            When(**{method_field: value}, then=Value(str(label)))
            for value, label in PaymentMethod.choices
        ],
        default=Value(""),
        output_field=TEXT,
    )


def _payer(prefix: str):
    """ "Cotisation — Virement Lycée Curie VIR 1": the method, the payer, the reference."""
    return Concat(
        Value(_("Cotisation")),
        Value(" — "),
        Trim(
            Concat(
                _method_label(f"{prefix}method"),
                Value(" "),
                Trim(F(f"{prefix}payer")),
                Value(" "),
                Trim(F(f"{prefix}reference")),
                output_field=TEXT,
            )
        ),
        output_field=TEXT,
    )


def _dues_label(prefix: str):
    return Concat(
        Value(prefix),
        Value(_("Cotisation")),
        Value(" "),
        Cast("line__year", TEXT),
        Value(" — "),
        F("line__platform__name"),
        output_field=TEXT,
    )


def _rows(qs, *, kind, entry_date, piece, account_expr, label, debit, credit):
    return (
        qs.order_by()
        .annotate(
            entry_date=entry_date,
            piece=piece,
            account=account_expr,
            label=label,
            debit=Cast(debit, MONEY_OUT),
            credit=Cast(credit, MONEY_OUT),
            kind=Value(kind, output_field=IntegerField()),
            row_id=F("pk"),
        )
        .values_list(*COLUMNS, "kind", "row_id")
    )


def _payments(year):
    return Payment.objects.filter(received_on__year=year)


def _payment_allocations(year):
    return Allocation.objects.filter(payment__received_on__year=year)


def _cancellations(year):
    return PaymentCancellation.objects.filter(cancelled_at__year=year)


def _cancelled_allocations(year):
    return Allocation.objects.filter(payment__cancellation__cancelled_at__year=year)


def journal_lines(year):
    """The year's journal lines, ordered, as tuples (date, piece, account, label, debit,
    credit, kind, id): one SQL query, sliceable and countable by the database."""
    zero = Value(ZERO, output_field=MONEY_OUT)
    dues = Value(account("DUES_ACCOUNT"), output_field=TEXT)
    cancelled = _("Annulation") + " — "
    cancelled_on = TruncDate("payment__cancellation__cancelled_at")
    parts = [
        _rows(
            _payments(year),
            kind=0,
            entry_date=F("received_on"),
            piece=_piece("pk"),
            account_expr=_treasury_account("method"),
            label=_payer(""),
            debit=F("amount"),
            credit=zero,
        ),
        _rows(
            _payment_allocations(year),
            kind=1,
            entry_date=F("payment__received_on"),
            piece=_piece("payment_id"),
            account_expr=dues,
            label=_dues_label(""),
            debit=zero,
            credit=F("amount"),
        ),
        _rows(
            _cancelled_allocations(year),
            kind=2,
            entry_date=Cast(cancelled_on, DateField()),
            piece=_piece("payment_id"),
            account_expr=dues,
            label=_dues_label(cancelled),
            debit=F("amount"),
            credit=zero,
        ),
        _rows(
            _cancellations(year),
            kind=3,
            entry_date=Cast(TruncDate("cancelled_at"), DateField()),
            piece=_piece("payment_id"),
            account_expr=_treasury_account("payment__method"),
            label=Concat(Value(cancelled), F("reason"), output_field=TEXT),
            debit=zero,
            credit=F("payment__amount"),
        ),
    ]
    return parts[0].union(*parts[1:], all=True).order_by(*ORDER)


def _sum(field):
    return Coalesce(Sum(field), Value(ZERO), output_field=MONEY_OUT)


def _union(year):
    return journal_lines(year).order_by()


def journal_totals(year) -> dict:
    """Sum of the debits and of the credits of the very lines the journal shows, and
    whether they balance: one aggregate query over the union."""
    sql, params = _union(year).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*) "
            f"FROM ({sql}) AS journal",
            params,
        )
        debit, credit, count = cursor.fetchone()
    debit, credit = Decimal(debit), Decimal(credit)
    return {
        "debit": debit,
        "credit": credit,
        "count": count,
        "balanced": debit == credit,
        "difference": debit - credit,
    }


CALLED = (DuesStatus.CALLED, DuesStatus.PARTLY_PAID, DuesStatus.PAID)


def financial_report() -> list[dict]:
    """For each year of call, newest first: dues called, received, outstanding (one
    GROUP BY query; lines neither exempt nor cancelled and called)."""
    rows = (
        DuesLine.objects.filter(status__in=CALLED)
        .order_by()
        .values("year")
        .annotate(
            called=_sum("amount_due"),
            received=_sum("paid_amount"),
            lines=Sum(Value(1)),
        )
        .order_by("-year")
    )
    return [{**row, "outstanding": row["called"] - row["received"]} for row in rows]


def journal_years() -> list[int]:
    """Years with a payment or a cancellation, newest first (one query)."""
    years = (
        Payment.objects.order_by()
        .values_list("received_on__year", flat=True)
        .union(PaymentCancellation.objects.order_by().values_list("cancelled_at__year", flat=True))
    )
    return sorted(set(years), reverse=True)
