from django import template
from django.urls import reverse

from orientation import roles

from ..selectors import break_glass_token, intakes_today

register = template.Library()

PRIORITY_CLASSES = {
    "low": "text-bg-light",
    "medium": "text-bg-info",
    "high": "text-bg-warning",
    "urgent": "text-bg-danger",
}
STATUS_CLASSES = {
    "pending": "text-bg-warning",
    "accepted": "text-bg-info",
    "completed": "text-bg-success",
    "declined": "text-bg-secondary",
    "no_show": "text-bg-secondary",
    "cancelled": "text-bg-light",
}


@register.inclusion_tag("cases/includes/_home_today_intakes.html", takes_context=True)
def today_intakes_widget(context, limit: int = 5):
    """Home page card for caseworkers: how many intakes today at their sites, and the last few."""
    user = context["request"].user
    if not roles.has_role(user, roles.CASE_WORKERS):
        return {"show": False}
    qs = intakes_today(user)
    return {"show": True, "count": qs.count(), "intakes": list(qs[:limit])}


@register.filter
def priority_class(value: str) -> str:
    return PRIORITY_CLASSES.get(value, "text-bg-light")


@register.filter
def referral_status_class(value: str) -> str:
    return STATUS_CLASSES.get(value, "text-bg-light")


@register.filter
def staff_name(user) -> str:
    """A staff member's full name, their username, or a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.simple_tag(takes_context=True)
def break_glass_url(context, person_id) -> str:
    """The break-the-glass link of a person shown in a search result, signed for this user."""
    return reverse("cases:break_glass_open", args=[break_glass_token(context["request"].user, person_id)])
