"""Factur-X dues notices: the CII XML (profile BASIC WL) embedded in the notice's PDF/A-3.

Public establishments pay through Chorus Pro, which reads the structured invoice
embedded in the PDF instead of retyping it. The XML is written here with lxml (the
fields a notice prints, nothing more) and embedded by the `factur-x` library, which
also checks it against the Factur-X XSD and writes the PDF/A-3 XMP metadata.

Seller: the association (`settings.ASSOCIATION`), not subject to VAT (category "O").
Buyer: the platform's invoicing entity (billing name or platform name, its SIRET and
Chorus Pro service code when given); the line's purchase order number when given.
"""

from decimal import Decimal

from django.conf import settings
from lxml import etree

PROFILE = "urn:factur-x.eu:1p0:basicwl"
LEVEL = "basicwl"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
# EN 16931 codes: 380 commercial invoice, 58 SEPA credit transfer, VAT category "O"
# (not subject to VAT), 0009 SIRET (ISO 6523 ICD).
INVOICE = "380"
SEPA_TRANSFER = "58"
NOT_SUBJECT_TO_VAT = "O"
SIRET_SCHEME = "0009"
VAT_EXEMPTION = "Association non assujettie à la TVA"


def _el(parent, ns, tag, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{NSMAP[ns]}}}{tag}", attrs)
    if text is not None:
        element.text = str(text)
    return element


def _date(parent, tag, value):
    _el(_el(parent, "ram", tag), "udt", "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _amount(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def _party(parent, tag, *, name, siret):
    party = _el(parent, "ram", tag)
    _el(party, "ram", "Name", name)
    if siret:
        legal = _el(party, "ram", "SpecifiedLegalOrganization")
        _el(legal, "ram", "ID", siret, schemeID=SIRET_SCHEME)
    address = _el(party, "ram", "PostalTradeAddress")
    _el(address, "ram", "CountryID", "FR")
    return party


def _digits(value) -> str:
    return "".join(ch for ch in (value or "") if ch.isalnum())


def notice_xml(*, number, issued_on, due_date, amount, billing, purchase_order="") -> bytes:
    """The CII XML (Factur-X BASIC WL) of a notice; `billing` as `members.pdf._billing`."""
    association = settings.ASSOCIATION
    amount = _amount(amount)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm", "ExchangedDocumentContext")
    guideline = _el(context, "ram", "GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram", "ID", PROFILE)

    document = _el(root, "rsm", "ExchangedDocument")
    _el(document, "ram", "ID", number)
    _el(document, "ram", "TypeCode", INVOICE)
    _date(document, "IssueDateTime", issued_on)
    note = _el(document, "ram", "IncludedNote")
    _el(note, "ram", "Content", VAT_EXEMPTION)

    transaction = _el(root, "rsm", "SupplyChainTradeTransaction")
    agreement = _el(transaction, "ram", "ApplicableHeaderTradeAgreement")
    if billing.get("chorus_service_code"):
        _el(agreement, "ram", "BuyerReference", billing["chorus_service_code"])
    _party(
        agreement,
        "SellerTradeParty",
        name=association["name"],
        siret=_digits(association.get("siret")),
    )
    _party(agreement, "BuyerTradeParty", name=billing["name"], siret=_digits(billing.get("siret")))
    if purchase_order:
        order = _el(agreement, "ram", "BuyerOrderReferencedDocument")
        _el(order, "ram", "IssuerAssignedID", purchase_order)
    _el(transaction, "ram", "ApplicableHeaderTradeDelivery")

    settlement = _el(transaction, "ram", "ApplicableHeaderTradeSettlement")
    _el(settlement, "ram", "PaymentReference", number)
    _el(settlement, "ram", "InvoiceCurrencyCode", "EUR")
    iban = _digits(association.get("iban"))
    if iban:
        means = _el(settlement, "ram", "SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram", "TypeCode", SEPA_TRANSFER)
        account = _el(means, "ram", "PayeePartyCreditorFinancialAccount")
        _el(account, "ram", "IBANID", iban)
    tax = _el(settlement, "ram", "ApplicableTradeTax")
    _el(tax, "ram", "CalculatedAmount", "0.00")
    _el(tax, "ram", "TypeCode", "VAT")
    _el(tax, "ram", "ExemptionReason", VAT_EXEMPTION)
    _el(tax, "ram", "BasisAmount", amount)
    _el(tax, "ram", "CategoryCode", NOT_SUBJECT_TO_VAT)
    _el(tax, "ram", "ExemptionReasonCode", "VATEX-EU-O")
    terms = _el(settlement, "ram", "SpecifiedTradePaymentTerms")
    _date(terms, "DueDateDateTime", due_date)
    total = _el(settlement, "ram", "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(total, "ram", "LineTotalAmount", amount)
    _el(total, "ram", "TaxBasisTotalAmount", amount)
    _el(total, "ram", "TaxTotalAmount", "0.00", currencyID="EUR")
    _el(total, "ram", "GrandTotalAmount", amount)
    _el(total, "ram", "DuePayableAmount", amount)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def embed(pdf: bytes, xml: bytes, *, title: str) -> bytes:
    """The PDF/A-3 with `xml` embedded as factur-x.xml (checked against the XSD)."""
    from facturx import generate_from_binary

    return generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=True,
        pdf_metadata={
            "author": settings.ASSOCIATION["name"],
            "keywords": "Factur-X, appel de cotisation",
            "title": title,
            "subject": title,
        },
        lang="fr-FR",
        xmp_compression=False,
    )
