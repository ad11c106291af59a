"""The registration page: the person, documents and consent in one submission, and the
duplicate check before saving."""

from __future__ import annotations

from datetime import date

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.widgets import DayMonthYearInput

from ..choices import Sex
from ..models import (
    GUARDIAN_CONSENT_AGE,
    Consent,
    IdentityDocument,
)
from ..selectors import household_get_by_code
from .people import DocumentForm, ExtraDocuments, HouseholdForm, PersonForm, _helper
from .records import RegularizationStatusForm


class RegistrationConsentForm(forms.Form):
    """Consents recorded at registration: data processing (required) and the others."""

    purposes = forms.MultipleChoiceField(
        label=_("The person agrees to"),
        choices=Consent.Purpose.choices,
        initial=[Consent.Purpose.DATA_PROCESSING, Consent.Purpose.REFERRAL_SHARING],
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("How it was given"), choices=Consent.Method.choices)
    given_by = forms.ChoiceField(
        label=_("Given by"),
        choices=Consent.GivenBy.choices,
        initial=Consent.GivenBy.SELF,
        widget=forms.RadioSelect,
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), required=False, max_length=200)
    guardian_relationship = forms.CharField(label=_("Guardian's relationship"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "purposes",
            Row(Column("method", css_class="col-md-6"), Column("given_by", css_class="col-md-6")),
            Row(
                Column("guardian_name", css_class="col-md-6"),
                Column("guardian_relationship", css_class="col-md-6"),
            ),
        )

    def clean_purposes(self):
        purposes = self.cleaned_data["purposes"]
        if Consent.Purpose.DATA_PROCESSING not in purposes:
            raise forms.ValidationError(
                _("Consent to the processing of personal data is needed to register.")
            )
        return purposes

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("given_by") == Consent.GivenBy.GUARDIAN
            and not cleaned.get("guardian_name", "").strip()
        ):
            self.add_error("guardian_name", _("Write the name of the parent or guardian who gave consent."))
        return cleaned

    def check_age(self, birth_date: date | None, on: date) -> None:
        """Under 14, a guardian must give consent (the person form knows the birth date)."""
        if not birth_date or not hasattr(self, "cleaned_data"):
            return
        from ..choices import age_on

        age = age_on(birth_date, on)
        if age is not None and age < GUARDIAN_CONSENT_AGE and self.cleaned_data.get("given_by") != "guardian":
            self.add_error("given_by", _("Under 14, consent must be given by a parent or guardian."))

    def build(self, on: date) -> list[Consent]:
        data = self.cleaned_data
        return [
            Consent(
                purpose=purpose,
                method=data["method"],
                given_on=on,
                given_by=data["given_by"],
                guardian_name=data.get("guardian_name", "") if data["given_by"] == "guardian" else "",
                guardian_relationship=data.get("guardian_relationship", "")
                if data["given_by"] == "guardian"
                else "",
            )
            for purpose in data["purposes"]
        ]


