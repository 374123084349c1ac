"""The demo's bank statement: a CAMT.053 file for the current year, ready to import.

`demo_camt053(year)` writes it from the demo's open dues lines: a credit naming the
demo platform's notice number (high confidence), one naming nobody but its payer
(matched by the payer's name and the amount), one host paying for two platforms
(the remittance names both notices), and one that matches nothing. The same file,
written from a fresh demo, is `docs/camt053-demo.xml`.
"""

import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone

from ..enums import DuesDocumentKind
from ..models import DuesDocument, DuesLine
from .matching import normalise_name

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
ACCOUNT_IBAN = "FR7630006000011234567890189"
DEMO_SLUG = "innovaltech"


def _notice(line) -> str:
    from ..services import dues as services

    document = (
        DuesDocument.objects.filter(kind=DuesDocumentKind.NOTICE, line=line, voided_at=None)
        .order_by("-pk")
        .first()
    )
    return (document or services.dues_issue_notice(line)).number


def _entry(index, booked, amount, reference, info, payer="", siret=""):
    org = f"<Id><OrgId><Othr><Id>{siret}</Id></Othr></OrgId></Id>" if siret else ""
    party = (
        f"<RltdPties><Dbtr><Pty><Nm>{escape(payer)}</Nm>{org}</Pty></Dbtr></RltdPties>"
        if payer
        else ""
    )
    return f"""    <Ntry>
      <NtryRef>{index}</NtryRef>
      <Amt Ccy="EUR">{amount}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <Sts><Cd>BOOK</Cd></Sts>
      <BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>
      <ValDt><Dt>{booked.isoformat()}</Dt></ValDt>
      <AcctSvcrRef>{reference}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls>
        <Refs><AcctSvcrRef>{reference}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
        {party}
        <RmtInf><Ustrd>{escape(info)}</Ustrd></RmtInf>
      </TxDtls></NtryDtls>
    </Ntry>
"""


def demo_camt053(year=None, *, today=None) -> bytes:
    """A statement of credits for `year`'s open lines (notices issued as needed)."""
    today = today or timezone.localdate()
    year = year or today.year
    lines = list(
        DuesLine.objects.open()
        .filter(year=year)
        .select_related("platform")
        .order_by("platform__slug", "pk")
    )
    demo = next((line for line in lines if line.platform.slug == DEMO_SLUG), None)
    others = [line for line in lines if line is not demo and line.paid_amount == 0]
    booked = min(today, datetime.date(year, 12, 31)) - datetime.timedelta(days=3)
    entries = []
    if demo is not None:
        entries.append(
            (
                demo.amount_due - demo.paid_amount,
                f"VIR COTISATION {_notice(demo).replace('-', ' ')} {demo.platform.acronym}",
                normalise_name(demo.platform.billing_name),
                "",
            )
        )
    if others:
        by_name = others[-1]
        entries.append(
            (
                by_name.amount_due,
                f"VIREMENT COTISATION {year}",
                normalise_name(by_name.platform.billing_name),
                "",
            )
        )
    if len(others) >= 3:
        first, second = others[0], others[1]
        entries.append(
            (
                first.amount_due + second.amount_due,
                f"COTISATIONS {_notice(first)} ET {_notice(second)}",
                "AGENCE COMPTABLE DU LYCEE",
                "",
            )
        )
    entries.append(("75.00", "REMBOURSEMENT FRAIS DE DEPLACEMENT", "M DUPONT JEAN", ""))
    body = "".join(
        _entry(
            index,
            booked,
            amount,
            f"DEMO-{year}-{index:04d}",
            info,
            payer,
            siret,
        )
        for index, (amount, info, payer, siret) in enumerate(entries, start=1)
    )
    start = booked.replace(day=1)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>INNOVALO-DEMO-{year}</MsgId><CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>INNOVALO-DEMO-{year}-1</Id>
      <CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm>
      <FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm><ToDtTm>{booked.isoformat()}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>{ACCOUNT_IBAN}</IBAN></Id><Ccy>EUR</Ccy><Nm>Association Innovalo</Nm></Acct>
{body}    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def write_demo_statement(directory, year=None) -> Path:
    """Write the year's demo statement as ``releve-camt053-<year>.xml`` in ``directory``
    (``seed_demo`` puts it in ``var/demo/``, ready to import at /cotisations/releves/)."""
    year = year or timezone.localdate().year
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"releve-camt053-{year}.xml"
    path.write_bytes(demo_camt053(year))
    return path
