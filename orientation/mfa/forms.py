from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", _("Type the six digits shown in the app."))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())
