"""French formats for money and dates, the same on pages and in PDFs, and the fields of
a form (``includes/form_fields.html``)."""

import functools
import re
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

CENT = Decimal("0.01")

register = template.Library()


@functools.lru_cache(maxsize=8)
def _separators(language):
    """The language's decimal and thousand separators and grouping, read once."""
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        get_format("NUMBER_GROUPING", language, use_l10n=True),
    )


@register.filter
def euros(value):
    """1234.5 -> "1 234,50 €" (in French); empty for None.

    What ``number_format(amount, 2, force_grouping=True)`` writes, with the separators
    read once per language: boards print hundreds of amounts.
    """
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    decimal_sep, thousand_sep, grouping = _separators(get_language())
    if not isinstance(grouping, int) or grouping <= 0:
        text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        return f"{text}\u00a0€"
    sign = "-" if amount < 0 else ""
    units, _dot, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while units:
        groups.insert(0, units[-grouping:])
        units = units[:-grouping]
    return f"{sign}{thousand_sep.join(groups)}{decimal_sep}{cents}\u00a0€"


@register.filter
def iban(value):
    """An IBAN by groups of four, as printed on a RIB."""
    from innovalo.identifiers import format_iban

    return format_iban(value) if value else ""


@register.filter
def percent(value, total):
    """Share of `total` as a whole percentage: 11, 44 -> "25 %"."""
    try:
        value, total = Decimal(value), Decimal(total)
    except (TypeError, ValueError, ArithmeticError):
        return ""
    if not total:
        return "0\u00a0%"
    share = (value * 100 / total).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{share}\u00a0%"


def _label_tag(field, punctuation) -> str:
    """``field.label_tag()`` for the common case (an id, no required_css_class), without
    a translation and a renderer call per field; `punctuation` is ``gettext(":?.!")``."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    if not id_ or hasattr(field.form, "required_css_class"):
        return field.label_tag()
    contents = field.label
    suffix = field.field.label_suffix
    if suffix is None:
        suffix = field.form.label_suffix
    text = conditional_escape(contents)
    if suffix and contents and str(contents)[-1] not in punctuation:
        text += conditional_escape(suffix)
    for_id = widget.id_for_label(id_)
    attrs = f' for="{conditional_escape(for_id)}"' if for_id else ""
    return f"<label{attrs}>{text}</label>"


@functools.lru_cache(maxsize=64)
def _widget_type(widget_class) -> str:
    """What ``BoundField.widget_type`` says, once per widget class."""
    return re.sub(r"widget$|input$", "", widget_class.__name__.lower())


def _form_field(field, punctuation) -> str:
    """One visible field as ``includes/form_fields.html`` wrote it."""
    errors = field.errors
    classes = "field"
    if errors:
        classes += " field-error"
    if field.field.required:
        classes += " field-required"
    widget, label = str(field), _label_tag(field, punctuation)
    if _widget_type(type(field.field.widget)) == "checkbox":
        controls = f"\n      {widget} {label}\n    "
    else:
        controls = f"\n      {label}\n      {widget}\n    "
    auto_id = escape(field.auto_id)
    help_text = field.help_text
    # A help text that holds a list (Django's password rules) cannot sit in <small>.
    help_tag = "div" if help_text and "<ul" in str(help_text) else "small"
    help_html = (
        f'<{help_tag} class="help" id="{auto_id}_helptext">{help_text}</{help_tag}>'
        if help_text
        else ""
    )
    error_html = "".join(
        f'<p class="error" id="{auto_id}_error">{conditional_escape(error)}</p>' for error in errors
    )
    return (
        f'\n  <div class="{classes}">\n    {controls}\n'
        f"    {help_html}\n    {error_html}\n  </div>\n"
    )


def _error_summary(form) -> str:
    """At the top of a form in error, each field's errors as a link to the field (RGAA
    11.10: the user sees at once what to correct and reaches it from the keyboard)."""
    if not form.is_bound or not form.errors:
        return ""
    items = []
    for field in form.visible_fields():
        if not field.errors:
            continue
        target = field.field.widget.id_for_label(field.auto_id) or field.auto_id
        for error in field.errors:
            items.append(
                f'<li><a href="#{escape(target)}">{conditional_escape(field.label)}'
                f"{gettext(' : ')}{conditional_escape(error)}</a></li>"
            )
    if not items:
        return ""
    count = len(items)
    heading = ngettext(
        "Le formulaire contient %(count)s erreur :",
        "Le formulaire contient %(count)s erreurs :",
        count,
    ) % {"count": count}
    return f'<p>{heading}</p><ul class="error-summary">{"".join(items)}</ul>'


@register.simple_tag
def form_fields(form):
    """A form's errors, hidden fields and labelled fields (help text, error ids), in
    Python: the markup ``includes/form_fields.html`` holds, without a template node per
    field (a page of sixty fields spent most of its time there)."""
    parts = ["\n"]
    non_field_errors = form.non_field_errors()
    summary = _error_summary(form)
    if non_field_errors or summary:
        paragraphs = "".join(f"<p>{conditional_escape(error)}</p>" for error in non_field_errors)
        parts.append(
            f'\n  <div class="form-errors" role="alert" tabindex="-1">{paragraphs}{summary}</div>\n'
        )
    parts.append("\n")
    parts.extend(str(field) for field in form.hidden_fields())
    parts.append("\n")
    punctuation = gettext(":?.!")
    parts.extend(_form_field(field, punctuation) for field in form.visible_fields())
    parts.append("\n")
    return mark_safe("".join(parts))
