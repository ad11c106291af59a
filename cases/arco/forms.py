import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.filters import ListFilterSet
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


OPEN_STATUSES = [ArcoRequest.Status.RECEIVED, ArcoRequest.Status.IN_PROGRESS]


class ArcoRequestFilter(ListFilterSet):
    """The filters of the requests list (django-filter): open requests unless another status (or
    all) is chosen, by right exercised, overdue only."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*ArcoRequest.Status.choices, ("all", _("All"))],
        empty_label=_("Open"),
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Right exercised"), choices=ArcoRequest.Kind.choices, empty_label=_("Any")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    always = ("status",)

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
