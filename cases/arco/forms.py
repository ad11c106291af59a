from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.versioning import VersionedFormMixin
from orientation.widgets import DayMonthYearInput

from .models import ArcoRequest


class ArcoRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Right exercised"), choices=ArcoRequest.Kind.choices)
    received_on = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        widget=DayMonthYearInput(),
        help_text=_("The due date is counted from this day."),
    )

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ArcoRequestUpdateForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ArcoRequest.Status.choices)
    resolution = forms.CharField(
        label=_("Resolution"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done and when the person was answered. No document numbers."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ArcoRequest.Status.REJECTED and not cleaned.get("resolution"):
            self.add_error("resolution", _("Say why the request is rejected."))
        return cleaned


class AnonymizeConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this erases the person's personal data for good and cannot be undone."),
        required=True,
    )


class ArcoFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open"))] + list(ArcoRequest.Status.choices) + [("all", _("All"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Right exercised"), choices=[("", _("Any"))] + list(ArcoRequest.Kind.choices), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
