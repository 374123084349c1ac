"""One renderer per dues document, each returning (filename, bytes).

The number and issue date are given by the service that issues the document
(`members.services.dues.documents`), which stores the bytes once. `void` (a dict
with `at` and `reason`) renders the copy of a voided document, stamped "ANNULÉ".
"""

from django.utils import timezone

from innovalo import pdf as base

from . import facturx


def render_pdf(template_name: str, context: dict, *, filename: str) -> tuple[str, bytes]:
    """`innovalo.pdf.render_pdf`; a notice whose context carries `facturx_xml` is
    rendered as PDF/A-3b with that XML embedded: a Factur-X PDF (`members.facturx`).
    (Tests replace this function by a stand-in, Factur-X included.)"""
    xml = context.get("facturx_xml")
    if xml is None:
        return base.render_pdf(template_name, context, filename=filename)
    filename, content = base.render_pdf(
        template_name, context, filename=filename, pdf_variant="pdf/a-3b"
    )
    return filename, facturx.embed(content, xml, title=context["title"])


def _billing(platform):
    return {
        "name": platform.billing_name or platform.name,
        "address": platform.billing_address
        or "\n".join(
            part
            for part in [platform.address, f"{platform.postal_code} {platform.city}".strip()]
            if part
        ),
        "siret": platform.siret,
        "chorus_service_code": platform.chorus_service_code,
    }


def _void(void):
    if not void:
        return None
    return {"on": timezone.localdate(void["at"]), "reason": void.get("reason", "")}


def render_notice(line, *, number, issued_at, void=None):
    """The dues notice (*appel de cotisation*) of a platform for a year: a Factur-X
    PDF with its CII XML embedded, which Chorus Pro reads. The void copy is a plain
    PDF: it must not be read as an invoice to pay."""
    platform = line.platform
    issued_on = timezone.localdate(issued_at)
    billing = _billing(platform)
    xml = None
    if not void:
        xml = facturx.notice_xml(
            number=number,
            issued_on=issued_on,
            due_date=line.due_date,
            amount=line.amount_due,
            billing=billing,
            purchase_order=line.purchase_order,
        )
    return render_pdf(
        "pdf/dues_notice.html",
        {
            "number": number,
            "issued_on": issued_on,
            "line": line,
            "platform": platform,
            "billing": billing,
            "title": f"Appel de cotisation {number}",
            "void": _void(void),
            "facturx_xml": xml,
        },
        filename=f"{number}.pdf",
    )


def render_receipt(payment, allocations, *, number, issued_at, void=None):
    """The receipt (*reçu*) of one payment, with its allocation across lines."""
    platforms = []
    for allocation in allocations:
        if allocation.line.platform not in platforms:
            platforms.append(allocation.line.platform)
    return render_pdf(
        "pdf/dues_receipt.html",
        {
            "number": number,
            "issued_on": timezone.localdate(issued_at),
            "payment": payment,
            "allocations": allocations,
            "billings": [_billing(p) for p in platforms],
            "title": f"Reçu {number}",
            "void": _void(void),
        },
        filename=f"{number}.pdf",
    )


def render_certificate(line, *, number, issued_at, void=None):
    """The yearly membership certificate (*attestation d'adhésion*)."""
    return render_pdf(
        "pdf/dues_certificate.html",
        {
            "number": number,
            "issued_on": timezone.localdate(issued_at),
            "line": line,
            "platform": line.platform,
            "billing": _billing(line.platform),
            "title": f"Attestation d'adhésion {number}",
            "void": _void(void),
        },
        filename=f"{number}.pdf",
    )
