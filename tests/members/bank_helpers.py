"""Build CAMT.053 statements and notices for the bank tests."""

import datetime
import hashlib
from decimal import Decimal
from xml.sax.saxutils import escape

from members.enums import DuesDocumentKind
from members.models import DuesDocument


def camt(entries, *, version="08", iban="FR7630006000011234567890189"):
    """entries: dicts with amount, ref, and optional info, payer, siret, date, debit."""
    rows = []
    for entry in entries:
        party = ""
        if entry.get("payer") or entry.get("siret"):
            org = (
                f"<Id><OrgId><Othr><Id>{entry['siret']}</Id></Othr></OrgId></Id>"
                if entry.get("siret")
                else ""
            )
            party = (
                f"<RltdPties><Dbtr><Pty><Nm>{escape(entry.get('payer', ''))}</Nm>{org}</Pty>"
                "</Dbtr><DbtrAcct><Id><IBAN>FR7610000000000000000000001</IBAN></Id></DbtrAcct>"
                "</RltdPties>"
            )
        info = (
            f"<RmtInf><Ustrd>{escape(entry['info'])}</Ustrd></RmtInf>" if entry.get("info") else ""
        )
        rows.append(
            f"""<Ntry><Amt Ccy="EUR">{entry["amount"]}</Amt>
<CdtDbtInd>{"DBIT" if entry.get("debit") else "CRDT"}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{entry.get("date", "2026-11-20")}</Dt></BookgDt>
<AcctSvcrRef>{entry["ref"]}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>{entry["ref"]}</AcctSvcrRef></Refs>
{party}{info}</TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
<BkToCstmrStmt><GrpHdr><MsgId>DEMO</MsgId><CreDtTm>2026-11-21T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-1</Id><CreDtTm>2026-11-21T08:00:00</CreDtTm>
<FrToDt><FrDtTm>2026-11-01T00:00:00</FrDtTm><ToDtTm>2026-11-20T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
{"".join(rows)}
</Stmt></BkToCstmrStmt></Document>""".encode()


def notice(line, sequence, year=2026):
    """A notice number for a line, without rendering a PDF."""
    number = DuesDocument.format_number(DuesDocumentKind.NOTICE, year, sequence)
    return DuesDocument.objects.create(
        kind=DuesDocumentKind.NOTICE,
        year=year,
        sequence=sequence,
        number=number,
        line=line,
        amount=line.amount_due,
        filename=f"{number}.pdf",
        content=b"%PDF stand-in",
        sha256=hashlib.sha256(number.encode()).hexdigest(),
        issued_at=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC),
    )


D = Decimal
