"""Reading back the text of a PDF rendered by WeasyPrint, for assertions."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes, *, flat: bool = False) -> str:
    """The text of every page; `flat` joins lines and turns the (narrow) no-break
    spaces of French formats into plain spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if flat:
        text = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    return text
