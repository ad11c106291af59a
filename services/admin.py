from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.models import Area

from .models import Partner, ServiceType


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "area", "active"]
    list_filter = ["area", "active"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        # Codes are used by imports and indicators: fixed once created.
        return ["code"] if obj else []


class PartnerAdminForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        label=_("areas served"),
        choices=Area.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Referrals to this partner institution are offered for services of these areas."),
    )

    class Meta:
        model = Partner
        fields = ["code", "name", "kind", "areas", "district", "address", "phone", "email", "active"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ["code", "name", "kind", "areas_display", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]

    @admin.display(description=_("areas served"))
    def areas_display(self, obj):
        labels = dict(Area.choices)
        return ", ".join(str(labels.get(a, a)) for a in obj.areas or [])
