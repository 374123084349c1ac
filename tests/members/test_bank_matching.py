import time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from members.bank.matching import normalise_name, notice_numbers, propose
from members.enums import DuesStatus, HostRole
from members.models import DuesLine, Establishment, PlatformHost
from members.services import bank as services

from .bank_helpers import camt, notice
from .dues_factories import DuesLineFactory, DuesPlatformFactory, safe_department

D = Decimal


def credit(amount, info="", payer="", siret=""):
    return SimpleNamespace(
        amount=D(amount), remittance_info=info, payer_name=payer, payer_siret=siret
    )


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("VIR COTISATION AC-2026-0042", ["AC-2026-0042"]),
        ("ac 2026 0042 et AC20260043", ["AC-2026-0042", "AC-2026-0043"]),
        ("AC-2026-42 / AC_2026_0042", ["AC-2026-0042"]),
        ("FACTURE 2026-0042", []),
        ("TRAC-2026-0042", []),
    ],
)
def test_notice_numbers_are_normalised(text, numbers):
    assert notice_numbers(text) == numbers


def test_normalise_name():
    assert normalise_name("Lycée  Jean-Macé") == normalise_name("LYCEE JEAN MACE")


@pytest.fixture
def lines(db):
    first = DuesLineFactory(platform=DuesPlatformFactory(billing_name="Lycée Alpha"))
    second = DuesLineFactory(
        platform=DuesPlatformFactory(billing_name="Lycée Beta", siret="11111111811115")
    )
    return first, second


def test_notice_number_high_when_amount_equals(lines):
    first, _second = lines
    notice(first, 1)
    (found,) = propose([credit("300", "VIR AC 2026 1 COTIS")])
    assert [(p.line_id, p.amount, p.confidence) for p in found] == [(first.pk, D("300"), "high")]


def test_notice_number_partial_is_medium_and_several_credits_one_line(lines):
    first, _second = lines
    notice(first, 1)
    one, two, three = propose(
        [credit("100", "AC-2026-0001"), credit("200", "AC-2026-0001"), credit("5", "AC-2026-0001")]
    )
    assert [(p.amount, p.confidence) for p in one] == [(D("100"), "medium")]
    assert [(p.amount, p.confidence) for p in two] == [(D("200"), "high")]
    assert three == []  # nothing left owed


def test_two_notices_in_one_credit(lines):
    first, second = lines
    notice(first, 1)
    notice(second, 2)
    (found,) = propose([credit("600", "AC-2026-0001 AC-2026-0002")])
    assert {(p.line_id, p.confidence) for p in found} == {(first.pk, "high"), (second.pk, "high")}


def test_siret_and_amount_high_name_medium(lines):
    first, second = lines
    by_siret, by_name, wrong_amount = propose(
        [
            credit("300", payer="X", siret="11111111811115"),
            credit("300", payer="LYCEE ALPHA"),
            credit("999", payer="LYCEE ALPHA"),
        ]
    )
    assert [(p.line_id, p.confidence) for p in by_siret] == [(second.pk, "high")]
    assert [(p.line_id, p.confidence) for p in by_name] == [(first.pk, "medium")]
    assert wrong_amount == []


def test_partial_payment_by_name_is_low(lines):
    first, _second = lines
    (found,) = propose([credit("120", payer="Lycée Alpha")])
    assert [(p.line_id, p.amount, p.confidence) for p in found] == [(first.pk, D("120"), "low")]


def test_host_paying_for_two_platforms(db):
    host = Establishment.objects.create(
        name="Lycée Gamma", kind="lycee", city="Laon", department=safe_department()
    )
    one = DuesLineFactory(amount_due=D("300"))
    two = DuesLineFactory(amount_due=D("450"))
    for line in (one, two):
        PlatformHost.objects.create(
            platform=line.platform, establishment=host, role=HostRole.CARRYING
        )
    (found,) = propose([credit("750", payer="LYCEE GAMMA")])
    assert {(p.line_id, p.amount) for p in found} == {(one.pk, D("300")), (two.pk, D("450"))}


def test_closed_lines_and_unknown_payer_give_nothing(lines):
    first, _second = lines
    notice(first, 1)
    DuesLine.objects.filter(pk=first.pk).update(status=DuesStatus.CANCELLED, paid_amount=0)
    assert propose([credit("300", "AC-2026-0001"), credit("10", payer="INCONNU")]) == [[], []]


def test_query_count_does_not_grow(lines, django_assert_max_num_queries):
    credits = [credit("300", f"AC-2026-{n:04d}", payer="LYCEE ALPHA") for n in range(50)]
    with django_assert_max_num_queries(5):
        propose(credits)


def test_benchmark_5000_credits_against_100000_open_lines(db, capsys):
    """The issue's figure: 5,000 credits against 100,000 open dues lines in under 10 s."""
    from django.db import connection

    platform = DuesPlatformFactory()
    from members.models import Platform

    swapped = {
        "name": "'Bench ' || g",
        "slug": "'bench-' || g",
        "billing_name": "'Bench billing ' || g",
        "siret": "lpad(g::text, 14, '0')",
    }
    columns = [f.column for f in Platform._meta.concrete_fields if f.column != "id"]
    values = [swapped.get(c, f'p."{c}"') for c in columns]
    with connection.cursor() as cursor:
        # 100,000 open lines, one platform each: rows written in SQL (fast).
        cursor.execute(
            f"INSERT INTO members_platform ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM generate_series(1, 100000) g, "
            "members_platform p WHERE p.id = %s",
            [platform.pk],
        )
        cursor.execute(
            """
            INSERT INTO members_duesline (platform_id, year, status, amount_due, paid_amount,
                due_date, purchase_order, called_at, cancellation_reason, created_at)
            SELECT id, 2026, 'called', 300, 0, '2026-03-31', '', now(), '', now()
            FROM members_platform WHERE slug LIKE 'bench-%%'
            """
        )
    credits = [
        credit("300", payer=f"BENCH BILLING {n}") if n % 2 else credit("300", siret=f"{n:014d}")
        for n in range(1, 5001)
    ]
    start = time.perf_counter()
    found = propose(credits)
    elapsed = time.perf_counter() - start
    assert sum(1 for f in found if f) == 5000
    entries = [
        {"amount": "300.00", "ref": f"B{n}", "payer": f"BENCH BILLING {n}", "info": "COTIS"}
        for n in range(1, 5001)
    ]
    data = camt(entries)
    start = time.perf_counter()
    statement, new, _known = services.bank_import_statement(data=data, file_name="bench.xml")
    imported = time.perf_counter() - start
    with capsys.disabled():
        print(
            f"\nmatching 5,000 credits against 100,000 open lines: {elapsed:.2f} s; "
            f"importing a 5,000-credit CAMT.053 (parse, match, store): {imported:.2f} s"
        )
    assert new == 5000
    assert statement.transactions.filter(status="proposed").count() == 5000
    assert elapsed < 10
    assert imported < 10


def test_a_line_proposed_by_an_earlier_statement_is_not_owed_twice(lines):
    first, _second = lines
    notice(first, 1)
    services.bank_import_statement(
        data=camt([{"amount": "300.00", "ref": "E1", "info": "AC-2026-0001"}]), file_name="a.xml"
    )
    assert propose([credit("300", "AC-2026-0001")]) == [[]]
