"""Propose dues lines for bank credits.

Rules, in order, for each credit:

1. notice numbers in the remittance information (`AC-2026-0042`, also `AC 2026 0042`,
   `AC20260042`, `ac-2026-42`): the lines of those notices. The credit equals what
   they still owe → high confidence; otherwise medium (a part, or too much).
2. the payer's SIRET, else its name (the platform's billing name or name, or the
   name of an establishment hosting it), and the amount: one open line of that payer
   owing exactly the amount → high with a SIRET, medium with a name; two open lines
   of that payer owing together the amount (a host paying for two platforms) →
   medium; a single open line of the payer owing more than the amount (a part) → low.
3. otherwise nothing: the credit stays unmatched until the treasurer decides.

Several credits may settle one line: what a line still owes is decreased by what
earlier statements propose for it and not yet accepted, and as credits of the same
import are proposed for it.

The open lines are read once per import, in chunks, as tuples (no model instances),
and the notice numbers in batches of `BATCH`: a constant number of queries whatever
the number of credits (5,000 credits against 100,000 open lines: see the benchmark
test).
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum

from ..enums import DuesDocumentKind
from ..models import DuesDocument, DuesLine, PlatformHost
from ..models.bank import MatchConfidence, TransactionMatch, TransactionStatus

BATCH = 5000
ZERO = Decimal("0.00")
NOTICE_RE = re.compile(r"(?<![A-Z0-9])AC[\s._/-]*((?:19|20)\d{2})[\s._/-]*(\d{1,6})(?!\d)", re.I)


@dataclass
class Proposal:
    line_id: int
    amount: Decimal
    confidence: str


def notice_numbers(text: str) -> list[str]:
    """The notice numbers in a remittance text, normalised as `AC-YYYY-NNNN`."""
    found = []
    for year, sequence in NOTICE_RE.findall(text or ""):
        number = f"AC-{year}-{int(sequence):04d}"
        if number not in found:
            found.append(number)
    return found


def normalise_name(name: str) -> str:
    """Upper case, no accents, punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", text).split())


def _chunks(items, size=BATCH):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _OpenLines:
    """The open lines, read once: balance, and indexes by SIRET and by name."""

    def __init__(self):
        self.balance: dict[int, Decimal] = {}
        self.order: dict[int, tuple] = {}
        self.by_siret: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        by_platform: dict[int, list[int]] = {}
        rows = (
            DuesLine.objects.open()
            .annotate(owed=F("amount_due") - F("paid_amount"))
            .values_list(
                "pk",
                "platform_id",
                "owed",
                "year",
                "platform__siret",
                "platform__name",
                "platform__billing_name",
            )
            .order_by()
        )
        for pk, platform_id, owed, year, siret, name, billing_name in rows.iterator(BATCH):
            if owed <= 0:
                continue
            self.balance[pk] = owed
            self.order[pk] = (year, pk)
            by_platform.setdefault(platform_id, []).append(pk)
            if siret:
                self.by_siret.setdefault(siret, []).append(pk)
            for key in {normalise_name(name), normalise_name(billing_name)} - {""}:
                self.by_name.setdefault(key, []).append(pk)
        hosts = PlatformHost.objects.filter(platform_id__in=by_platform).values_list(
            "platform_id", "establishment__name"
        )
        if len(by_platform) > BATCH:  # a long IN list costs more than reading all hosts
            hosts = PlatformHost.objects.values_list("platform_id", "establishment__name")
        # What earlier statements already propose for a line is not owed twice.
        pending = (
            TransactionMatch.objects.filter(
                payment__isnull=True, transaction__status=TransactionStatus.PROPOSED
            )
            .values_list("line_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for pk, total in pending:
            if pk in self.balance:
                self.balance[pk] -= total
        for platform_id, establishment in hosts.order_by().iterator(BATCH):
            key = normalise_name(establishment)
            for pk in by_platform.get(platform_id, ()):
                if key and pk not in self.by_name.get(key, ()):
                    self.by_name.setdefault(key, []).append(pk)

    def owed(self, line_ids):
        return [pk for pk in sorted(line_ids, key=self.order.get) if self.balance.get(pk, 0) > 0]

    def take(self, proposals):
        for proposal in proposals:
            self.balance[proposal.line_id] -= proposal.amount
        return proposals


def _notice_lines(numbers) -> dict[str, int]:
    found = {}
    for chunk in _chunks(sorted(numbers)):
        found.update(
            DuesDocument.objects.filter(
                kind=DuesDocumentKind.NOTICE, number__in=chunk, voided_at__isnull=True
            ).values_list("number", "line_id")
        )
    return found


def _by_notices(credit_amount, line_ids, lines: _OpenLines) -> list[Proposal]:
    owed = lines.owed(line_ids)
    if not owed:
        return []
    total = sum((lines.balance[pk] for pk in owed), ZERO)
    confidence = MatchConfidence.HIGH if total == credit_amount else MatchConfidence.MEDIUM
    proposals, left = [], credit_amount
    for pk in owed:
        share = min(left, lines.balance[pk])
        if share > 0:
            proposals.append(Proposal(pk, share, confidence))
            left -= share
    return proposals


def _by_payer(amount, line_ids, lines: _OpenLines, exact_confidence) -> list[Proposal]:
    owed = lines.owed(line_ids)
    for pk in owed:
        if lines.balance[pk] == amount:
            return [Proposal(pk, amount, exact_confidence)]
    for first, second in itertools.combinations(owed[:20], 2):
        if lines.balance[first] + lines.balance[second] == amount:
            return [
                Proposal(first, lines.balance[first], MatchConfidence.MEDIUM),
                Proposal(second, lines.balance[second], MatchConfidence.MEDIUM),
            ]
    if len(owed) == 1 and lines.balance[owed[0]] > amount:
        return [Proposal(owed[0], amount, MatchConfidence.LOW)]
    return []


def propose(credits) -> list[list[Proposal]]:
    """For each credit (amount, remittance_info, payer_name, payer_siret), the lines
    proposed for it, with the share of the credit and a confidence; [] for none."""
    credits = list(credits)
    numbers = [notice_numbers(credit.remittance_info) for credit in credits]
    notices = _notice_lines({n for found in numbers for n in found})
    lines = _OpenLines()
    result = []
    for credit, found in zip(credits, numbers, strict=True):
        proposals = []
        noticed = [notices[n] for n in found if n in notices]
        if noticed:
            proposals = _by_notices(credit.amount, noticed, lines)
        if not proposals and credit.payer_siret in lines.by_siret:
            proposals = _by_payer(
                credit.amount,
                lines.by_siret[credit.payer_siret],
                lines,
                MatchConfidence.HIGH,
            )
        name = normalise_name(credit.payer_name)
        if not proposals and name in lines.by_name:
            proposals = _by_payer(credit.amount, lines.by_name[name], lines, MatchConfidence.MEDIUM)
        result.append(lines.take(proposals))
    return result
