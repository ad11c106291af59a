"""Follow-up work: my follow-ups, the overdue queue per site, completion rates per partner."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.models import normalize_text
from cases.selectors import plan as plan_selectors
from orientation import roles
from orientation.dates import add_months
from orientation.paginator import CappedPaginator, paginate
from orientation.roles import role_required
from orientation.selectors import programs_visible_to

from .. import selectors
from ..forms import (
    StatsFilterForm,
)

# --- Follow-up queues and rates ------------------------------------------------------------------


@require_GET
@role_required(roles.CASE_WORKERS)
def followups(request):
    """My open follow-ups, the one due first on top."""
    overdue_only = request.GET.get("overdue") == "1"
    qs = selectors.followups_for(request.user, overdue_only=overdue_only)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(code__iexact=q) | qs.filter(person__search_name__contains=normalize_text(q))
    page = paginate(request, qs)
    # The actions of case plans the user is responsible for (docs/case-plan.md), their own list.
    actions = plan_selectors.my_plan_actions(request.user, overdue_only=overdue_only)
    if q:
        actions = actions.filter(person__search_name__contains=normalize_text(q))
    return render(
        request,
        "services/followups.html",
        {
            "page_obj": page,
            "plan_page": paginate(request, actions, param="apage"),
            "plan_summary": plan_selectors.my_plan_summary(request.user),
            "summary": selectors.followups_summary(request.user),
            "overdue_only": overdue_only,
            "q": q,
            "today": timezone.localdate(),
        },
    )


@require_GET
@role_required(roles.CASE_READERS)
def overdue_queue(request):
    """Referrals past their follow-up date, and actions of case plans past their due date, per
    site, the oldest first."""
    sites = list(selectors.overdue_sites_for(request.user))
    site = None
    site_param = request.GET.get("site")
    if site_param:
        site = next((s for s in sites if str(s.pk) == site_param), None)
        if site is None:
            raise Http404
    elif len(sites) == 1:
        site = sites[0]
    qs = selectors.overdue_queue_for(request.user, site_id=site.pk if site else None)
    page = paginate(request, qs, paginator_class=CappedPaginator)
    # Overdue actions of case plans at the same sites, beside the referrals (docs/case-plan.md).
    actions = plan_selectors.overdue_plan_actions_for(request.user, site_id=site.pk if site else None)
    return render(
        request,
        "services/overdue_queue.html",
        {
            "page_obj": page,
            "plan_page": paginate(request, actions, param="apage", paginator_class=CappedPaginator),
            "sites": sites,
            "site": site,
            "today": timezone.localdate(),
            "can_reassign_caseloads": roles.has_role(request.user, roles.CASELOAD_REASSIGNERS),
        },
    )


@require_GET
@role_required(roles.REPORT_READERS)
def referral_stats(request):
    """Completion rates per partner and per service type (aggregated in the database)."""
    today = timezone.localdate()
    data = request.GET.copy()
    if "date_from" not in data:
        data["date_from"] = add_months(today, -12).isoformat()
    form = StatsFilterForm(
        data,
        programs=programs_visible_to(request.user).order_by("code"),
        sites=selectors.overdue_sites_for(request.user),
    )
    flt = selectors.StatsFilter()
    if form.is_valid():
        flt = selectors.StatsFilter(
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            program_id=form.cleaned_data["program"].pk if form.cleaned_data["program"] else None,
            site_id=form.cleaned_data["site"].pk if form.cleaned_data["site"] else None,
        )
    stats = selectors.referral_stats(request.user, flt)
    return render(request, "services/referral_stats.html", {"form": form, "stats": stats})
