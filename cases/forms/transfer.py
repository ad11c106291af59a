"""Forms of transfers and shares between sites (docs/transfer.md)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orientation import limits

from ..models import SiteRequest
from .people import DateInput, _helper


class SiteRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to do"),
        choices=[
            (SiteRequest.Kind.TRANSFER, _("Transfer: the case moves to the other site")),
            (SiteRequest.Kind.SHARE, _("Share: the other site works on the case too, until a date")),
        ],
        widget=forms.RadioSelect,
        initial=SiteRequest.Kind.TRANSFER,
    )
    to_site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    share_until = forms.DateField(
        label=_("Shared until"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a share: its last day, at most %(days)d days from today.")
        % {"days": SiteRequest.MAX_SHARE_DAYS},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case should move or be shared: the receiving site reads it."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_site"].queryset = sites
        self.helper = _helper("kind", "to_site", "share_until", "reason")

    def clean(self):
        data = super().clean()
        if data.get("kind") == SiteRequest.Kind.SHARE and not data.get("share_until"):
            if "share_until" not in self.errors:
                self.add_error("share_until", _("Choose the last day of the share."))
        return data


class SiteRequestDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=limits.REASON, required=False)
