"""``{% load reports_tags %}{% reports_home_widget %}``: the coordinator's home card with the
month that just ended against its targets, from the stored figures (three queries)."""

from django import template

from orientation.roles import REPORT_READERS, has_role

from ..selectors import default_month, home_summary_for, report_run_last_successful

register = template.Library()


@register.inclusion_tag("reports/includes/_home_widget.html", takes_context=True)
def reports_home_widget(context):
    user = context.get("user")
    if user is None or not has_role(user, REPORT_READERS):
        return {"show": False}
    month = default_month()
    return {
        "show": True,
        "month": month,
        "summary": home_summary_for(user, month=month),
        "last_run": report_run_last_successful(),
    }
