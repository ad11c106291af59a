"""Staff roles. Each role is a Django group; what a role may do is decided here, in one place.

Views use the ``role_required`` decorator, selectors and templates ask ``has_role(user, ...)``, and
actions that take the acting user call ``require(user, ...)`` (docs/architecture.md, "Where role
checks live"); the admin site relies on the Django permissions that ``ensure_role_groups`` gives
each group.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

CASEWORKER = "caseworker"
PSYCHOSOCIAL = "psychosocial"
FACILITATOR = "facilitator"
COORDINATOR = "coordinator"
RECEPTIONIST = "receptionist"
ADMIN = "admin"

ROLE_CHOICES = [
    (CASEWORKER, _("Caseworker")),
    (PSYCHOSOCIAL, _("Psychosocial specialist")),
    (FACILITATOR, _("Sport facilitator")),
    (COORDINATOR, _("Coordinator")),
    (RECEPTIONIST, _("Receptionist")),
    (ADMIN, _("Administrator")),
]
ALL_ROLES = [code for code, _label in ROLE_CHOICES]

# A permission an admin grants (in the Django admin, among the user's groups), not a role: the
# write powers over personal data that a coordinator's read-only role does not carry by itself.
DATA_STEWARD = "data_steward"
PERMISSION_CHOICES = [
    (DATA_STEWARD, _("Data steward: answers data requests, anonymizes, imports")),
]
ALL_PERMISSIONS = [code for code, _label in PERMISSION_CHOICES]


class Capability(frozenset):
    """The roles that may do something; ``needs`` maps a role to the permission it also needs."""

    needs: dict[str, str]

    def __new__(cls, roles, *, needs: dict[str, str] | None = None):
        capability = super().__new__(cls, roles)
        capability.needs = dict(needs or {})
        return capability

    def allows(self, held: frozenset[str]) -> bool:
        return any(role in held and self.needs.get(role, role) in held for role in self)


def _steward(*roles) -> Capability:
    """Roles with a write power over personal data: a coordinator needs the data-steward permission."""
    return Capability(roles, needs={COORDINATOR: DATA_STEWARD})


# Capabilities: which roles may do what (the README's role table says the same, and
# tests/core/test_role_table.py checks it against these sets). Coordinators read, across the sites
# of their programs, the people who have a record in one of their programs; they write nothing but
# targets, unless an admin grants them the data-steward permission (data requests, anonymization,
# imports).
CASE_WORKERS = {CASEWORKER, PSYCHOSOCIAL, ADMIN}  # register people, intakes, services, referrals
# Who works people's cases at their sites (may be responsible for a follow-up); an admin may step in
# but is not case staff, so is never offered as responsible.
CASE_STAFF = {CASEWORKER, PSYCHOSOCIAL}
CASE_READERS = {CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN}  # open case files
# Psychosocial sessions and confidential notes: specialists only, everywhere (pages, exports,
# history). An admin administers accounts, not clinical content; a legal request for a note goes
# through a specialist.
PSYCHOSOCIAL_READERS = {PSYCHOSOCIAL}
SPORT_STAFF = {FACILITATOR, CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN}  # sport pages
SPORT_WRITERS = {FACILITATOR, CASEWORKER, PSYCHOSOCIAL, ADMIN}  # take attendance, light profiles
# Set sport groups up: facilitators (their own groups, at their sites) and admins. Coordinators read
# them (their role is read-only).
SPORT_GROUP_MANAGERS = {FACILITATOR, ADMIN}
REPORT_READERS = {COORDINATOR, ADMIN}  # dashboards, monthly figures, aggregate exports
IMPORTERS = _steward(COORDINATOR, ADMIN)
# Register a person: case workers, and receptionists through the quick registration at the door
# (the same action and duplicate checks); a receptionist never opens the case file afterwards.
PERSON_REGISTRARS = {RECEPTIONIST, CASEWORKER, PSYCHOSOCIAL, ADMIN}
# Reception (reception/): check people in, give tickets, see the line and the waiting-room display,
# mark someone as gone; book and move appointments. Calling a ticket to a desk and serving it is
# for the staff who serve (the call opens the person's intake).
RECEPTIONISTS = {RECEPTIONIST, CASEWORKER, PSYCHOSOCIAL, ADMIN}
QUEUE_CALLERS = {CASEWORKER, PSYCHOSOCIAL, ADMIN}
# Case plans (docs/case-plan.md): case workers write them at the person's sites (CASE_WORKERS),
# coordinators read them (CASE_READERS). Handing a whole caseload (every open action of a staff
# member at a site) to someone else, when a caseworker leaves the centre, is a coordinator's or an
# admin's decision.
CASELOAD_REASSIGNERS = {COORDINATOR, ADMIN}
# Moving a person's case to another orientation site, or sharing it with one for a while
# (docs/transfer.md): a caseworker of the person's site asks (an admin anywhere); caseworkers and
# coordinators of the receiving site decide, and see what their sites sent. A psychosocial
# specialist who is not also a caseworker, a facilitator or a receptionist takes no part.
SITE_REQUESTERS = {CASEWORKER, ADMIN}
SITE_REQUEST_DECIDERS = {CASEWORKER, COORDINATOR, ADMIN}
PERSONAL_EXPORTERS = {COORDINATOR, ADMIN}
CONSENT_OVERRIDERS = {PSYCHOSOCIAL, ADMIN}  # refer without sharing consent (case workers only)
# Data-subject (ARCO) requests: staff of the person's sites read them; they register and follow
# them where they work (coordinators: with the data-steward permission). The access export is
# generated by a psychosocial specialist (the only one who may hand over psychosocial notes), a data
# steward coordinator or an admin; anonymization, irreversible, only by a data steward or an admin.
ARCO_READERS = {CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN}
ARCO_HANDLERS = _steward(CASEWORKER, PSYCHOSOCIAL, COORDINATOR, ADMIN)
ARCO_EXPORTERS = _steward(PSYCHOSOCIAL, COORDINATOR, ADMIN)
ARCO_ANONYMIZERS = _steward(COORDINATOR, ADMIN)

# Django model permissions given to each group (for the admin site and has_perm checks).
GROUP_PERMISSIONS: dict[str, list[str]] = {
    ADMIN: [
        "orientation.*",
        "reports.indicator",
        "reports.target",
        "dhis2.*",
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
        cached = frozenset(n for n in names if n in ALL_ROLES or n in ALL_PERMISSIONS)
        user._orienta_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    """Whether the user has one of the roles (or of the capabilities: sets of roles, where a
    ``Capability`` may also ask a role for a permission)."""
    held = user_roles(user)
    for role in roles:
        if isinstance(role, Capability):
            if role.allows(held):
                return True
        elif isinstance(role, set | frozenset | list | tuple):
            if held & set(role):
                return True
        elif role in held:
            return True
    return False


def require(user, *roles) -> None:
    """In an action: refuse (PermissionDenied) a user without one of the roles or capabilities.

    The rule (docs/architecture.md, "Where role checks live"): a view decides who may reach a page
    (``role_required``), a selector scopes every read to the user's sites and programs, and an
    action that takes the acting user checks again the capability its write needs, so that a
    second caller (a command, a task, another view) cannot skip it.
    """
    if not has_role(user, *roles):
        raise PermissionDenied


def primary_role(user) -> str | None:
    roles = user_roles(user)
    for code in [ADMIN, COORDINATOR, PSYCHOSOCIAL, CASEWORKER, FACILITATOR, RECEPTIONIST]:
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

    for code in [*ALL_ROLES, *ALL_PERMISSIONS]:
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
