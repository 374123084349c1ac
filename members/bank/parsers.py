"""Read a bank statement into plain credit records, or raise `StatementError`.

CAMT.053 (ISO 20022, `urn:iso:std:iso:20022:tech:xsd:camt.053.001.0X`) is read with
the standard library's ElementTree (a document type declaration is refused, so no
entity tricks); only credits (`CdtDbtInd` = CRDT) are kept. The bank's CSV is read
with a column mapping (date, amount, label, payer, reference). Both parse the whole
file before anything is written: a wrong file raises, nothing is half-imported.
"""

import csv
import datetime
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
CAMT_NS = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}\}")


class StatementError(ValueError):
    """A file that is not a statement we can read; the message is for the treasurer."""


@dataclass
class Credit:
    booking_date: datetime.date
    amount: Decimal
    bank_reference: str
    currency: str = "EUR"
    remittance_info: str = ""
    payer_name: str = ""
    payer_siret: str = ""
    payer_iban: str = ""


@dataclass
class ParsedStatement:
    format: str
    sha256: str
    credits: list[Credit] = field(default_factory=list)
    account_iban: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


def _amount(text) -> Decimal:
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if "," in raw and "." in raw:
        raw = raw.replace(".", "") if raw.rfind(",") > raw.rfind(".") else raw.replace(",", "")
    raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise StatementError(_("Montant illisible : « %(value)s ».") % {"value": text}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e8"):
        raise StatementError(_("Montant illisible : « %(value)s ».") % {"value": text})
    return value.quantize(Decimal("0.01"))


def _date(text) -> datetime.date:
    raw = (text or "").strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise StatementError(_("Date illisible : « %(value)s ».") % {"value": text})


# CAMT.053 --------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, path: str):
    """First descendant following `path` ("A/B/C", local names, any namespace)."""
    if element is None:
        return None
    current = [element]
    for name in path.split("/"):
        current = [child for node in current for child in node if _local(child.tag) == name]
        if not current:
            return None
    return current[0]


def _text(element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _siret(party) -> str:
    """A SIRET given as the party's organisation identifier (14 digits)."""
    if party is None:
        return ""
    for node in party.iter():
        if _local(node.tag) == "Id" and node.text and re.fullmatch(r"\d{14}", node.text.strip()):
            return node.text.strip()
    return ""


def parse_camt053(data: bytes) -> ParsedStatement:
    head = data[:2048].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise StatementError(_("Ce fichier XML n'est pas un relevé CAMT.053."))
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise StatementError(_("Ce fichier n'est pas un XML lisible.")) from None
    if not CAMT_NS.match(root.tag) or _local(root.tag) != "Document":
        raise StatementError(
            _("Ce fichier XML n'est pas un relevé CAMT.053 (ISO 20022, camt.053.001).")
        )
    stmts = [node for node in root.iter() if _local(node.tag) == "Stmt"]
    if not stmts:
        raise StatementError(_("Ce relevé CAMT.053 ne contient aucun relevé (Stmt)."))
    parsed = ParsedStatement(format="camt053", sha256=hashlib.sha256(data).hexdigest())
    for stmt in stmts:
        parsed.account_iban = parsed.account_iban or _text(stmt, "Acct/Id/IBAN")
        start, end = _text(stmt, "FrToDt/FrDtTm"), _text(stmt, "FrToDt/ToDtTm")
        if start:
            parsed.period_start = min(filter(None, [parsed.period_start, _date(start)]))
        if end:
            parsed.period_end = max(filter(None, [parsed.period_end, _date(end)]))
        for entry in (node for node in stmt if _local(node.tag) == "Ntry"):
            if _text(entry, "CdtDbtInd") != "CRDT":
                continue
            if _text(entry, "RvslInd").lower() == "true":
                continue
            parsed.credits.extend(_camt_credits(entry))
    return parsed


def _camt_credits(entry) -> list[Credit]:
    amount_node = _find(entry, "Amt")
    if amount_node is None:
        raise StatementError(_("Une opération du relevé n'a pas de montant."))
    entry_amount = _amount(amount_node.text)
    currency = amount_node.get("Ccy", "EUR")
    booked = _text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")
    booked = booked or _text(entry, "ValDt/Dt")
    if not booked:
        raise StatementError(_("Une opération du relevé n'a pas de date."))
    booking_date = _date(booked)
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    details = [
        tx
        for dtls in entry
        if _local(dtls.tag) == "NtryDtls"
        for tx in dtls
        if _local(tx.tag) == "TxDtls"
    ]
    credits = []
    for index, tx in enumerate(details or [None]):
        amount = entry_amount
        if tx is not None and len(details) > 1:
            tx_amount = _find(tx, "Amt") or _find(tx, "AmtDtls/TxAmt/Amt")
            if tx_amount is not None:
                amount = _amount(tx_amount.text)
        reference = ""
        if tx is not None:
            reference = _text(tx, "Refs/AcctSvcrRef") or _text(tx, "Refs/EndToEndId")
            if reference == "NOTPROVIDED":
                reference = ""
        if not reference:
            reference = f"{entry_ref}-{index + 1}" if len(details) > 1 else entry_ref
        if not reference:
            raise StatementError(_("Une opération du relevé n'a pas de référence bancaire."))
        remittance = " ".join(
            (node.text or "").strip()
            for node in (tx.iter() if tx is not None else entry.iter())
            if _local(node.tag) in ("Ustrd", "Ref") and node.text
        )
        remittance = remittance or _text(entry, "AddtlNtryInf")
        debtor = _find(tx, "RltdPties/Dbtr") if tx is not None else None
        credits.append(
            Credit(
                booking_date=booking_date,
                amount=amount,
                currency=currency[:3],
                bank_reference=reference[:100],
                remittance_info=remittance,
                payer_name=(_text(debtor, "Nm") or _text(debtor, "Pty/Nm"))[:200],
                payer_siret=_siret(debtor),
                payer_iban=_text(tx, "RltdPties/DbtrAcct/Id/IBAN")[:34] if tx is not None else "",
            )
        )
    return credits


# CSV -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError(_("Encodage du fichier CSV illisible."))


def parse_csv(data: bytes, mapping) -> ParsedStatement:
    """`mapping`: an object with date_column, amount_column, label_column,
    payer_column, reference_column (a `BankCsvMapping`)."""
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        raise StatementError(_("Ce fichier n'est pas un CSV lisible.")) from None
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    wanted = [mapping.date_column, mapping.amount_column, mapping.label_column]
    wanted += [c for c in (mapping.payer_column, mapping.reference_column) if c]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise StatementError(
            _("Colonnes absentes du CSV : %(missing)s (colonnes trouvées : %(found)s).")
            % {"missing": ", ".join(missing), "found": ", ".join(columns) or "—"}
        )
    parsed = ParsedStatement(format="csv", sha256=hashlib.sha256(data).hexdigest())
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        try:
            amount = _amount(row[mapping.amount_column])
            booking_date = _date(row[mapping.date_column])
        except StatementError as error:
            raise StatementError(
                _("Ligne %(number)s : %(error)s") % {"number": number, "error": error}
            ) from None
        if amount <= 0:
            continue
        label = row[mapping.label_column]
        reference = row.get(mapping.reference_column, "") if mapping.reference_column else ""
        if not reference:
            key = f"{booking_date}|{amount}|{label}|{number}".encode()
            reference = "CSV-" + hashlib.sha256(key).hexdigest()[:32]
        parsed.credits.append(
            Credit(
                booking_date=booking_date,
                amount=amount,
                bank_reference=reference[:100],
                remittance_info=label,
                payer_name=(row.get(mapping.payer_column, "") if mapping.payer_column else "")[
                    :200
                ],
            )
        )
        dates = [parsed.period_start, booking_date]
        parsed.period_start = min(d for d in dates if d)
        parsed.period_end = max(d for d in [parsed.period_end, booking_date] if d)
    return parsed


def parse_statement(data: bytes, mapping=None) -> ParsedStatement:
    if not data:
        raise StatementError(_("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise StatementError(_("Le fichier dépasse 20 Mo."))
    if data.lstrip()[:1] == b"<" or data[:3] == b"\xef\xbb\xbf" and data[3:].lstrip()[:1] == b"<":
        return parse_camt053(data.lstrip(b"\xef\xbb\xbf"))
    if mapping is None:
        raise StatementError(
            _("Ce fichier n'est pas un relevé CAMT.053 ; pour un CSV, choisissez la banque.")
        )
    return parse_csv(data, mapping)
