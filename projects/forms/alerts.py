"""Forms of the alerts pages (saved searches). They parse; the services check."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..filters import CallFilter
from ..models import Call, SavedSearch
from ..services.alerts import MAX_QUERY_LENGTH, normalize_query


class SavedSearchForm(forms.ModelForm):
    """Name and frequency of an alert (its filters come from the list)."""

    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        widgets = {"frequency": forms.RadioSelect}
        help_texts = {
            "name": _("Pour la reconnaître dans vos e-mails."),
            "frequency": _(
                "Un e-mail seulement quand de nouveaux appels correspondent ou que leurs "
                "dates changent ; chaque semaine : le lundi."
            ),
        }


class SavedSearchCreateForm(SavedSearchForm):
    """A new alert: the list's query string travels in a hidden field."""

    query = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    class Meta(SavedSearchForm.Meta):
        fields = ["name", "frequency", "query"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        """The filters are a hidden field: their error is the form's (shown above it)."""
        cleaned = super().clean()
        query = normalize_query(cleaned.get("query") or "")
        if len(query) > MAX_QUERY_LENGTH:
            self.add_error(None, _("Ces filtres sont trop longs pour une alerte."))
        elif not CallFilter(
            QueryDict(query), queryset=Call.objects.none(), user=self.user
        ).form.is_valid():
            self.add_error(
                None,
                _(
                    "Ces filtres ne sont pas valides : revenez à la liste des appels et "
                    "choisissez-les à nouveau."
                ),
            )
        cleaned["query"] = query
        return cleaned
