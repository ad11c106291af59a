"""Forms of the services app. They validate input and render; the actions do the writing."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Area
from orientation import limits
from orientation.models import Program, Site
from orientation.versioning import VersionedFormMixin
from orientation.widgets import DayMonthYearInput

from .models import Partner, PsychosocialSession, Referral, ServiceType
from .selectors import (
    REFERRAL_EVENT_KINDS,
    SERVICE_EVENT_KINDS,
    program_areas_counted,
    programs_active_on,
)

DateInput = DayMonthYearInput  # the one date input (orientation/widgets.py)


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class _CrispyMixin:
    def _crispy(self):
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PartnerSelect(forms.Select):
    """A select whose options carry the partner's areas, so services.js can hide the others."""

    def __init__(self, *args, partner_areas: dict[int, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_areas = partner_areas or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.partner_areas:
            option["attrs"]["data-areas"] = " ".join(self.partner_areas[key])
        return option


def _service_groups(service_types, *, first_areas=()) -> list[tuple[str, str, list]]:
    """(area, label, [(pk, name)...]) for each area with services; the visit's needs first."""
    labels = dict(Area.choices)
    order = list(first_areas) + [a for a in Area.values if a not in first_areas]
    groups = []
    for area in order:
        items = [(st.pk, st.name) for st in service_types if st.area == area]
        if items:
            groups.append((area, labels[area], items))
    return groups


def _grouped_service_choices(service_types, *, first_areas=()) -> list:
    groups = _service_groups(service_types, first_areas=first_areas)
    return [("", "---------"), *[(label, items) for _area, label, items in groups]]


def _bound_date(form: forms.Form, name: str, fallback: date) -> date:
    """The date the form is about: the posted one if it parses, else the initial one."""
    if form.is_bound:
        try:
            return form.fields[name].clean(form.data.get(form.add_prefix(name)))
        except forms.ValidationError:
            return fallback
    return form.initial.get(name) or fallback


class ProgramSelect(forms.Select):
    """A select whose options carry the service areas each program's indicators count ("*": any),
    and the area of each service, so services.js offers only the programs that count the chosen one."""

    def __init__(self, *args, program_areas=None, service_areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program_areas = program_areas or {}
        if service_areas:
            self.attrs["data-program-service-areas"] = " ".join(f"{pk}:{area}" for pk, area in service_areas)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.program_areas:
            areas = self.program_areas[key]
            option["attrs"]["data-areas"] = "*" if areas is None else " ".join(sorted(areas))
        return option


def _counts(areas_counted: dict, program_id, area: str) -> bool:
    return program_id in areas_counted and (
        areas_counted[program_id] is None or area in areas_counted[program_id]
    )


def _offer_programs(
    form: forms.Form, programs, day: date, *, event_kinds=SERVICE_EVENT_KINDS, last: int | None = None
) -> None:
    """Offer the programs the user may use here, active on the day, whose indicators count the
    area of one of the form's services; preselect the only one, else the user's last choice.

    The service's own area is checked in ``clean`` (and narrowed in the browser by services.js).
    """
    field = form.fields["program"]
    service_types = list(form.fields["service_type"].queryset)
    areas = {st.area for st in service_types}
    counted = program_areas_counted(programs, event_kinds=event_kinds)
    counted = {pk: a for pk, a in counted.items() if a is None or a & areas}
    field.queryset = programs.filter(pk__in=counted)
    offered = [p for p in programs_active_on(programs, day) if p.pk in counted]
    field.widget = ProgramSelect(
        program_areas=counted, service_areas=[(st.pk, st.area) for st in service_types]
    )
    field.widget.choices = [("", "---------")] + [(p.pk, str(p)) for p in offered]
    offered_ids = {p.pk for p in offered}
    if last in offered_ids:
        field.widget.attrs["data-last"] = str(last)
    if not form.is_bound and not form.initial.get("program"):
        if len(offered) == 1:
            form.initial["program"] = offered[0].pk
        elif last in offered_ids:
            form.initial["program"] = last
    form.programs_offered = offered
    form.program_areas_counted = counted


class _ProgramCountsServiceMixin:
    """Refuse a program whose indicators do not count the chosen service's area."""

    def clean(self):
        data = super().clean()
        program, service_type = data.get("program"), data.get("service_type")
        if (
            program
            and service_type
            and not _counts(self.program_areas_counted, program.pk, service_type.area)
        ):
            self.add_error(
                "program",
                _("%(program)s does not count services of the area “%(area)s”. Choose another program.")
                % {"program": program, "area": service_type.get_area_display()},
            )
        return data


def _plan_action_offer(form: forms.Form, plan_actions) -> None:
    """The open actions of the person's case plan this record may serve (docs/case-plan.md): when
    it is completed, recorded or kept, the action is done. No field when the plan has none."""
    actions = list(plan_actions) if plan_actions is not None else []
    if not actions:
        return
    field = forms.ModelChoiceField(
        label=_("Action of the case plan it serves"),
        queryset=plan_actions,
        required=False,
        help_text=_("The action is marked done when this is completed."),
    )
    field.label_from_instance = lambda a: f"{a.get_area_display()}: {a.description}"
    form.fields["plan_action"] = field


class DirectServiceForm(_ProgramCountsServiceMixin, _CrispyMixin, forms.Form):
    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none())
    delivered_on = _date_field(_("Date"))
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=limits.RECORD_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only what the team needs. Psychosocial details go in a confidential session note."),
    )

    def __init__(
        self, *args, service_types, programs, need_areas=(), program_last=None, plan_actions=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("delivered_on", timezone.localdate())
        self.need_areas = list(need_areas)
        self.fields["service_type"].queryset = service_types
        self.service_groups = _service_groups(list(service_types), first_areas=self.need_areas)
        _offer_programs(
            self, programs, _bound_date(self, "delivered_on", timezone.localdate()), last=program_last
        )
        _plan_action_offer(self, plan_actions)
        self._crispy()


class ReferralForm(_ProgramCountsServiceMixin, _CrispyMixin, forms.Form):
    service_type = forms.ModelChoiceField(label=_("Service needed"), queryset=ServiceType.objects.none())
    partner = forms.ModelChoiceField(label=_("Partner institution"), queryset=Partner.objects.none())
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    referred_on = _date_field(_("Referral date"))
    follow_up_due = _date_field(
        _("Follow up by"),
        required=False,
        help_text=_("Empty: %(days)d days after the referral date.") % {"days": Referral.FOLLOW_UP_DAYS},
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible for the follow-up"), queryset=None, required=False, empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        required=False,
        max_length=limits.RECORD_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the partner institution needs to know. It is not printed on the slip."),
    )
    consent_override_reason = forms.CharField(
        label=_("Why refer without consent"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept on the referral and in the access log."),
    )

    def __init__(
        self,
        *args,
        service_types,
        partners,
        programs,
        staff,
        can_override: bool,
        program_last=None,
        plan_actions=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("referred_on", timezone.localdate())
        st = self.fields["service_type"]
        st.queryset = service_types
        st.choices = _grouped_service_choices(list(service_types))
        st.widget.attrs["data-service-areas"] = " ".join(f"{s.pk}:{s.area}" for s in service_types)
        partner_list = list(partners)
        self.fields["partner"].queryset = partners
        self.fields["partner"].widget = PartnerSelect(partner_areas={p.pk: p.areas for p in partner_list})
        self.fields["partner"].widget.choices = self.fields["partner"].choices
        self.fields["responsible"].queryset = staff
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username
        _offer_programs(
            self,
            programs,
            _bound_date(self, "referred_on", timezone.localdate()),
            event_kinds=REFERRAL_EVENT_KINDS,
            last=program_last,
        )
        if not can_override:
            del self.fields["consent_override_reason"]
        _plan_action_offer(self, plan_actions)
        self._crispy()


class ReferralTransitionForm(VersionedFormMixin, _CrispyMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    completed_on = _date_field(
        _("Service received on"), required=False, help_text=_("Required when the referral is completed.")
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=limits.RECORD_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: SIS affiliation done, CPP appointment given."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, record=referral, **kwargs)
        self.fields["to_status"].choices = [(s, Referral.Status(s).label) for s in referral.next_statuses()]
        self._crispy()


class ReferralFollowUpForm(_CrispyMixin, forms.Form):
    note = forms.CharField(
        label=_("What did you learn?"),
        max_length=limits.RECORD_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: called the person, the appointment is on Friday."),
    )
    next_due = _date_field(_("Check again on"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class ReferralResponsibleForm(VersionedFormMixin, _CrispyMixin, forms.Form):
    responsible = forms.ModelChoiceField(label=_("Responsible for the follow-up"), queryset=None)

    def __init__(self, *args, staff, referral: Referral | None = None, **kwargs):
        super().__init__(*args, record=referral, **kwargs)
        self.fields["responsible"].queryset = staff
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username
        self._crispy()


class PartnerFeedbackForm(_CrispyMixin, forms.Form):
    ANSWERS = {
        Referral.Status.ACCEPTED: _("We accepted the referral (appointment given)"),
        Referral.Status.COMPLETED: _("The person attended and received the service"),
        Referral.Status.DECLINED: _("We cannot attend this referral"),
    }

    to_status = forms.ChoiceField(label=_("Your answer"), widget=forms.RadioSelect)
    completed_on = _date_field(_("Date the person attended"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not write diagnoses or other health details."),
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (status, label) for status, label in self.ANSWERS.items() if referral.can_move_to(status)
        ]
        self._crispy()

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Referral.Status.COMPLETED and not data.get("completed_on"):
            self.add_error("completed_on", _("Tell us the date the person attended."))
        if data.get("to_status") == Referral.Status.DECLINED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Tell us briefly why, so we can refer the person elsewhere."))
        return data


class PsychosocialSessionForm(_ProgramCountsServiceMixin, _CrispyMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Session"),
        choices=PsychosocialSession.Kind.choices,
        initial=PsychosocialSession.Kind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    service_type = forms.ModelChoiceField(label=_("Service"), queryset=ServiceType.objects.none())
    date = _date_field(_("Date"))
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=600
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Other participants"), required=False, coerce=int, widget=forms.MultipleHiddenInput
    )
    confidential_note = forms.CharField(
        label=_("Confidential note"),
        required=False,
        max_length=limits.CONFIDENTIAL_NOTE,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
        help_text=_("Only psychosocial specialists can read it; every reading is logged."),
    )

    def __init__(self, *args, service_types, programs, person_loader, program_last=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())
        st = self.fields["service_type"]
        st.queryset = service_types
        st.widget.attrs["data-codes"] = " ".join(f"{s.pk}:{s.code}" for s in service_types)
        if not self.initial.get("service_type"):
            default = next((s for s in service_types if s.code == "mhpss-individual"), None)
            self.initial["service_type"] = default.pk if default else None
        _offer_programs(self, programs, _bound_date(self, "date", timezone.localdate()), last=program_last)
        self.person_loader = person_loader
        self.participant_people = []
        self._crispy()

    def clean_participants(self):
        """Other participants, each fetched through the person selector (so scoped to the user)."""
        ids = self.cleaned_data.get("participants") or []
        people = []
        for pk in dict.fromkeys(ids):
            person = self.person_loader(pk)
            if person is None:
                raise forms.ValidationError(
                    _("One of the participants cannot be added: you cannot open their file.")
                )
            people.append(person)
        self.participant_people = people
        return ids

    def full_clean(self):
        # Accept any posted id here; ``clean_participants`` checks each one through the selector.
        if self.is_bound:
            posted = (
                self.data.getlist(self.add_prefix("participants")) if hasattr(self.data, "getlist") else []
            )
            self.fields["participants"].choices = [(v, v) for v in posted]
        super().full_clean()


class StatsFilterForm(forms.Form):
    date_from = _date_field(_("From"), required=False)
    date_to = _date_field(_("To"), required=False)
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=_("All programs")
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )

    def __init__(self, *args, programs, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
