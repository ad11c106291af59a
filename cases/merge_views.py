"""The duplicates review, the side-by-side page that merges two records, dismissing a pair and
undoing a merge (cases/merging.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orientation import roles
from orientation.paginator import paginate
from orientation.roles import role_required

from . import actions, merging, selectors
from .forms.merge import MergeForm

REVIEW_PAGE_SIZE = 20


@require_GET
@role_required(roles.CASE_WORKERS)
def duplicate_review(request):
    """Likely duplicate pairs at the user's sites, the most likely first."""
    page = paginate(request, selectors.duplicate_pairs_for_user(request.user), size=REVIEW_PAGE_SIZE)
    return render(request, "cases/duplicate_review.html", {"page_obj": page, "pairs": page.object_list})


@role_required(roles.CASE_WORKERS)
def duplicate_pair(request, first, second):
    """Two records side by side; merge them, choosing the values to keep where they differ."""
    try:
        first_person, second_person = selectors.duplicate_pair_get(request.user, first, second)
    except Http404:
        merge = selectors.merge_of_pair(request.user, first, second)
        if merge is None:
            raise
        # The form sent twice, or the pair merged by someone else meanwhile.
        messages.info(request, _("These two records were already merged into this one."))
        return redirect("cases:person_detail", merge.survivor_id)
    differing = merging.merge_fields_differing(first_person, second_person)
    form = MergeForm(request.POST or None, first=first_person, second=second_person, differing=differing)
    if request.method == "POST" and form.is_valid():
        try:
            merge = merging.person_merge(user=request.user, request=request, **form.merge_arguments())
        except ValidationError as error:
            merge = selectors.merge_of_pair(request.user, first, second)
            if merge is not None:
                messages.info(request, _("These two records were already merged into this one."))
                return redirect("cases:person_detail", merge.survivor_id)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The two records are now one. The other record's page and reference lead here."),
            )
            return redirect("cases:person_detail", merge.survivor_id)
    for person in (first_person, second_person):
        # Opening a pair shows two case files.
        actions.person_opened(user=request.user, person=person, request=request)
    return render(
        request,
        "cases/duplicate_pair.html",
        {"first": first_person, "second": second_person, "form": form, "differing": differing},
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def duplicate_dismiss(request, first, second):
    """ "Not the same person": the pair leaves the review for good."""
    first_person, second_person = selectors.duplicate_pair_get(request.user, first, second)
    merging.duplicate_pair_dismiss(user=request.user, first=first_person, second=second_person)
    messages.success(request, _("Marked as two different people: the pair will not be shown again."))
    return redirect("cases:duplicate_review")


@require_POST
@role_required(roles.ADMIN)
def merge_undo(request, pk):
    """An admin undoes a merge within the allowed period: both records as they were."""
    merge = selectors.person_merge_get_for_user(request.user, pk)
    try:
        merging.person_unmerge(user=request.user, merge_id=merge.pk, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:person_detail", merge.survivor_id)
    messages.success(request, _("The merge was undone: both records are back as they were."))
    return redirect("cases:person_detail", merge.survivor_id)
