"""One PDF helper: WeasyPrint, A4, the association's header, page numbers, French dates."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation


def _static_fetcher(url, *args, **kwargs):
    """Serve /static/ files from disk, and refuse anything from the network."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDF resources must be local, not {url!r}")


def render_pdf(
    template_name: str, context: dict, *, filename: str, pdf_variant: str | None = None
) -> tuple[str, bytes]:
    """Render `templates/pdf/<template>` to PDF bytes; returns (filename, bytes).
    `pdf_variant`: WeasyPrint's, e.g. "pdf/a-3b" for a Factur-X notice."""
    from weasyprint import CSS, HTML

    ctx = {
        "association": settings.ASSOCIATION,
        "generated_at": timezone.localtime(),
        "title": filename,
    }
    ctx.update(context)
    with translation.override("fr"):
        html = render_to_string(template_name, ctx)
    stylesheet = finders.find("css/pdf.css")
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_static_fetcher)
    pdf = document.write_pdf(
        stylesheets=[CSS(filename=stylesheet)] if stylesheet else None, pdf_variant=pdf_variant
    )
    return filename, pdf


def pdf_response(filename: str, content: bytes, *, inline: bool = True):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
