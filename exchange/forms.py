"""The public's forms: suggest an initiative, report a correction. Both carry a honeypot field."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates that can make
# text read differently from what it is (in the admin's lists, too). Tabs and line breaks are handled apart.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"\r\n?")


class PlainTextField(forms.CharField):
    """Text as typed, without control characters; on one line unless `multiline`."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8, "cols": 60}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = LINE_BREAKS.sub("\n", super().to_python(value))
        if not self.multiline:
            value = value.replace("\n", " ").replace("\t", " ")
        return CONTROLS.sub("", value).strip()


class SuggestionFormBase(forms.Form):
    """The sender's contact and the honeypot, shared by both forms."""

    name = PlainTextField(label=_("Your name (optional)"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Your email (optional)"),
        required=False,
        max_length=254,
        help_text=_("Only the portal's editors see your name and email, to ask you about your message if needed."),
    )
    # For robots: hidden from people by CSS, from screen readers by aria-hidden and from the keyboard
    # by tabindex; a robot that fills every field fills it, and its message is dropped (see views).
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def caught_by_honeypot(self) -> bool:
        return bool(str(self.data.get("homepage", "")).strip())

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "homepage"]

    def suggestion(self) -> dict[str, str]:
        """What the service stores: the cleaned fields, without the honeypot."""
        return {key: value for key, value in self.cleaned_data.items() if key != "homepage"}


class SuggestInitiativeForm(SuggestionFormBase):
    title = PlainTextField(label=_("Name of the initiative"), max_length=300)
    website = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=500,
        help_text=_("The initiative's own page, if it has one."),
    )
    where = PlainTextField(
        label=_("Where (optional)"),
        required=False,
        max_length=1000,
        help_text=_("The countries or regions it serves."),
    )
    who = PlainTextField(
        label=_("Who (optional)"),
        required=False,
        max_length=1000,
        help_text=_("The organisations that run or fund it."),
    )
    message = PlainTextField(
        label=_("About the initiative"),
        multiline=True,
        max_length=5000,
        help_text=_("What it does, for whom and since when, and where we can check it (a link, a document)."),
    )

    field_order = ["title", "website", "where", "who", "message", "name", "email", "homepage"]


class CorrectionForm(SuggestionFormBase):
    message = PlainTextField(
        label=_("What should be corrected?"),
        multiline=True,
        max_length=5000,
        help_text=_("What is wrong, what is right, and where we can check it (a link, a document)."),
    )

    field_order = ["message", "name", "email", "homepage"]
