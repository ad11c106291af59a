from django import forms
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args, alive_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alive_count = alive_count

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if self.alive_count >= MAX_TOKENS:
            raise forms.ValidationError(
                _("You already have %(n)s active tokens: revoke one first.") % {"n": MAX_TOKENS}
            )
        return cleaned
