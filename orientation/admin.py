from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
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
    list_display = ["code", "name", "donor", "start_date", "end_date", "reporting_year_start_month"]
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

    list_display = ["at", "user", "action", "record_type_display", "object_id", "ip_address"]
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
    list_display = ["created_at", "task_name", "sent_at", "completed_at", "attempts", "last_error"]
    list_filter = ["task_name"]
    readonly_fields = [
        "created_at",
        "task_name",
        "kwargs",
        "sent_at",
        "completed_at",
        "attempts",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False


# --- Spanish that agrees ---------------------------------------------------------------------------
# Django's Spanish admin messages are written for masculine names ("El {name} … fue agregado"):
# a model whose Spanish name is feminine says so with ``grammatical_gender = "f"`` (a class
# attribute), and its messages are made to agree ("La sede … fue agregada").

FEMININE_REPLACEMENTS = [
    ("El{name}", "La {name}"),
    ("El {name}", "La {name}"),
    ("fue agregado", "fue agregada"),
    ("fue eliminado", "fue eliminada"),
    ("otro {name}", "otra {name}"),
    ("Puede editarlo", "Puede editarla"),
    ("Puede volverlo", "Puede volverla"),
]


def message_agreeing(message, *, model):
    """The admin's message about ``model`` with its Spanish articles and participles agreeing."""
    if getattr(model, "grammatical_gender", "m") != "f" or not (get_language() or "").startswith("es"):
        return message
    name = str(model._meta.verbose_name)
    text = str(message)
    for old, new in FEMININE_REPLACEMENTS:
        text = text.replace(old.format(name=name), new.format(name=name))
    # Already-safe admin text with only our own words swapped: it stays safe.
    return mark_safe(text) if isinstance(message, SafeData) else text  # noqa: S308  # nosec B308 B703


class AgreeingMessagesMixin:
    """Every ModelAdmin gets it (``admin_spanish_install``): messages agree with the model's gender,
    permissions are listed in the language of the pages."""

    def message_user(self, request, message, *args, **kwargs):
        return super().message_user(request, message_agreeing(message, model=self.model), *args, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model._meta.label == "auth.Permission":
            field.label_from_instance = permission_label
        return field


PERMISSION_ACTIONS = {
    "add": _("Can add"),
    "change": _("Can change"),
    "delete": _("Can delete"),
    "view": _("Can view"),
}


def permission_label(permission) -> str:
    """A permission as the admin lists it, in the language of the pages: stored names are English
    ("Can add site"), written when the database was migrated."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in PERMISSION_ACTIONS:
        return str(permission)
    return (
        f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {PERMISSION_ACTIONS[action]}"
    )


def admin_spanish_install(site=None) -> None:
    """Called once every app's admin is registered (OrientationConfig.ready): names for the
    third-party sections in Orienta's words (and translated), agreeing messages for every model,
    and translated permission names."""
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as AxesAccessLog
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # _meta names only (not Meta's declared attributes): the migrations are unaffected.
    apps.get_app_config("axes").verbose_name = _("Sign-in security")
    apps.get_app_config("otp_totp").verbose_name = _("Two-factor authentication")
    for model, singular, plural in [
        (AccessAttempt, _("failed sign-in attempt"), _("failed sign-in attempts")),
        (AxesAccessLog, _("sign-in"), _("sign-ins")),
        (AccessFailureLog, _("failed sign-in"), _("failed sign-ins")),
        (TOTPDevice, _("authenticator app"), _("authenticator apps")),
    ]:
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
    TOTPDevice.grammatical_gender = "f"

    site = site or admin.site
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if not issubclass(cls, AgreeingMessagesMixin):
            model_admin.__class__ = type(cls.__name__, (AgreeingMessagesMixin, cls), {})
