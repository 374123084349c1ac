import datetime
import io

import pytest
from django.core import mail
from pypdf import PdfReader

from innovalo.emails import send_templated_email
from innovalo.pdf import render_pdf
from tests.pdf import pdf_text


def test_pdf_helper_renders_a4_with_header_page_numbers_and_french_dates(settings):
    filename, content = render_pdf(
        "pdf/sample.html",
        {"heading": "Attestation de test", "day": datetime.date(2016, 1, 21)},
        filename="test.pdf",
    )
    assert filename == "test.pdf"
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(content)
    assert "Attestation de test" in text
    assert "21 janvier 2016" in text
    assert settings.ASSOCIATION["name"] in text
    assert settings.ASSOCIATION["siret"] in text
    assert "Page 1 / 1" in text


@pytest.mark.django_db
def test_templated_email_has_text_and_html(settings):
    from innovalo.models import Invitation
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(first_name="Lina")
    assert isinstance(invitation, Invitation)
    sent = send_templated_email(
        "invitation", ["lina@exemple.fr", ""], {"invitation": invitation, "accept_url": "X"}
    )
    assert sent == 1
    message = mail.outbox[0]
    assert message.subject.startswith("[INNOVALO] Invitation")
    assert "Bonjour Lina" in message.body
    assert settings.SITE_URL in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<a href" in html


def test_templated_email_without_recipient_sends_nothing():
    assert send_templated_email("invitation", [""], {}) == 0
    assert mail.outbox == []
