"""Forms of the reception desk: check-in, quick registration, the caller's desk."""

from __future__ import annotations

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import DocumentType, PopulationType, Sex
from cases.forms.people import nationality_choices
from cases.models import Area, Consent, IdentityDocument, Person, Vulnerability
from cases.validators import document_number_normalize, phone_normalize
from orientation.widgets import DayMonthYearInput

from .models import PRIORITY_VULNERABILITIES


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class CheckInForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    appointment = forms.ModelChoiceField(
        label=_("Today's appointment"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("No: a visit without an appointment"),
        help_text=_("Checked in for an appointment, the person waits ahead of walk-ins."),
    )
    area = forms.ChoiceField(
        label=_("Reason for the visit"),
        choices=Area.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    returning = forms.BooleanField(
        label=_("Returning for an appointment or a follow-up"),
        required=False,
        help_text=_("Called ahead of walk-ins of the same line."),
    )
    manual_priority = forms.BooleanField(
        label=_("Priority (mark it when you see a need the record does not show)"),
        required=False,
    )

    def __init__(self, *args, sites, appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["appointment"].queryset = appointments
        self.fields["appointment"].label_from_instance = lambda a: (
            f"{a.time:%H:%M} · {a.get_area_display()} · {a.staff.get_full_name() or a.staff.username}"
        )
        fields = ["site", "area", "returning", "manual_priority"]
        if appointments.exists():
            fields.insert(1, "appointment")
        else:
            del self.fields["appointment"]
        self.helper = _helper(*fields)

    def clean(self):
        data = super().clean()
        if not data.get("appointment") and not data.get("area"):
            self.add_error("area", _("Choose the reason for the visit."))
        return data


class QuickRegistrationForm(forms.ModelForm):
    """The few fields a receptionist takes at the door; the caseworker completes the rest."""

    doc_type = forms.ChoiceField(
        label=_("Document type"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=30, required=False)
    contact_consent = forms.BooleanField(
        label=_("Agrees to receive appointment reminders by SMS or WhatsApp"),
        required=False,
        help_text=_("Only day, time and place are sent. Withdrawing this consent stops the reminders."),
    )
    priority_vulnerabilities = forms.ModelMultipleChoiceField(
        label=_("Needs that give priority"),
        queryset=Vulnerability.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = [
            "given_names",
            "family_names",
            "sex",
            "birth_date",
            "nationality",
            "population_type",
            "phone",
            "message_language",
        ]
        widgets = {"birth_date": DayMonthYearInput()}

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.site = site
        self.fields["nationality"] = forms.ChoiceField(
            label=_("Nationality"), choices=nationality_choices(), initial="VE"
        )
        self.fields["sex"].choices = [("", "—"), *Sex.choices]
        self.fields["population_type"].choices = [("", "—"), *PopulationType.choices]
        self.fields["message_language"].required = False
        self.fields["priority_vulnerabilities"].queryset = Vulnerability.objects.filter(
            code__in=PRIORITY_VULNERABILITIES
        ).order_by("code")
        self.helper = _helper(
            Row(Column("given_names", css_class="col-md-6"), Column("family_names", css_class="col-md-6")),
            Row(
                Column("sex", css_class="col-md-4"),
                Column("birth_date", css_class="col-md-4"),
                Column("nationality", css_class="col-md-4"),
            ),
            Row(
                Column("population_type", css_class="col-md-4"),
                Column("phone", css_class="col-md-4"),
                Column("message_language", css_class="col-md-4"),
            ),
            Row(Column("doc_type", css_class="col-md-6"), Column("doc_number", css_class="col-md-6")),
            "priority_vulnerabilities",
            "contact_consent",
        )

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return phone_normalize(value) if value else ""

    def clean_message_language(self):
        # Not posted (an older form, a client that does not know it): the record's, or Spanish.
        return self.cleaned_data.get("message_language") or self.instance.message_language or "es"

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        doc_type, number = data.get("doc_type"), (data.get("doc_number") or "").strip()
        if number and not doc_type:
            self.add_error("doc_type", _("Choose the type of the document."))
        elif doc_type and not number:
            self.add_error("doc_number", _("Write the document number, or leave the type empty."))
        elif number:
            data["doc_number"] = document_number_normalize(number)
        return data

    def consents(self) -> list[Consent]:
        if not self.cleaned_data.get("contact_consent"):
            return []
        return [Consent(purpose=Consent.Purpose.CONTACT, method=Consent.Method.VERBAL)]

    def document(self) -> IdentityDocument | None:
        data = self.cleaned_data
        if not data.get("doc_type") or not data.get("doc_number"):
            return None
        return IdentityDocument(doc_type=data["doc_type"], number=data["doc_number"])


class DeskForm(forms.Form):
    """The desk a caller calls people to (remembered for the session)."""

    desk = forms.CharField(
        label=_("Your desk"),
        max_length=20,
        error_messages={"required": _("Write your desk number before calling.")},
    )

    def clean_desk(self):
        return self.cleaned_data["desk"].strip()


class AppointmentForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    area = forms.ChoiceField(label=_("Service area"), choices=Area.choices)
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=None,
        error_messages={"required": _("Choose a caseworker or specialist who works at this site.")},
    )
    day = forms.DateField(label=_("Date"), widget=DayMonthYearInput())
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("The appointment cannot be in the past."))
        if day > today + timedelta(days=366):
            raise forms.ValidationError(_("Choose a day within the next year."))
        return day

    def __init__(self, *args, sites, staff, reschedule: bool = False, plan_actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.username
        fields = ["staff", Row(Column("day", css_class="col-6"), Column("time", css_class="col-6"))]
        if reschedule:
            del self.fields["site"], self.fields["area"]
        else:
            fields = ["site", "area", *fields]
        # The open actions of the person's case plan (offered to case workers only: a receptionist
        # never sees plans); the action is done when the person keeps the appointment.
        if plan_actions is not None and not reschedule and plan_actions.exists():
            field = forms.ModelChoiceField(
                label=_("Action of the case plan it serves"),
                queryset=plan_actions,
                required=False,
                help_text=_("The action is marked done when the person keeps the appointment."),
            )
            field.label_from_instance = lambda a: f"{a.get_area_display()}: {a.description}"
            self.fields["plan_action"] = field
            fields.append("plan_action")
        self.helper = _helper(*fields)
