"""External questionnaires and their respondents (links derived like the import's)."""

import io

from openpyxl import Workbook

from surveys.enums import CampaignKind
from surveys.models.responses import hash_token
from surveys.services.respondents import derive_token, new_salt

from .factories import CampaignFactory, QuestionFactory, RespondentFactory, choice_question


def external_campaign(**kwargs):
    """An open external questionnaire with two questions (one required)."""
    campaign = CampaignFactory(kind=CampaignKind.EXTERNAL, title="InnovENT-E", **kwargs)
    question = QuestionFactory(
        section__campaign=campaign, code="salaries", label="Salariés", required=True
    )
    choice_question(question.section, "innove", ("oui", "non"), label="Innovez-vous ?")
    return campaign


def respondent(campaign, **kwargs):
    """A respondent with a salt and the hash of its derived link; (respondent, token)."""
    person = RespondentFactory(campaign=campaign, token_salt=new_salt(), **kwargs)
    token = derive_token(person.pk, person.token_salt)
    type(person).objects.filter(pk=person.pk).update(token_hash=hash_token(token))
    person.token_hash = hash_token(token)
    return person, token


def csv_upload(text: str, name="repondants.csv", bom=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = text.encode("utf-8")
    if bom:
        content = b"\xef\xbb\xbf" + content
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx_upload(rows, name="repondants.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


VALID_SIRETS = ["73282932000074", "35600000000048", "44306184100047"]
