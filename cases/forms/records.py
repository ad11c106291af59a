"""What is added to a case: intakes, case notes, consents, regularization status; archiving and
breaking the glass."""

from __future__ import annotations

from crispy_forms.layout import Column, Div, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation import limits
from orientation.selectors import sites_visible_to

from ..models import (
    Area,
    CaseNote,
    CaseStatusChange,
    Consent,
    Intake,
    Person,
    RegularizationStatus,
)
from .people import DateInput, _helper


class RegularizationStatusForm(forms.ModelForm):
    class Meta:
        model = RegularizationStatus
        fields = ["status", "since", "expires_on", "notes"]
        widgets = {"since": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        self.fields["status"].required = not optional
        self.fields["status"].label = _("Migratory status")
        self.helper = _helper(
            Row(
                Column("status", css_class="col-md-4"),
                Column("since", css_class="col-md-4"),
                Column("expires_on", css_class="col-md-4"),
            ),
            "notes",
        )

    @property
    def is_blank(self) -> bool:
        return self.optional and not self.cleaned_data.get("status")

    def _post_clean(self):
        if self.optional and not self.cleaned_data.get("status"):
            return
        super()._post_clean()


class ConsentForm(forms.ModelForm):
    """Consent for one purpose, given by the person or (under 14, required) a guardian."""

    class Meta:
        model = Consent
        fields = ["purpose", "method", "given_on", "given_by", "guardian_name", "guardian_relationship"]
        widgets = {"given_on": DateInput(), "given_by": forms.RadioSelect}

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None:
            self.instance.person = person
        self.helper = _helper(
            Row(
                Column("purpose", css_class="col-md-4"),
                Column("method", css_class="col-md-4"),
                Column("given_on", css_class="col-md-4"),
            ),
            "given_by",
            Row(
                Column("guardian_name", css_class="col-md-6"),
                Column("guardian_relationship", css_class="col-md-6"),
            ),
        )


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for archiving"),
        max_length=300,
        help_text=_("For example: registered twice, moved away. The file is kept, out of lists."),
    )


class IntakeForm(forms.ModelForm):
    """A visit: needs by area (a box and a detail for each), priority and population type."""

    class Meta:
        model = Intake
        fields = ["date", "site", "priority", "population_type", "notes"]
        widgets = {
            "date": DateInput(),
            "priority": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"population_type": _("As the person says today; it can change between visits.")}

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["site"].queryset = sites_visible_to(user).order_by("code")
        self.fields["site"].empty_label = None
        if not self.is_bound:
            sites = list(self.fields["site"].queryset)
            default = next((s for s in sites if s.pk == person.site_id), sites[0] if sites else None)
            self.initial.setdefault("site", default.pk if default else None)
            self.initial.setdefault("population_type", person.population_type)
            self.initial.setdefault("date", timezone.localdate())
        need_rows = []
        for area, label in Area.choices:
            self.fields[f"need_{area}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"need_{area}_detail"] = forms.CharField(
                label=_("Detail"), required=False, max_length=300
            )
            need_rows.append(
                Row(
                    Column(f"need_{area}", css_class="col-md-4 pt-md-4"),
                    Column(f"need_{area}_detail", css_class="col-md-8"),
                    css_class="need-row",
                )
            )
        self.helper = _helper(
            Row(Column("date", css_class="col-md-6"), Column("site", css_class="col-md-6")),
            Div(*need_rows, css_class="needs mb-3"),
            Row(Column("priority", css_class="col-md-6"), Column("population_type", css_class="col-md-6")),
            "notes",
        )

    def clean(self):
        cleaned = super().clean()
        if not self.needs():
            raise forms.ValidationError(_("Tick at least one area of need."))
        return cleaned

    def needs(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {
            area: data.get(f"need_{area}_detail", "")
            for area in Area.values
            if data.get(f"need_{area}") or data.get(f"need_{area}_detail")
        }


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "kind": forms.RadioSelect}

    def __init__(self, *args, can_write_psychosocial: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_write_psychosocial:
            self.fields["kind"].choices = [(CaseNote.Kind.GENERAL, CaseNote.Kind.GENERAL.label)]
            self.fields["kind"].widget = forms.HiddenInput()
        self.fields["kind"].initial = CaseNote.Kind.GENERAL
        self.helper = _helper("kind", "text")


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this file?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_(
            "At least 15 characters. It is kept in the access log with your name and the time. "
            "Do not write names or document numbers."
        ),
    )


class CaseCloseForm(forms.Form):
    """Closing a case: why, and (for "other") a few words; an optional note; and, when something
    is still open for the person, that the caseworker has seen it."""

    reason = forms.ChoiceField(
        label=_("Why is the case closed?"), choices=CaseStatusChange.Reason.choices, widget=forms.RadioSelect
    )
    reason_other = forms.CharField(
        label=_("Other reason"),
        max_length=200,
        required=False,
        help_text=_("Required when the reason is “Other”: a few words."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 2})
    )
    items_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have seen what is still open and want to close the case."), required=False
    )

    def __init__(self, *args, open_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_items = list(open_items)
        self.fields["items_seen"].initial = ",".join(item.key for item in self.open_items)
        if not self.open_items:
            del self.fields["confirm"]

    def clean(self):
        data = super().clean()
        if data.get("reason") == CaseStatusChange.Reason.OTHER and not " ".join(
            (data.get("reason_other") or "").split()
        ):
            self.add_error("reason_other", _("Write the reason in a few words."))
        if self.open_items and not data.get("confirm"):
            self.add_error("confirm", _("Check the box to confirm that you have seen what is still open."))
        return data

    def seen_keys(self) -> set[str]:
        return {k for k in (self.cleaned_data.get("items_seen") or "").split(",") if k}


class CaseReopenForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: came back for a new need."),
    )
