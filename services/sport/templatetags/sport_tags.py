"""Template tags of the youth sport program.

``{% load sport_tags %}{% my_groups_widget %}`` on the home page lists the facilitator's active
groups, each with a button to take today's attendance.
"""

from django import template
from django.utils import timezone

from services.sport.selectors import sport_groups_for_widget

register = template.Library()


@register.inclusion_tag("sport/includes/_my_groups_widget.html", takes_context=True)
def my_groups_widget(context):
    user = context["request"].user
    return {"groups": sport_groups_for_widget(user, today=timezone.localdate())}
