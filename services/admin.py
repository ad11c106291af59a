from django.contrib import admin

from .models import Partner, ServiceType


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "active"]
    list_filter = ["area", "active"]
    search_fields = ["code", "name"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "areas", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
