"""Staff roles. Each role is a Django group; what a role may do is decided here, in one place.

Views and selectors ask ``has_role(user, ...)`` or use the ``role_required`` decorator; the admin
site relies on the Django permissions that ``ensure_role_groups`` gives each group.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

CASEWORKER = "caseworker"
PSYCHOSOCIAL = "psychosocial"
FACILITATOR = "facilitator"
COORDINATOR = "coordinator"
ADMIN = "admin"

ROLE_CHOICES = [
    (CASEWORKER, _("Caseworker")),
    (PSYCHOSOCIAL, _("Psychosocial specialist")),
    (FACILITATOR, _("Sport facilitator")),
    (COORDINATOR, _("Coordinator")),
    (ADMIN, _("Administrator")),
]
ALL_ROLES = [code for code, _label in ROLE_CHOICES]

# Capabilities: which roles may do what. Admins are superusers in the Django admin and may do all.
CASE_WORKERS = {CASEWORKER, PSYCHOSOCIAL, ADMIN}  # register people, intakes, services, referrals
CASE_READERS = {CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN}  # open case files
PSYCHOSOCIAL_READERS = {PSYCHOSOCIAL, ADMIN}  # psychosocial sessions and confidential notes
SPORT_STAFF = {FACILITATOR, CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN}  # sport pages
SPORT_WRITERS = {FACILITATOR, CASEWORKER, PSYCHOSOCIAL, ADMIN}
REPORT_READERS = {COORDINATOR, ADMIN}  # dashboards, monthly figures, aggregate exports
IMPORTERS = {COORDINATOR, ADMIN}
PERSONAL_EXPORTERS = {COORDINATOR, ADMIN}
CONSENT_OVERRIDERS = {PSYCHOSOCIAL, COORDINATOR, ADMIN}

# Django model permissions given to each group (for the admin site and has_perm checks).
GROUP_PERMISSIONS: dict[str, list[str]] = {
    ADMIN: [
        "orientation.*",
        "reports.indicator",
        "reports.target",
        "services.servicetype",
        "services.partner",
        "auth.user",
        "auth.group",
    ],
    COORDINATOR: ["reports.target"],
}


def user_roles(user) -> frozenset[str]:
    """The role codes of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_orienta_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(n for n in names if n in ALL_ROLES)
        user._orienta_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    wanted = set()
    for role in roles:
        wanted.update(role if isinstance(role, set | frozenset | list | tuple) else {role})
    return bool(user_roles(user) & wanted)


def primary_role(user) -> str | None:
    roles = user_roles(user)
    for code in [ADMIN, COORDINATOR, PSYCHOSOCIAL, CASEWORKER, FACILITATOR]:
        if code in roles:
            return code
    return None


def role_required(*roles):
    """View decorator: 403 unless the signed-in user has one of the roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ensure_role_groups(sender=None, **kwargs) -> None:
    """Create the role groups and give them their permissions (runs after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    for code in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=code)
        perms = []
        for spec in GROUP_PERMISSIONS.get(code, []):
            app_label, model = spec.split(".")
            qs = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                qs = qs.filter(content_type__model=model)
            perms.extend(qs)
        if perms:
            group.permissions.add(*perms)
