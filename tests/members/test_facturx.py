"""Factur-X notices: the CII XML is valid against the Factur-X XSD (BASIC WL) and
says what the notice prints; the notice issued and stored is a PDF/A-3 with that XML
embedded; the void copy is no invoice."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.conf import settings
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from members import facturx, pdf
from members.services import dues as services

from .dues_factories import (  # noqa: F401 - fixtures
    DuesLineFactory,
    fast_pdf_fixture,
    frozen_fixture,
    real_pdf_fixture,
    stored_amounts_agree_fixture,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen", "fast_pdf", "stored_amounts_agree"),
]

NS = {"rsm": facturx.RSM, "ram": facturx.RAM, "udt": facturx.UDT}
BILLING = {
    "name": "Lycée Jules Ferry",
    "siret": "19750001000016",
    "chorus_service_code": "SERV-DAF",
}


def values(xml: bytes, path: str) -> list[str]:
    return [element.text for element in etree.fromstring(xml).xpath(path, namespaces=NS)]


def test_the_xml_of_a_public_buyer_is_valid_and_says_what_the_notice_prints():
    xml = facturx.notice_xml(
        number="AC-2026-0007",
        issued_on=datetime.date(2026, 1, 15),
        due_date=datetime.date(2026, 3, 31),
        amount=Decimal("450"),
        billing=BILLING,
        purchase_order="BC-2026-42",
    )
    assert xml_check_xsd(xml, flavor="factur-x", level="basicwl") is True
    trade = "//rsm:SupplyChainTradeTransaction"
    agreement = f"{trade}/ram:ApplicableHeaderTradeAgreement"
    settlement = f"{trade}/ram:ApplicableHeaderTradeSettlement"
    assert values(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:factur-x.eu:1p0:basicwl"
    ]
    assert values(xml, "//rsm:ExchangedDocument/ram:ID") == ["AC-2026-0007"]
    assert values(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert values(xml, "//ram:IssueDateTime/udt:DateTimeString") == ["20260115"]
    assert values(xml, f"{agreement}/ram:BuyerReference") == ["SERV-DAF"]
    assert values(xml, f"{agreement}/ram:SellerTradeParty/ram:Name") == [
        settings.ASSOCIATION["name"]
    ]
    assert values(xml, f"{agreement}/ram:SellerTradeParty//ram:ID") == [
        settings.ASSOCIATION["siret"]
    ]
    assert values(xml, f"{agreement}/ram:BuyerTradeParty/ram:Name") == ["Lycée Jules Ferry"]
    assert values(xml, f"{agreement}/ram:BuyerTradeParty//ram:ID") == ["19750001000016"]
    assert values(xml, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == [
        "BC-2026-42"
    ]
    # Not subject to VAT: category O, no VAT; the notice number as payment reference.
    assert values(xml, f"{settlement}/ram:ApplicableTradeTax/ram:CategoryCode") == ["O"]
    assert values(xml, f"{settlement}/ram:PaymentReference") == ["AC-2026-0007"]
    assert values(xml, "//ram:DueDateDateTime/udt:DateTimeString") == ["20260331"]
    summation = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert values(xml, f"{summation}/ram:TaxTotalAmount") == ["0.00"]
    assert values(xml, f"{summation}/ram:GrandTotalAmount") == ["450.00"]
    assert values(xml, f"{summation}/ram:DuePayableAmount") == ["450.00"]
    assert values(xml, "//ram:IBANID") == ["".join(settings.ASSOCIATION["iban"].split())]


def test_a_buyer_without_siret_service_code_nor_order_still_gets_a_valid_xml():
    xml = facturx.notice_xml(
        number="AC-2026-0008",
        issued_on=datetime.date(2026, 1, 15),
        due_date=datetime.date(2026, 3, 31),
        amount="300.5",
        billing={"name": "Plateforme privée", "siret": "", "chorus_service_code": ""},
    )
    assert xml_check_xsd(xml, flavor="factur-x", level="basicwl") is True
    assert values(xml, "//ram:BuyerReference") == []
    assert values(xml, "//ram:BuyerTradeParty//ram:ID") == []
    assert values(xml, "//ram:BuyerOrderReferencedDocument") == []
    assert values(xml, "//ram:GrandTotalAmount") == ["300.50"]


def test_a_broken_xml_is_refused_by_the_xsd():
    xml = facturx.notice_xml(
        number="AC-2026-0009",
        issued_on=datetime.date(2026, 1, 15),
        due_date=datetime.date(2026, 3, 31),
        amount="300",
        billing=BILLING,
    )
    root = etree.fromstring(xml)
    for element in root.xpath("//ram:GrandTotalAmount", namespaces=NS):
        element.getparent().remove(element)
    with pytest.raises(Exception, match="(?i)xsd|grandtotal|element"):
        xml_check_xsd(etree.tostring(root), flavor="factur-x", level="basicwl")


def test_the_issued_notice_is_a_factur_x_pdf_a_3(real_pdf):
    line = DuesLineFactory(
        amount_due=Decimal("450.00"),
        purchase_order="BC-77",
        platform__siret="19750001000016",
        platform__chorus_service_code="SERV-DAF",
        platform__billing_name="Lycée Jules Ferry",
    )
    document = services.dues_issue_notice(line)
    content = bytes(document.content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    # The embedded XML: factur-x.xml, valid, the notice's number and amount.
    filename, xml = get_xml_from_pdf(content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert values(xml, "//rsm:ExchangedDocument/ram:ID") == [document.number]
    assert values(xml, "//ram:GrandTotalAmount") == ["450.00"]
    assert values(xml, "//ram:BuyerReference") == ["SERV-DAF"]
    assert values(xml, "//ram:BuyerTradeParty//ram:ID") == ["19750001000016"]
    assert values(xml, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == ["BC-77"]
    assert values(xml, "//ram:DueDateDateTime/udt:DateTimeString") == ["20260331"]
    # The PDF: an embedded file with AFRelationship, and the PDF/A-3B XMP metadata.
    reader = PdfReader(io.BytesIO(content))
    assert "factur-x.xml" in reader.attachments
    root = reader.trailer["/Root"]
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Data"]
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp or 'pdfaid:part="3"' in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp or 'pdfaid:conformance="B"' in xmp
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    assert "BASIC WL" in xmp
    # Still the notice people read.
    text = "".join(page.extract_text() for page in reader.pages)
    assert document.number in text and "Lycée Jules Ferry" in text


def test_the_void_copy_of_a_notice_is_no_invoice(real_pdf):
    line = DuesLineFactory()
    _name, content = pdf.render_notice(
        line,
        number="AC-2026-0001",
        issued_at=datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC),
        void={"at": datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC), "reason": "Erreur"},
    )
    assert PdfReader(io.BytesIO(content)).attachments == {}
