import os

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    CategoryOptionComboMapping,
    DataElementMapping,
    DHIS2Push,
    DHIS2Server,
    OrgUnitMapping,
    ProgramMapping,
)


class DHIS2ServerForm(forms.ModelForm):
    base_url = forms.URLField(
        label=DHIS2Server._meta.get_field("base_url").verbose_name,
        help_text=DHIS2Server._meta.get_field("base_url").help_text,
        max_length=300,
        assume_scheme="https",
    )

    class Meta:
        model = DHIS2Server
        fields = [
            "name",
            "base_url",
            "auth",
            "username",
            "secret_env",
            "period_type",
            "timeout",
            "auto_push",
            "active",
        ]


@admin.register(DHIS2Server)
class DHIS2ServerAdmin(admin.ModelAdmin):
    """The secret is never stored: only the name of the environment variable that holds it."""

    form = DHIS2ServerForm
    list_display = ["name", "base_url", "auth", "secret_env", "secret_present", "auto_push", "active"]
    fields = [
        "name",
        "base_url",
        "auth",
        "username",
        "secret_env",
        "secret_present",
        "period_type",
        "timeout",
        "auto_push",
        "active",
    ]
    readonly_fields = ["secret_present"]

    @admin.display(description=_("secret set on this web server"), boolean=True)
    def secret_present(self, obj):
        return bool(obj and obj.secret_env and os.environ.get(obj.secret_env))


@admin.register(ProgramMapping)
class ProgramMappingAdmin(admin.ModelAdmin):
    list_display = ["program", "data_set", "attribute_option_combo"]
    list_select_related = ["program"]


@admin.register(DataElementMapping)
class DataElementMappingAdmin(admin.ModelAdmin):
    list_display = ["indicator", "measure", "data_element", "breakdown"]
    list_filter = ["indicator__program", "measure", "breakdown"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__code", "data_element"]


@admin.register(CategoryOptionComboMapping)
class CategoryOptionComboMappingAdmin(admin.ModelAdmin):
    list_display = ["breakdown", "key", "category_option_combo"]
    list_filter = ["breakdown"]
    search_fields = ["key", "category_option_combo"]


@admin.register(OrgUnitMapping)
class OrgUnitMappingAdmin(admin.ModelAdmin):
    list_display = ["site", "org_unit"]
    list_select_related = ["site"]


@admin.register(DHIS2Push)
class DHIS2PushAdmin(admin.ModelAdmin):
    """Pushes are recorded by Orienta, never edited."""

    list_display = [
        "month",
        "program",
        "trigger",
        "status",
        "http_status",
        "import_status",
        "imported",
        "updated",
        "ignored",
        "deleted",
        "created_at",
    ]
    list_filter = ["status", "trigger", "program"]
    list_select_related = ["program", "requested_by"]
    readonly_fields = [f.name for f in DHIS2Push._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
