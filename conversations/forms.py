from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Message


class MessageForm(forms.Form):
    """The message box. The length limit is checked by the service
    (clean_body) so that a 20,000-character paste gets a clear message and
    keeps what was typed; the browser's maxlength only helps."""

    body = forms.CharField(
        label=_("Your message"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Message.MAX_LENGTH, "dir": "auto"}),
    )


class RiskPhraseForm(forms.Form):
    phrase = forms.CharField(label=_("Word or phrase"), required=False, max_length=400)