class RegistrationForms:
    """The registration page: person, household, document, status and consent, validated together."""

    def __init__(
        self, data=None, *, user, initial_household: dict | None = None, initial_person: dict | None = None
    ):
        self.user = user
        self.person = PersonForm(data, user=user, prefix="person", initial=initial_person)
        self.household = HouseholdForm(data, user=user, prefix="household", initial=initial_household)
        self.document = DocumentForm(data, optional=True, prefix="document")
        self.more_documents = ExtraDocuments(data, prefix="documents", form_kwargs={"optional": True})
        self.status = RegularizationStatusForm(data, optional=True, prefix="status")
        self.consent = RegistrationConsentForm(data, prefix="consent")
        self.status.fields["since"].required = False

    @property
    def all(self):
        return [self.person, self.household, self.document, self.status, self.consent]

    @property
    def documents(self) -> list[IdentityDocument]:
        """The documents given (the first one and those added), once valid."""
        first = [] if self.document.is_blank else [self.document.instance]
        return first + self.more_documents.filled()

    def _check_documents_differ(self) -> bool:
        seen = set()
        if self.document.is_valid() and not self.document.is_blank:
            seen.add((self.document.cleaned_data["doc_type"], self.document.cleaned_data["number"]))
        ok = True
        for form in self.more_documents.forms:
            if not form.is_valid() or form.is_blank:
                continue
            pair = (form.cleaned_data["doc_type"], form.cleaned_data["number"])
            if pair in seen:
                form.add_error("number", _("This document is already in the list."))
                ok = False
            seen.add(pair)
        return ok

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.all])
        valid = (not self.more_documents.is_bound or self.more_documents.is_valid()) and valid
        valid = self._check_documents_differ() and valid
        if self.person.is_valid() and self.consent.is_valid():
            registered = self.person.cleaned_data.get("registered_on") or timezone.localdate()
            self.consent.check_age(self.person.cleaned_data.get("birth_date"), registered)
            valid = valid and self.consent.is_valid()
        return valid

    def duplicate_query(self) -> dict | None:
        """What to look for duplicates with, from whatever is valid so far (None without names)."""
        self.person.is_valid()
        self.document.is_valid()
        data = getattr(self.person, "cleaned_data", {})
        given, family = data.get("given_names"), data.get("family_names")
        if not given or not family:
            return None
        raw_phone = self.person.data.get("person-phone", "")
        household = None
        if self.household.is_valid() and self.household.cleaned_data.get("mode") == HouseholdForm.MODE_JOIN:
            household = self.household.household
        return {
            "given_names": given,
            "family_names": family,
            "birth_date": data.get("birth_date"),
            "birth_date_estimated": bool(data.get("birth_date_estimated")),
            "document_number": self.document.data.get("document-number", ""),
            "phone": data.get("phone") or raw_phone,
            "sex": data.get("sex") or "",
            "nationality": data.get("nationality") or "",
            "household_id": household.pk if household else None,
        }

    @property
    def errors_count(self) -> int:
        extra = (
            sum(len(form.errors) for form in self.more_documents.forms) if self.more_documents.is_bound else 0
        )
        if self.more_documents.is_bound:
            extra += len(self.more_documents.non_form_errors())
        return sum(len(form.errors) for form in self.all) + extra


class DuplicateCheckForm(forms.Form):
    """The fields the as-you-type duplicate check reads (posted, never in a URL)."""

    given_names = forms.CharField(required=False, max_length=120)
    family_names = forms.CharField(required=False, max_length=120)
    birth_date = forms.DateField(required=False, widget=DayMonthYearInput())
    birth_date_estimated = forms.BooleanField(required=False)
    document_number = forms.CharField(required=False, max_length=30)
    phone = forms.CharField(required=False, max_length=30)
    sex = forms.ChoiceField(required=False, choices=[("", "")] + Sex.choices)
    nationality = forms.CharField(required=False, max_length=2)
    household_mode = forms.CharField(required=False, max_length=10)
    household_code = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def from_registration(cls, data, *, user):
        return cls(
            {
                "given_names": data.get("person-given_names", ""),
                "family_names": data.get("person-family_names", ""),
                "birth_date": data.get("person-birth_date", ""),
                "birth_date_estimated": data.get("person-birth_date_estimated", ""),
                "document_number": data.get("document-number", ""),
                "phone": data.get("person-phone", ""),
                "sex": data.get("person-sex", ""),
                "nationality": data.get("person-nationality", ""),
                "household_mode": data.get("household-mode", ""),
                "household_code": data.get("household-code", ""),
            },
            user=user,
        )

    def query(self) -> dict:
        """The arguments of ``person_duplicate_candidates`` (the household being joined, if any)."""
        data = dict(self.cleaned_data)
        mode, code = data.pop("household_mode"), data.pop("household_code")
        household = household_get_by_code(self.user, code) if mode == HouseholdForm.MODE_JOIN else None
        data["household_id"] = household.pk if household else None
        return data
