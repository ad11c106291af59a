"""A person's record and identity documents, their household, and the people search and filter."""

from __future__ import annotations

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from orientation.dates import years_before
from orientation.models import District
from orientation.selectors import sites_visible_to
from orientation.versioning import VersionedFormMixin
from orientation.widgets import DayMonthYearInput, QuickSelect

from ..choices import Sex
from ..models import (
    IdentityDocument,
    Person,
    Vulnerability,
)
from ..selectors import household_get_by_code
from ..validators import document_number_normalize, phone_normalize

FREQUENT_NATIONALITIES = ["VE", "PE", "CO", "EC", "HT", "CU", "BO", "CL"]


DateInput = DayMonthYearInput  # the one date input (orientation/widgets.py)


def nationality_choices(blank: bool = True):
    """Countries with the most frequent ones first."""
    names = dict(countries)
    frequent = [(code, names[code]) for code in FREQUENT_NATIONALITIES if code in names]
    others = [(code, name) for code, name in countries if code not in FREQUENT_NATIONALITIES]
    choices = [(_("Most frequent"), frequent), (_("All countries"), others)]
    return [("", "—")] + choices if blank else choices


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class PersonForm(forms.ModelForm):
    """The person's own data; used to register and to edit."""

    age_estimate = forms.IntegerField(
        label=_("Or approximate age (years)"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("If the birth date is not known."),
    )

    class Meta:
        model = Person
        fields = [
            "given_names",
            "family_names",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationality",
            "population_type",
            "phone",
            "message_language",
            "district",
            "arrived_on",
            "site",
            "registered_on",
            "vulnerabilities",
        ]
        widgets = {
            "birth_date": DateInput(),
            "arrived_on": DateInput(),
            "registered_on": DateInput(),
            "vulnerabilities": forms.CheckboxSelectMultiple,
            "sex": forms.RadioSelect,
        }
        help_texts = {
            "family_names": _("Both family names, as on the document (the second one if there is one)."),
            "phone": _("Peruvian mobile (9 digits) or a foreign number with +country code."),
            "message_language": _("The language of the reminders sent by SMS or WhatsApp."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = sites_visible_to(user).order_by("code")
        self.fields["site"].empty_label = None
        if not self.instance.pk and self.fields["site"].queryset:
            self.fields["site"].initial = self.fields["site"].queryset[0].pk
        self.fields["district"].queryset = District.objects.order_by("department", "province", "name")
        self.fields["district"].label = _("District (UBIGEO)")
        self.fields["district"].label_from_instance = lambda d: f"{d.name} · {d.province} ({d.ubigeo})"
        self.fields["nationality"].choices = nationality_choices()
        self.fields["sex"].choices = Sex.choices
        self.fields["vulnerabilities"].queryset = Vulnerability.objects.order_by("name")
        self.fields["vulnerabilities"].required = False
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["message_language"].required = False
        for name in ("given_names", "family_names"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "autocapitalize": "words"})
        self.fields["registered_on"].help_text = _("Today, or the date of the paper form.")
        self.helper = _helper(
            Row(Column("given_names", css_class="col-md-6"), Column("family_names", css_class="col-md-6")),
            Row(
                Column("sex", css_class="col-md-4"),
                Column("birth_date", css_class="col-md-4"),
                Column("age_estimate", css_class="col-md-4"),
            ),
            "birth_date_estimated",
            Row(
                Column("nationality", css_class="col-md-6"),
                Column("population_type", css_class="col-md-6"),
            ),
            Row(
                Column("phone", css_class="col-md-4"),
                Column("message_language", css_class="col-md-3"),
                Column("district", css_class="col-md-5"),
            ),
            Row(
                Column("arrived_on", css_class="col-md-4"),
                Column("site", css_class="col-md-4"),
                Column("registered_on", css_class="col-md-4"),
            ),
            Div(Field("vulnerabilities"), css_class="vulnerability-grid", style="columns: 17rem 3"),
        )

    def clean_given_names(self):
        return " ".join(self.cleaned_data["given_names"].split())

    def clean_family_names(self):
        return " ".join(self.cleaned_data["family_names"].split())

    def clean_phone(self):
        return phone_normalize(self.cleaned_data.get("phone", ""))

    def clean_message_language(self):
        # Not posted (an older form, a client that does not know it): the record's, or Spanish.
        return self.cleaned_data.get("message_language") or self.instance.message_language or "es"

    def clean(self):
        cleaned = super().clean()
        age = cleaned.get("age_estimate")
        if age is not None and not cleaned.get("birth_date"):
            registered = cleaned.get("registered_on") or timezone.localdate()
            # Half a year before that birthday: the age is right on the registration date.
            cleaned["birth_date"] = years_before(registered, age) - timedelta(days=182)
            cleaned["birth_date_estimated"] = True
            self.instance.birth_date = cleaned["birth_date"]
            self.instance.birth_date_estimated = True
        return cleaned

    def _post_clean(self):
        # The estimated birth date is part of the instance before the model validates it.
        if self.cleaned_data.get("birth_date") is not None:
            self.instance.birth_date = self.cleaned_data["birth_date"]
        super()._post_clean()


class PersonEditForm(VersionedFormMixin, PersonForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=100,
        help_text=_("Optional, kept in the history (for example: typo, new phone)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append("change_reason")


class HouseholdForm(forms.Form):
    MODE_KEEP, MODE_NONE, MODE_NEW, MODE_JOIN = "keep", "none", "new", "join"
    mode = forms.ChoiceField(
        label=_("Household"),
        choices=[
            (MODE_NONE, _("No household recorded")),
            (MODE_NEW, _("New household, this person is the head")),
            (MODE_JOIN, _("Joins an existing household")),
        ],
        initial=MODE_NONE,
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=_("Household code"),
        required=False,
        max_length=20,
        help_text=_("Shown on the page of any member (for example H-7KQ2MX)."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the head"),
        required=False,
        choices=[("", "—")] + [c for c in Person.Relationship.choices if c[0] != Person.Relationship.HEAD],
    )
    address = forms.CharField(
        label=_("Household address or reference"),
        required=False,
        max_length=200,
        help_text=_("Shared by the household's members; a change here changes it for all of them."),
    )

    def __init__(self, *args, user, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.household = None
        if person is not None and person.household_id:
            # Editing someone already in a household: keeping it is the default.
            label = _("Keep household %(code)s") % {"code": person.household.code}
            self.fields["mode"].choices = [(self.MODE_KEEP, label), *self.fields["mode"].choices]
            self.fields["mode"].initial = self.MODE_KEEP
            self.fields["mode"].choices = [
                c for c in self.fields["mode"].choices if c[0] != self.MODE_NONE
            ] + [(self.MODE_NONE, _("Leaves the household"))]
            self.fields["relationship"].initial = person.relationship
            if person.relationship == Person.Relationship.HEAD:
                self.fields["relationship"].choices = [("", "—"), *Person.Relationship.choices]
        layout = [
            "mode",
            Row(Column("code", css_class="col-md-6"), Column("relationship", css_class="col-md-6")),
        ]
        if person is None:
            layout.append("address")  # at registration; on the edit page the household keeps its own
        else:
            del self.fields["address"]
        self.helper = _helper(*layout)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.MODE_JOIN:
            self.household = household_get_by_code(self.user, cleaned.get("code", ""))
            if self.household is None:
                self.add_error("code", _("There is no household with this code at your sites."))
            if not cleaned.get("relationship"):
                self.add_error(
                    "relationship", _("Say how this person is related to the head of the household.")
                )
        return cleaned


class DocumentForm(forms.ModelForm):
    """An identity document (optional at registration)."""

    class Meta:
        model = IdentityDocument
        fields = ["doc_type", "number", "issuing_country", "expires_on"]
        widgets = {"expires_on": DateInput()}

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        self.fields["doc_type"].required = not optional
        self.fields["number"].required = not optional
        self.fields["issuing_country"].choices = nationality_choices()
        self.fields["number"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.helper = _helper(
            Row(
                Column("doc_type", css_class="col-md-3"),
                Column("number", css_class="col-md-3"),
                Column("issuing_country", css_class="col-md-3"),
                Column("expires_on", css_class="col-md-3"),
            )
        )

    @property
    def is_blank(self) -> bool:
        return self.optional and not (self.cleaned_data.get("number") or self.cleaned_data.get("doc_type"))

    def clean_number(self):
        return document_number_normalize(self.cleaned_data.get("number", ""))

    def clean(self):
        cleaned = super().clean()
        doc_type, number = cleaned.get("doc_type"), cleaned.get("number")
        if self.optional and bool(doc_type) != bool(number):
            if doc_type:
                self.add_error("number", _("Write the document number."))
            else:
                self.add_error("doc_type", _("Choose the document type."))
        if doc_type and number:
            others = IdentityDocument.objects.filter(doc_type=doc_type, number=number)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "number",
                    _("A document of this type with this number is already registered for someone else."),
                )
        return cleaned

    def _post_clean(self):
        if self.optional and not (self.cleaned_data.get("number") or self.cleaned_data.get("doc_type")):
            return  # nothing to validate: no document given
        super()._post_clean()


class ExtraDocumentFormSet(forms.BaseFormSet):
    """More identity documents at registration ("add another"), after the first one. Rows left
    blank are ignored; a page posted without the formset (an older form) has none."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and f"{kwargs.get('prefix', 'documents')}-TOTAL_FORMS" not in data:
            data = None
        super().__init__(data, *args, **kwargs)

    def filled(self) -> list[IdentityDocument]:
        if not self.is_bound:
            return []
        return [form.instance for form in self.forms if form.is_valid() and not form.is_blank]


MAX_REGISTRATION_DOCUMENTS = 6
ExtraDocuments = forms.formset_factory(
    DocumentForm,
    formset=ExtraDocumentFormSet,
    extra=0,
    max_num=MAX_REGISTRATION_DOCUMENTS - 1,
    validate_max=True,
    # A post claiming more forms is refused without building them (Django's default would build
    # and show up to a thousand).
    absolute_max=MAX_REGISTRATION_DOCUMENTS - 1,
)


class PersonSearchForm(forms.Form):
    """The search box. It posts: document and phone numbers never go into a URL."""

    q = forms.CharField(
        label=_("Name, document or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("Name, document or phone")}
        ),
    )


class PersonFilterForm(forms.Form):
    """How the people list's filters look. Their fields (and what they do) are those of
    ``cases.filters.PersonFilter`` (django-filter), which builds this form with them: quick
    selects and check boxes, and how many filters are on."""

    SELECTS = ("status", "site", "nationality", "population_type", "vulnerability", "age_band", "sort")
    STATIC_SELECTS = (
        "status",
        "nationality",
        "population_type",
        "age_band",
        "sort",
    )  # fixed lists, cached markup
    CHECKS = ("open_referrals", "archived")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SELECTS:
            widget = QuickSelect(
                attrs={"class": "form-select form-select-sm"}, static=name in self.STATIC_SELECTS
            )
            widget.choices = self.fields[name].choices
            self.fields[name].widget = widget
        for name in self.CHECKS:
            self.fields[name].widget.attrs["class"] = "form-check-input"

    @property
    def selects(self):
        return [self[name] for name in self.SELECTS]

    @property
    def checks(self):
        return [self[name] for name in self.CHECKS]

    @property
    def active_count(self) -> int:
        """How many filters are on (the order is not one); none when any value is out of place."""
        if not self.is_valid():
            return 0
        return sum(1 for name, value in self.cleaned_data.items() if value and name != "sort")
