"""Forms of the youth sport program. They validate and render; the actions in actions.py write."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases.choices import AgeBand, PopulationType, Sex
from cases.models import Consent
from orientation import roles
from orientation.models import Site
from orientation.versioning import VersionedFormMixin
from orientation.widgets import DayMonthYearInput

from . import selectors
from .models import SportGroup, SportSession

COMMON_NATIONALITIES = ["VE", "PE", "CO", "EC"]
RADIO_BUTTONS = "sport/includes/_radio_buttons.html"

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ]{5,18}$", _("Enter a phone number with digits only, e.g. 987 654 321.")
)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class SportGroupForm(VersionedFormMixin, forms.ModelForm):
    facilitators = UserChoiceField(
        label=_("Facilitators"),
        queryset=selectors.sport_facilitator_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Facilitators must work at the group's site."),
    )

    class Meta:
        model = SportGroup
        fields = ["program", "site", "name", "age_min", "age_max", "facilitators", "active"]
        labels = {
            "program": _("Program"),
            "site": _("School or venue"),
            "name": _("Group name"),
            "age_min": _("Minimum age"),
            "age_max": _("Maximum age"),
            "active": _("Active"),
        }
        help_texts = {
            "name": _("For example: Sub-12 girls, Tuesdays."),
            "active": _("Inactive groups are hidden from the list and take no new sessions."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = selectors.sport_program_choices(user)
        self.fields["site"].queryset = selectors.sport_site_choices(user).order_by("code")
        works_here = Q(site_memberships__site__in=self.fields["site"].queryset)
        if self.instance.pk is not None:
            works_here |= Q(pk__in=self.instance.facilitators.values("pk"))
        self.fields["facilitators"].queryset = selectors.sport_facilitator_choices().filter(works_here)
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs.update({"min": 3, "max": 25, "inputmode": "numeric"})
        if self.instance.pk is None:
            del self.fields["active"]
            balon = self.fields["program"].queryset.filter(code="BALON").first()
            if balon is not None:
                self.initial.setdefault("program", balon.pk)
            sites = list(self.fields["site"].queryset.values_list("pk", flat=True)[:2])
            if len(sites) == 1:
                self.initial.setdefault("site", sites[0])
            if roles.has_role(user, roles.FACILITATOR):
                self.initial.setdefault("facilitators", [user.pk])
        self.helper = _helper(
            "program",
            "site",
            "name",
            Div(Div("age_min", css_class="col-6"), Div("age_max", css_class="col-6"), css_class="row"),
            "facilitators",
            *(["active"] if "active" in self.fields else []),
        )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("age_min"), cleaned.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The maximum age must be at least the minimum age."))
        for name in ("age_min", "age_max"):
            value = cleaned.get(name)
            if value is not None and not 3 <= value <= 25:
                self.add_error(name, _("Ages go from 3 to 25."))
        return cleaned


class SportSessionForm(forms.ModelForm):
    facilitators = UserChoiceField(
        label=_("Facilitators"),
        queryset=selectors.sport_facilitator_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SportSession
        fields = ["date", "activity", "topic", "facilitators"]
        labels = {"date": _("Date"), "activity": _("Activity"), "topic": _("Topic")}
        help_texts = {"topic": _("Optional: what the session worked on, e.g. teamwork, passing.")}
        widgets = {
            "date": DayMonthYearInput(),
            "activity": forms.RadioSelect,
        }

    def __init__(self, *args, group: SportGroup, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date"].initial = today
        self.fields["activity"].initial = "soccer_clinic"
        self.fields["activity"].choices = [c for c in self.fields["activity"].choices if c[0]]
        self.fields["facilitators"].queryset = selectors.sport_facilitator_choices().filter(
            site_memberships__site=group.site
        )
        facilitator_ids = [u.pk for u in group.facilitators.all()]
        if user.pk in set(self.fields["facilitators"].queryset.values_list("pk", flat=True)):
            facilitator_ids = sorted(set(facilitator_ids) | {user.pk})
        self.fields["facilitators"].initial = facilitator_ids
        self.helper = _helper("date", Field("activity", template=RADIO_BUTTONS), "topic", "facilitators")


def _nationality_choices():
    first = [(code, countries.name(code)) for code in COMMON_NATIONALITIES]
    rest = [(code, name) for code, name in countries if code not in COMMON_NATIONALITIES]
    return [("", "---------"), *first, ("", "──────────"), *rest]


class LightProfileForm(forms.Form):
    """A new young participant, registered at the pitch with their guardian's consent."""

    given_names = forms.CharField(label=_("Given names"), max_length=120)
    family_names = forms.CharField(label=_("Family names"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Birth date"), widget=DayMonthYearInput())
    birth_date_estimated = forms.BooleanField(label=_("The birth date is estimated"), required=False)
    nationality = forms.ChoiceField(label=_("Nationality"))
    population_type = forms.ChoiceField(
        label=_("Population type"), choices=[("", "---------"), *PopulationType.choices]
    )
    school = forms.ModelChoiceField(label=_("School"), queryset=Site.objects.none(), required=False)
    guardian_name = forms.CharField(label=_("Parent or guardian's name"), max_length=200, required=False)
    guardian_relationship = forms.CharField(
        label=_("Relationship to the participant"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"list": "guardian-relationships", "autocomplete": "off"}),
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), choices=Consent.Method.choices, initial=Consent.Method.WRITTEN
    )
    data_consent = forms.BooleanField(
        label=_("The parent or guardian consents to the processing of the participant's data"),
        required=False,
        help_text=_("Required to register anyone under 18."),
    )
    image_consent = forms.BooleanField(
        label=_("The parent or guardian consents to the use of the participant's image (photos, video)"),
        required=False,
    )
    confirm_new = forms.BooleanField(
        label=_("This is a different person: register them anyway"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, session: SportSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = _nationality_choices()
        self.fields["school"].queryset = Site.objects.filter(kind=Site.Kind.SCHOOL, active=True).order_by(
            "code"
        )
        if session.site.kind == Site.Kind.SCHOOL:
            self.fields["school"].initial = session.site_id
        self.helper = _helper(
            Fieldset(
                _("Participant"),
                Div(
                    Div("given_names", css_class="col-sm-6"),
                    Div("family_names", css_class="col-sm-6"),
                    css_class="row",
                ),
                Field("sex", template=RADIO_BUTTONS),
                Div(
                    Div("birth_date", css_class="col-sm-6"),
                    Div("birth_date_estimated", css_class="col-sm-6 pt-sm-4"),
                    css_class="row",
                ),
                Div(
                    Div("nationality", css_class="col-sm-6"),
                    Div("population_type", css_class="col-sm-6"),
                    css_class="row",
                ),
                "school",
            ),
            Fieldset(
                _("Parent or guardian and consent"),
                "guardian_name",
                Div(
                    Div("guardian_relationship", css_class="col-sm-6"),
                    Div("guardian_phone", css_class="col-sm-6"),
                    css_class="row",
                ),
                "consent_method",
                Div(
                    "data_consent",
                    "image_consent",
                    css_class="border rounded px-3 pt-3 mb-3 bg-body-tertiary",
                ),
                "confirm_new",
            ),
        )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value.year < timezone.localdate().year - 100:
            raise forms.ValidationError(_("Check the birth date: it is more than 100 years ago."))
        return value

    def clean_given_names(self):
        return " ".join(self.cleaned_data["given_names"].split())

    def clean_family_names(self):
        return " ".join(self.cleaned_data["family_names"].split())

    def show_confirm_new(self):
        """Let the user confirm a new record after possible duplicates were shown."""
        self.fields["confirm_new"].widget = forms.CheckboxInput()


class HeadCountForm(forms.Form):
    """An anonymous head count: how many people by sex and age band, no names."""

    def __init__(self, *args, initial_counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_counts = initial_counts or {}
        for band in AgeBand.values:
            for sex in Sex.values:
                self.fields[self._name(sex, band)] = forms.IntegerField(
                    label=f"{Sex(sex).label} {AgeBand(band).label}",
                    min_value=0,
                    max_value=10000,
                    required=False,
                    initial=initial_counts.get(f"{sex}:{band}") or None,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "placeholder": "0"}),
                )

    @staticmethod
    def _name(sex: str, band: str) -> str:
        return f"hc_{sex}_{band}".replace("-", "_").replace("+", "plus")

    def grid(self):
        """Rows by age band, a field per sex; for the template."""
        return [
            {"band": AgeBand(band).label, "fields": [self[self._name(sex, band)] for sex in Sex.values]}
            for band in AgeBand.values
        ]

    def sexes(self):
        return [(sex, Sex(sex).label) for sex in Sex.values]

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (sex, band): self.cleaned_data.get(self._name(sex, band)) or 0
            for band in AgeBand.values
            for sex in Sex.values
        }
