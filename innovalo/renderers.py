"""The portal's form renderer: Django's, with the standard widgets and labels built in
Python (``settings.FORM_RENDERER``).

A page with sixty fields and three hundred options (the platform edit page) cost a
template render per option and per attribute list with Django's widget templates (80 ms
for that page). This renderer writes the same HTML, byte for byte (a test compares it
with the templates), for the standard widgets, and leaves any other template to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

_CONTEXT = Context(autoescape=True)


def text_value(value) -> str:
    """What ``{{ value }}`` prints (localized, escaped)."""
    if type(value) is str:  # the common case, without localization (not a SafeString)
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def raw_value(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def html_attrs(attrs) -> str:
    return "".join(
        f" {text_value(name)}" if value is True else f' {text_value(name)}="{raw_value(value)}"'
        for name, value in (attrs or {}).items()
        if value is not False
    )


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{raw_value(widget["value"])}"'
    kind, name = text_value(widget["type"]), text_value(widget["name"])
    attrs = html_attrs(widget["attrs"])
    return f'<input type="{kind}" name="{name}"{value}{attrs}>'


def _textarea(widget) -> str:
    value = text_value(widget["value"]) if widget["value"] else ""
    name, attrs = text_value(widget["name"]), html_attrs(widget["attrs"])
    return f'<textarea name="{name}"{attrs}>\n{value}</textarea>'


def _select(widget) -> str:
    parts = [f'<select name="{text_value(widget["name"])}"{html_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text_value(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{raw_value(option["value"])}"{html_attrs(option["attrs"])}>'
                f"{text_value(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _choice_inputs(widget) -> str:
    """checkbox_select.html and radio.html (multiple_input.html)."""
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{text_value(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{text_value(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{text_value(group)}</label>")
        for option in options:
            element = _input(option) + "\n"
            if option["wrap_label"]:
                for_id = option["attrs"].get("id")
                label_for = f' for="{text_value(for_id)}"' if for_id else ""
                element = f"<label{label_for}>{element} {text_value(option['label'])}</label>"
            parts.append(f"<div>\n    {element}\n\n</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _label(context) -> str:
    if not context["use_tag"]:
        return text_value(context["label"])
    tag = context["tag"]
    return f"<{tag}{html_attrs(context['attrs'])}>{text_value(context['label'])}</{tag}>"


_INPUTS = ("text", "email", "url", "number", "password", "hidden", "date", "checkbox", "tel")
_QUICK = {f"django/forms/widgets/{name}.html": _input for name in _INPUTS} | {
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_select.html": _choice_inputs,
    "django/forms/widgets/radio.html": _choice_inputs,
}


class QuickFormRenderer(DjangoTemplates):
    """Django's form renderer, with the standard widgets and labels built in Python."""

    def render(self, template_name, context, request=None):
        if template_name == "django/forms/label.html":
            return mark_safe(_label(context).strip())
        quick = _QUICK.get(template_name)
        if quick is None:
            return super().render(template_name, context, request)
        return mark_safe(quick(context["widget"]).strip())
