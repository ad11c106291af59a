from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from orientation.mfa.actions import totp_device_verify

EXPIRY_CHOICES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (365, _("1 year")),
]
MAX_TOKENS = 20


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “monthly spreadsheet”.")
    )
    days = forms.TypedChoiceField(label=_("Expires in"), choices=EXPIRY_CHOICES, coerce=int, initial=90)

    def __init__(self, *args, alive_count: int = 0, device=None, **kwargs):
        """``device``: the user's confirmed second-factor device, if any. A token acts as its user
        without the second factor, so creating one asks for a fresh code."""
        super().__init__(*args, **kwargs)
        self.alive_count = alive_count
        self.device = device
        if device is not None:
            self.fields["code"] = forms.CharField(
                label=_("Six-digit code from your authenticator app"),
                help_text=_("A token works without your second factor, so creating one asks for it again."),
                max_length=6,
                min_length=6,
                validators=[RegexValidator(r"^[0-9]{6}$", _("Type the six digits shown in the app."))],
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
                ),
            )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not totp_device_verify(device=self.device, token=code):
            raise forms.ValidationError(
                _("That code is not right or has expired. Type the code your app shows now.")
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if self.alive_count >= MAX_TOKENS:
            raise forms.ValidationError(
                _("You already have %(n)s active tokens: revoke one first.") % {"n": MAX_TOKENS}
            )
        return cleaned
