from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Consent, Household, IdentityDocument, Person, RegularizationStatus, Vulnerability


@admin.register(Vulnerability)
class VulnerabilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


class IdentityDocumentInline(admin.TabularInline):
    model = IdentityDocument
    extra = 0


class RegularizationStatusInline(admin.TabularInline):
    model = RegularizationStatus
    extra = 0
    readonly_fields = ["recorded_by"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["recorded_by", "withdrawn_by"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["family_names", "given_names", "site", "nationality", "population_type", "registered_on"]
    list_filter = ["site", "population_type", "sex", "archived_at"]
    search_fields = ["search_name", "ref"]  # never documents or phones: admin searches go in the URL
    list_select_related = ["site"]
    raw_id_fields = ["household", "district", "school", "created_by"]
    # The case status changes only through closing and reopening (a row each: cases/case_status.py).
    readonly_fields = ["created_by", "created_at", "updated_at", "anonymized_at", "case_status"]
    inlines = [IdentityDocumentInline, RegularizationStatusInline, ConsentInline]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False  # people are archived, never deleted (ARCO cancellation anonymizes)


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "site", "district", "created_at"]
    list_filter = ["site"]
    search_fields = ["code"]
    raw_id_fields = ["district"]
