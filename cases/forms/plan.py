"""Forms of case plans (docs/case-plan.md): the plan made from an intake (one row per need, in a
formset), one action added or changed, an action closed, and actions handed to someone else."""

from __future__ import annotations

from datetime import timedelta

from crispy_forms.layout import Column, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Area, IntakeNeed, PlanAction
from .people import DateInput, _helper

# A new action is due this many days from today unless the caseworker says otherwise.
PLAN_DEFAULT_DAYS = 14


def _staff_label(user) -> str:
    return user.get_full_name() or user.username


def _staff_field(field: forms.ModelChoiceField, staff) -> None:
    field.queryset = staff
    field.label_from_instance = _staff_label


def plan_default_due():
    return timezone.localdate() + timedelta(days=PLAN_DEFAULT_DAYS)


class PlanRowForm(forms.Form):
    """One need of the intake and the action that answers it."""

    need = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.ModelChoiceField(label=_("Responsible"), queryset=None)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, needs=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        _staff_field(self.fields["responsible"], staff)


class _PlanRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, needs=None, staff=None, **kwargs):
        self.needs, self.staff = needs, staff
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"needs": self.needs, "staff": self.staff}

    def clean(self):
        if any(self.errors):
            return
        seen = [form.cleaned_data["need"].pk for form in self.forms]
        if len(seen) != len(set(seen)):
            raise forms.ValidationError(_("Each need gets one action."))


PlanRowFormSet = forms.formset_factory(
    PlanRowForm,
    formset=_PlanRowFormSet,
    extra=0,
    max_num=len(Area.values),
    validate_max=True,
    absolute_max=len(Area.values),  # a post claiming more rows is refused without building them
)


def plan_formset(data, *, needs: list, staff, user, prefix: str = "plan") -> _PlanRowFormSet:
    """The plan form of an intake: one row per need still without an action, prefilled (the need's
    detail as the action, the caseworker responsible if they are case staff, due in two weeks)."""
    due = plan_default_due()
    responsible = user.pk if staff.filter(pk=user.pk).exists() else None
    initial = [
        {
            "need": need.pk,
            "description": need.detail or need.get_area_display(),
            "responsible": responsible,
            "due_on": due,
        }
        for need in needs
    ]
    needs_qs = IntakeNeed.objects.filter(pk__in=[need.pk for need in needs])
    formset = PlanRowFormSet(data, initial=initial, needs=needs_qs, staff=staff, prefix=prefix)
    for form, need in zip(formset.forms, needs, strict=False):
        form.need_obj = need
    return formset


class PlanActionForm(forms.Form):
    """An action added to a person's plan, or an open one changed."""

    need = forms.ModelChoiceField(
        label=_("Need it answers"),
        queryset=None,
        required=False,
        help_text=_("A need found at one of the person's intakes, if the action answers one."),
    )
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices, required=False)
    description = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.ModelChoiceField(label=_("Responsible"), queryset=None)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, PlanAction.Status(s).label) for s in PlanAction.OPEN_STATUSES],
        required=False,
    )

    def __init__(self, *args, needs, staff, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["need"].label_from_instance = lambda n: (
            f"{n.get_area_display()} ({n.intake.date:%d/%m/%Y})"
        )
        _staff_field(self.fields["responsible"], staff)
        if editing:
            del self.fields["need"]
            del self.fields["area"]
            self.fields["status"].required = True
            layout = ["description", Row(Column("responsible"), Column("due_on"), Column("status"))]
        else:
            del self.fields["status"]
            layout = [
                Row(Column("need"), Column("area")),
                "description",
                Row(Column("responsible"), Column("due_on")),
            ]
        self.helper = _helper(*layout)

    def clean(self):
        data = super().clean()
        if "need" in self.fields and not data.get("need") and not data.get("area"):
            self.add_error("area", _("Choose the need the action answers, or its area."))
        return data


class PlanActionCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s, PlanAction.Status(s).label) for s in PlanAction.CLOSED_STATUSES]
    )
    note = forms.CharField(
        label=_("How it ended"),
        max_length=300,
        required=False,
        help_text=_("Required when the action is not possible: say why."),
    )


class PlanReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Hand the open actions to"), queryset=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self.fields["to_user"], staff)
        self.helper = _helper("to_user")


class CaseloadReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(label=_("Open actions of"), queryset=None)
    to_user = forms.ModelChoiceField(label=_("Hand them to"), queryset=None)

    def __init__(self, *args, holders, staff, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_field(self.fields["from_user"], holders)
        _staff_field(self.fields["to_user"], staff)
        self.helper = _helper(Row(Column("from_user"), Column("to_user")))

    def clean(self):
        data = super().clean()
        if data.get("from_user") and data.get("from_user") == data.get("to_user"):
            self.add_error("to_user", _("Choose someone else to take the actions."))
        return data
