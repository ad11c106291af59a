"""The merge page's form: which record survives, and for each field where the two differ, whose
value to keep."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Person

FIRST, SECOND = "first", "second"


def _shown(person: Person, name: str) -> str:
    field = Person._meta.get_field(name)
    value = getattr(person, name)
    if value in (None, ""):
        return str(_("(empty)"))
    if field.choices:
        return str(getattr(person, f"get_{name}_display")())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if name == "nationality":
        return str(value.name)
    return str(value)


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(
        label=_("Record to keep"),
        widget=forms.RadioSelect,
        help_text=_("The other record becomes a pointer to this one: its page and reference lead here."),
    )

    def __init__(self, *args, first: Person, second: Person, differing: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.first, self.second, self.differing = first, second, differing
        self.fields["survivor"].choices = [
            (FIRST, f"{first.ref or first.pk} · {first}"),
            (SECOND, f"{second.ref or second.pk} · {second}"),
        ]
        self.fields["survivor"].initial = FIRST
        for name in differing:
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                label=Person._meta.get_field(name).verbose_name.capitalize(),
                widget=forms.RadioSelect,
                choices=[(FIRST, _shown(first, name)), (SECOND, _shown(second, name))],
                initial=FIRST,
            )

    def rows(self) -> list[dict]:
        """Every compared field for the side-by-side table: its label, both values, and where
        they differ the radio buttons choosing one."""
        from ..merging import MERGE_FIELDS

        rows = []
        for name in MERGE_FIELDS:
            field = self[f"keep_{name}"] if name in self.differing else None
            rows.append(
                {
                    "label": Person._meta.get_field(name).verbose_name.capitalize(),
                    "first": _shown(self.first, name),
                    "second": _shown(self.second, name),
                    "field": field,
                    "radios": field.subwidgets if field is not None else None,
                }
            )
        return rows

    def merge_arguments(self) -> dict:
        """``person_merge``'s arguments: the survivor, the other, and whose value each field keeps."""
        survivor_is_first = self.cleaned_data["survivor"] == FIRST
        survivor, merged = (self.first, self.second) if survivor_is_first else (self.second, self.first)
        keep = {}
        for name in self.differing:
            chosen_first = self.cleaned_data[f"keep_{name}"] == FIRST
            keep[name] = "survivor" if chosen_first == survivor_is_first else "merged"
        return {"survivor_id": survivor.pk, "merged_id": merged.pk, "keep": keep}
