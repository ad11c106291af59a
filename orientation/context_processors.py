from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from . import roles

# Navigation: (label, url name, roles that see it). Apps add their entries here as they grow.
NAV_ITEMS = [
    (_("Home"), "home", set(roles.ALL_ROLES)),
    (_("Reception"), "reception:desk", roles.RECEPTIONISTS),
    (_("People"), "cases:person_list", roles.CASE_READERS),
    (_("Today"), "cases:intake_today", roles.CASE_WORKERS),
    (_("Follow-ups"), "services:followups", roles.CASE_WORKERS),
    (_("Transfers"), "cases:site_requests", roles.SITE_REQUEST_DECIDERS),
    (_("Referrals"), "services:referral_stats", roles.REPORT_READERS),
    (_("Sport"), "sport:sport_group_list", roles.SPORT_STAFF),
    (_("Field (offline)"), "field:field_app", roles.SPORT_WRITERS),
    (_("Reports"), "reports:dashboard", roles.REPORT_READERS),
    (_("Import"), "imports:import_upload", roles.IMPORTERS),
    (_("Data requests"), "arco:arco_request_list", roles.ARCO_READERS),
]


def _nav(request):
    items = []
    user = request.user
    for label, url_name, allowed in NAV_ITEMS:
        if not roles.has_role(user, allowed):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": label,
                "url": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": SimpleLazyObject(lambda: _nav(request)),
        "user_role": SimpleLazyObject(lambda: roles.primary_role(user) or ""),
        "user_role_label": SimpleLazyObject(
            lambda: dict(roles.ROLE_CHOICES).get(roles.primary_role(user), "")
        ),
        "unread_notifications": SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count()
        ),
    }
