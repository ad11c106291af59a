from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AccessLog,
    District,
    OutboxMessage,
    Program,
    ProgramMembership,
    Site,
    SiteMembership,
    UserProfile,
)

User = get_user_model()


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["ubigeo", "name", "province", "department"]
    search_fields = ["ubigeo", "name", "province", "department"]
    list_filter = ["department"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "donor", "start_date", "end_date"]
    search_fields = ["code", "name", "donor"]
    filter_horizontal = ["sites"]


class SiteMembershipInline(admin.TabularInline):
    model = SiteMembership
    extra = 0
    verbose_name = _("site")
    verbose_name_plural = _("sites where this person works")


class ProgramMembershipInline(admin.TabularInline):
    model = ProgramMembership
    extra = 0
    verbose_name = _("program")
    verbose_name_plural = _("programs (coordinators see all their sites)")


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    verbose_name_plural = _("language of the pages")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [SiteMembershipInline, ProgramMembershipInline, UserProfileInline]
    list_display = ["username", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_staff"]

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_delete_permission(self, request, obj=None):
        # Staff accounts are deactivated, never deleted: their id is on the append-only history and
        # access log (which PostgreSQL refuses to rewrite), and deactivation ends their sessions.
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is append-only."""

    list_display = ["at", "user", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "task_name", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name"]
    readonly_fields = ["created_at", "task_name", "kwargs", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
