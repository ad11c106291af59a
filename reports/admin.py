from django.contrib import admin

from .models import Indicator, ReportRun, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 1


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "program", "event_kind", "areas", "activities", "active"]
    list_filter = ["program", "event_kind", "active"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "month", "value"]
    list_filter = ["indicator__program", "indicator"]


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["month", "program", "status", "trigger", "requested_by", "started_at", "finished_at"]
    list_filter = ["status", "trigger"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False
