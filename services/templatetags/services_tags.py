"""Template tags of the services app.

``{% followups_widget %}`` (load ``services_tags``) shows a caseworker's open follow-ups and how
many are overdue, and the actions of case plans they are responsible for that are overdue or due
this week, for the home page.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from cases.selectors import plan as plan_selectors
from orientation import roles
from services.selectors import followups_for, followups_summary

register = template.Library()

WIDGET_ROWS = 5


@register.inclusion_tag("services/includes/_followups_widget.html", takes_context=True)
def followups_widget(context) -> dict:
    """My open follow-ups (due first) and the overdue count, my plan actions overdue or due this
    week (due first) and their counts; nothing for roles without follow-ups."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not roles.has_role(user, roles.CASE_WORKERS):
        return {"show": False}
    today = timezone.localdate()
    return {
        "show": True,
        "referrals": list(followups_for(user, today=today)[:WIDGET_ROWS]),
        "summary": followups_summary(user, today=today),
        "plan_actions": list(plan_selectors.my_plan_actions_due(user, today=today)[:WIDGET_ROWS]),
        "plan_summary": plan_selectors.my_plan_due_summary(user, today=today),
        "today": today,
    }


@register.filter
def staff_name(user) -> str:
    """A staff member's full name, else the username, else a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username
