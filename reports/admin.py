from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.models import Area
from orientation.dates import first_of_month
from services.sport.models import Activity

from .models import Indicator, IndicatorR4V, MonthlyFigure, ProgramR4V, ReportRun, Target


class IndicatorForm(forms.ModelForm):
    """Areas and activities as ticks rather than raw JSON; none ticked means any."""

    areas = forms.MultipleChoiceField(
        label=_("service areas"),
        choices=Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Counted for services and referrals. None ticked: any area."),
    )
    activities = forms.MultipleChoiceField(
        label=_("activities"),
        choices=Activity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Counted for attendance. None ticked: any activity."),
    )

    class Meta:
        model = Indicator
        fields = [
            "program",
            "code",
            "name",
            "event_kind",
            "areas",
            "activities",
            "description",
            "active",
            "sort_order",
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("event_kind")
        if kind == Indicator.EventKind.ATTENDANCE and data.get("areas"):
            self.add_error("areas", _("Attendance is counted by activity, not by service area."))
        if kind and kind != Indicator.EventKind.ATTENDANCE and data.get("activities"):
            self.add_error("activities", _("Services and referrals are counted by area, not by activity."))
        return data


class TargetForm(forms.ModelForm):
    month = forms.DateField(
        label=_("month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Any day of the month; empty for the whole program."),
    )

    class Meta:
        model = Target
        fields = ["indicator", "month", "value"]

    def clean_month(self):
        month = self.cleaned_data.get("month")
        return first_of_month(month) if month else None


class TargetInline(admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 1
    ordering = ["-month"]


class IndicatorR4VInline(admin.StackedInline):
    model = IndicatorR4V
    extra = 0
    max_num = 1
    can_delete = True


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = ["code", "name", "name_en", "program", "event_kind", "areas", "activities", "active"]
    list_filter = ["program", "event_kind", "active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["program"]
    inlines = [TargetInline, IndicatorR4VInline]


@admin.register(ProgramR4V)
class ProgramR4VAdmin(admin.ModelAdmin):
    list_display = [
        "program",
        "appealing_organisation",
        "implementation_setup",
        "returnees_as",
        "unknown_age",
    ]
    list_select_related = ["program"]


@admin.register(IndicatorR4V)
class IndicatorR4VAdmin(admin.ModelAdmin):
    list_display = ["indicator", "sector", "indicator_type", "activity_name", "rmrp_activity"]
    list_filter = ["indicator__program", "indicator_type"]
    list_select_related = ["indicator"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetForm
    list_display = ["indicator", "month", "value"]
    list_editable = ["value"]
    list_filter = ["indicator__program", "indicator"]
    list_select_related = ["indicator"]
    date_hierarchy = "month"


@admin.register(MonthlyFigure)
class MonthlyFigureAdmin(admin.ModelAdmin):
    """Snapshots are computed, never edited: read-only here."""

    list_display = ["indicator", "month", "computed_at", "run"]
    list_filter = ["indicator__program", "indicator"]
    list_select_related = ["indicator", "run"]
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["month", "program", "status", "trigger", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["program", "requested_by"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False
