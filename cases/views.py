"""People and intake: thin views. Reads go through the selectors (scoped to the user), writes
through the actions."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from orientation import roles
from orientation.forms import form_errors_add
from orientation.http import next_url_safe
from orientation.models import Site
from orientation.paginator import CappedPaginator, WindowPaginator, paginate
from orientation.params import query_id
from orientation.roles import role_required
from orientation.selectors import site_ids_visible_to
from orientation.submission import submission_repeated, submit_once

from . import actions, selectors
from .filters import PersonFilter
from .forms import (
    ArchiveForm,
    BreakGlassForm,
    CaseNoteForm,
    ConsentForm,
    ConsentWithdrawForm,
    DocumentForm,
    DuplicateCheckForm,
    HouseholdForm,
    IntakeForm,
    PersonEditForm,
    PersonSearchForm,
    RegistrationForms,
    RegularizationStatusForm,
)
from .models import CaseNote
from .selectors import plan as plan_selectors

SEARCH_SESSION_KEY = "cases_person_searches"
SEARCH_SESSION_KEEP = 10


def _registered_message(person) -> str:
    """ "Ana is registered." with the Spanish participle agreeing with the person's sex."""
    if person.sex == "F":
        return pgettext("female", "%(name)s is registered.") % {"name": person}
    if person.sex == "M":
        return pgettext("male", "%(name)s is registered.") % {"name": person}
    return _("%(name)s is registered.") % {"name": person}


# --- Search terms stay out of URLs -------------------------------------------------------------


def _search_store(request, term: str) -> str:
    """Keep the search term in the session; the URL carries only a random key."""
    searches = dict(request.session.get(SEARCH_SESSION_KEY, {}))
    key = secrets.token_urlsafe(6)
    searches[key] = term
    request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCH_SESSION_KEEP:])
    return key


def _search_load(request) -> str:
    return request.session.get(SEARCH_SESSION_KEY, {}).get(request.GET.get("s", ""), "")


def _list_url(params) -> str:
    query = params.urlencode()
    return reverse("cases:person_list") + (f"?{query}" if query else "")


def _person_list_context(request, raw_term: str) -> dict:
    term = selectors.SearchTerm.parse(raw_term)
    people = PersonFilter(request.GET or None, user=request.user, term=term)
    # A search is ranked and not counted (the closest first); a list is counted up to a cap.
    page = paginate(request, people.qs, paginator_class=WindowPaginator if term else CappedPaginator)
    return {
        "page_obj": page,
        "people": selectors.people_mark_open_referrals(page.object_list),
        "term": term,
        "search_form": PersonSearchForm(initial={"q": raw_term}),
        "filter_form": people.form,
        "elsewhere": selectors.people_elsewhere(request.user, term),
        "can_write": roles.has_role(request.user, roles.CASE_WORKERS),
        "sort": people.value("sort") or "",
    }


@role_required(roles.CASE_READERS)
def person_list(request):
    """People of the user's sites: search (posted), filters and sorting (query string)."""
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        raw_term = form.cleaned_data["q"] if form.is_valid() else ""
        params = request.GET.copy()
        for key in ("page", "s", "q"):
            params.pop(key, None)
        if raw_term:
            params["s"] = _search_store(request, raw_term)
        url = _list_url(params)
        if request.htmx:
            request.GET = params
            response = render(
                request, "cases/includes/_person_results.html", _person_list_context(request, raw_term)
            )
            response["HX-Push-Url"] = url
            return response
        return redirect(url)
    if "q" in request.GET:
        # A search box that used GET (e.g. an old bookmark): move the term out of the URL.
        params = request.GET.copy()
        raw_term = params.pop("q")[-1].strip()
        params.pop("page", None)
        if raw_term:
            params["s"] = _search_store(request, raw_term)
        return redirect(_list_url(params))
    return render(request, "cases/person_list.html", _person_list_context(request, _search_load(request)))


# --- Registration and duplicates ---------------------------------------------------------------


def _seen_ids(value: str) -> set[int]:
    return {int(v) for v in (value or "").split(",") if v.strip().isdigit()}


@role_required(roles.CASE_WORKERS)
def person_register(request):
    # "Register a household member": what the household's people share is filled in (editable).
    initial_household, initial_person = selectors.household_member_initial(
        request.user, request.GET.get("household", "")
    ) or (None, None)
    candidates = []
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect("cases:person_detail", pk=earlier.obj.pk)
    if request.method == "POST":
        forms = RegistrationForms(request.POST, user=request.user)
        query = forms.duplicate_query()
        if query:
            candidates = selectors.person_duplicate_candidates(request.user, **query)
            actions.duplicate_check_record(user=request.user, candidates=candidates, request=request)
        valid = forms.is_valid()
        candidate_ids = {c.person.pk for c in candidates}
        confirmed = request.POST.get("confirm_new") == "1" and candidate_ids <= _seen_ids(
            request.POST.get("duplicates_seen", "")
        )
        if valid and (not candidates or confirmed):
            person_data = forms.person.cleaned_data
            try:
                sent = submit_once(
                    request,
                    actions.person_register,
                    user=request.user,
                    person=forms.person.instance,
                    vulnerabilities=person_data.get("vulnerabilities", []),
                    household_mode=forms.household.cleaned_data["mode"],
                    household=forms.household.household,
                    household_address=forms.household.cleaned_data.get("address", ""),
                    relationship=forms.household.cleaned_data.get("relationship", ""),
                    documents=forms.documents,
                    status=None if forms.status.is_blank else forms.status.instance,
                    consents=forms.consent.build(person_data.get("registered_on")),
                    duplicates_confirmed=sorted(candidate_ids),
                    request=request,
                )
            except ValidationError as error:
                # The same form sent twice at once: the first post's record is the answer.
                if earlier := submission_repeated(request):
                    earlier.message(request, "")
                    return redirect("cases:person_detail", pk=earlier.obj.pk)
                form_errors_add(forms.person, error)
                candidates = getattr(error, "candidates", candidates)
            else:
                person = sent.obj
                sent.message(request, _registered_message(person))
                return redirect("cases:person_detail", pk=person.pk)
        # The same form sent twice at once: the twin post saved while this one was being checked
        # (its person now shows as a possible duplicate). Lead to the first record.
        if earlier := submission_repeated(request):
            earlier.message(request, "")
            return redirect("cases:person_detail", pk=earlier.obj.pk)
    else:
        forms = RegistrationForms(
            user=request.user, initial_household=initial_household, initial_person=initial_person
        )
    return render(
        request,
        "cases/person_register.html",
        {
            "forms": forms,
            "candidates": candidates,
            "duplicates_seen": ",".join(str(c.person.pk) for c in candidates),
        },
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def duplicate_check(request):
    """As-you-type check on the registration form (htmx): who might this already be?"""
    form = DuplicateCheckForm.from_registration(request.POST, user=request.user)
    candidates = []
    if form.is_valid() and form.cleaned_data["given_names"] and form.cleaned_data["family_names"]:
        candidates = selectors.person_duplicate_candidates(request.user, **form.query())
        actions.duplicate_check_record(user=request.user, candidates=candidates, request=request)
    return render(
        request, "cases/includes/_duplicate_candidates.html", {"candidates": candidates, "live": True}
    )


@role_required(roles.CASE_WORKERS)
def person_duplicates(request, pk):
    """On demand, from a person's page: who else might this be?"""
    person = selectors.person_get_for_user(request.user, pk)
    document = person.documents.order_by("pk").first()
    candidates = selectors.person_duplicate_candidates(
        request.user,
        given_names=person.given_names,
        family_names=person.family_names,
        birth_date=person.birth_date,
        document_number=document.number if document else "",
        phone=person.phone,
        sex=person.sex,
        nationality=str(person.nationality or ""),
        birth_date_estimated=person.birth_date_estimated,
        exclude_pk=person.pk,
    )
    actions.duplicate_check_record(user=request.user, candidates=candidates, request=request)
    return render(request, "cases/person_duplicates.html", {"person": person, "candidates": candidates})


# --- The person page and changes ----------------------------------------------------------------


@role_required(roles.CASE_READERS)
def person_detail(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    if person.merged_into_id is not None:
        # A tombstone: the record was merged into another, whose page is the person's now.
        messages.info(request, _("This record was merged into this one."))
        return redirect("cases:person_detail", person.merged_into_id)
    actions.person_opened(user=request.user, person=person, request=request)
    # The site a case moved from may keep reading the page (TRANSFER_OLD_SITE_KEEPS_READ), never write.
    read_only = getattr(person, "read_only_after_transfer", False)
    can_write = roles.has_role(request.user, roles.CASE_WORKERS) and not read_only
    context = {
        "read_only_after_transfer": read_only,
        "person": person,
        "can_write": can_write,
        "can_read_psychosocial": roles.has_role(request.user, roles.PSYCHOSOCIAL_READERS),
        **selectors.person_page(request.user, person),
    }
    # The case plan (docs/case-plan.md), open actions first.
    context["plan_actions"] = list(plan_selectors.person_plan(person))
    if can_write:
        context["plan_intakes"] = plan_selectors.intakes_with_unplanned_needs(person)
    if roles.has_role(request.user, roles.ADMIN):
        context["undoable_merges"] = selectors.merges_undoable_of(person)
    # Closing and reopening: case staff of the person's sites (an admin anywhere), not after
    # breaking the glass (cases/case_status.py).
    context["can_change_case"] = can_write and (
        roles.has_role(request.user, roles.ADMIN) or person.site_id in site_ids_visible_to(request.user)
    )
    # Moving or sharing the case (docs/transfer.md): caseworkers of the person's site, admins.
    context["can_request_transfer"] = context["can_change_case"] and roles.has_role(
        request.user, roles.SITE_REQUESTERS
    )
    if can_write:
        context["note_form"] = CaseNoteForm(
            can_write_psychosocial=context["can_read_psychosocial"], prefix="note"
        )
        context["archive_form"] = ArchiveForm(prefix="archive")
    return render(request, "cases/person_detail.html", context)


@role_required(roles.CASE_WORKERS)
def person_edit(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    form = PersonEditForm(request.POST or None, instance=person, user=request.user, prefix="person")
    household_form = HouseholdForm(request.POST or None, user=request.user, person=person, prefix="household")
    if request.method == "POST" and form.is_valid() and household_form.is_valid():
        try:
            actions.person_update(
                user=request.user,
                person=form.instance,
                vulnerabilities=form.cleaned_data.get("vulnerabilities", []),
                household_mode=household_form.cleaned_data["mode"],
                household=household_form.household,
                relationship=household_form.cleaned_data.get("relationship") or "",
                change_reason=form.cleaned_data.get("change_reason", ""),
                version=form.version,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request, "cases/person_edit.html", {"person": person, "form": form, "household_form": household_form}
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def person_archive(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    form = ArchiveForm(request.POST, prefix="archive")
    if not form.is_valid():
        messages.error(request, _("Write why the file is archived."))
        return redirect("cases:person_detail", pk=person.pk)
    actions.person_archive(user=request.user, person=person, reason=form.cleaned_data["reason"])
    messages.success(request, _("The file is archived. It is kept, out of the lists."))
    return redirect("cases:person_detail", pk=person.pk)


@require_POST
@role_required(roles.CASE_WORKERS)
def person_restore(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    actions.person_restore(user=request.user, person=person)
    messages.success(request, _("The file is active again."))
    return redirect("cases:person_detail", pk=person.pk)


# --- Break the glass ------------------------------------------------------------------------------


@role_required(roles.CASE_WORKERS)
def break_glass(request, pk):
    """Where a caseworker lands when they ask for another site's file by its address.

    It says nothing about the person (nor whether the id exists): breaking the glass starts from a
    search result, whose link is signed for that user. Every look is kept in the access log.
    """
    person = selectors.person_open_or_none(request.user, pk)
    if person is not None:
        return redirect(next_url_safe(request, reverse("cases:person_detail", args=[person.pk])))
    actions.person_break_glass_page_shown(user=request.user, person_id=pk, request=request)
    return render(request, "cases/break_glass_search_first.html", status=403)


@role_required(roles.CASE_WORKERS)
def break_glass_open(request, token):
    """Another site's person, chosen in a search result: a typed reason, kept in the access log,
    opens the file. The page shows nothing about the person before the reason is given."""
    person_id = selectors.break_glass_token_person_id(request.user, token)
    if person_id is None:
        actions.person_break_glass_page_shown(user=request.user, person_id="", request=request)
        return render(request, "cases/break_glass_search_first.html", status=403)
    person = selectors.person_minimal_get(request.user, person_id)
    next_url = next_url_safe(request, reverse("cases:person_detail", args=[person.pk]))
    if selectors.person_is_open_to(request.user, person):
        return redirect(next_url)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.person_break_glass(
                user=request.user, person=person, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.warning(request, _("Access recorded in the access log with your reason."))
            return redirect(next_url)
    actions.person_break_glass_page_shown(user=request.user, person_id=person.pk, request=request)
    return render(request, "cases/break_glass.html", {"form": form, "next": next_url})


# --- Intakes ----------------------------------------------------------------------------------------


@role_required(roles.CASE_WORKERS)
def intake_create(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    form = IntakeForm(request.POST or None, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.intake_record,
                user=request.user,
                person=person,
                site=data["site"],
                day=data["date"],
                priority=data["priority"],
                population_type=data["population_type"],
                needs=form.needs(),
                notes=data.get("notes", ""),
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Intake recorded."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(request, "cases/intake_form.html", {"person": person, "form": form})


@role_required(roles.CASE_WORKERS)
def intake_today(request):
    sites = Site.objects.filter(pk__in=site_ids_visible_to(request.user)).order_by("code")
    site = None
    site_id = query_id(request.GET.get("site"))
    if site_id is not None:
        site = next((s for s in sites if s.pk == site_id), None)
    intakes = selectors.intakes_today(request.user, site=site)
    page = paginate(request, intakes)
    return render(
        request,
        "cases/intake_today.html",
        {"page_obj": page, "intakes": page.object_list, "sites": sites, "site": site},
    )


# --- Notes, consent, documents, status ----------------------------------------------------------


@role_required(roles.CASE_WORKERS)
def case_note_create(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    can_psy = roles.has_role(request.user, roles.PSYCHOSOCIAL_READERS)
    form = CaseNoteForm(request.POST or None, can_write_psychosocial=can_psy, prefix="note")
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request,
                actions.case_note_add,
                user=request.user,
                person=person,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                site=person.site,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Note added."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Add a note"), "action": request.path},
    )


@role_required(roles.CASE_READERS)
def case_note_detail(request, pk):
    """A note on its own page. Opening a confidential psychosocial note is logged, every time."""
    note = selectors.case_note_get_for_user(request.user, pk)
    if note.kind == CaseNote.Kind.PSYCHOSOCIAL:
        actions.case_note_opened(user=request.user, note=note, request=request)
    return render(request, "cases/case_note_detail.html", {"note": note, "person": note.person})


@role_required(roles.CASE_WORKERS)
def consent_create(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    form = ConsentForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request, actions.consent_give, user=request.user, person=person, consent=form.instance
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Consent recorded."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Record consent"), "action": request.path},
    )


@require_POST
@role_required(roles.CASE_WORKERS)
def consent_withdraw(request, pk):
    consent = selectors.consent_get_for_user(request.user, pk, write=True)
    person = consent.person
    form = ConsentWithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a valid date."))
        actions.consent_withdraw(user=request.user, consent=consent, on=form.cleaned_data["withdrawn_on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn."))
    return redirect("cases:person_detail", pk=person.pk)


@role_required(roles.CASE_WORKERS)
def document_create(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect("cases:person_detail", pk=person.pk)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request,
                actions.identity_document_add,
                user=request.user,
                person=person,
                document=form.instance,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Document added."))
            return redirect("cases:person_detail", pk=person.pk)
    elif request.method == "POST" and (earlier := submission_repeated(request)):
        # The same form sent twice at once: the first post saved the document while this one was
        # being checked, so its number now looks taken. Lead to the first result.
        earlier.message(request, "")
        return redirect("cases:person_detail", pk=person.pk)
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Add an identity document"), "action": request.path},
    )


@role_required(roles.CASE_WORKERS)
def status_create(request, pk):
    person = selectors.person_get_for_user(request.user, pk, write=True)
    form = RegularizationStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = submit_once(
                request,
                actions.regularization_status_add,
                user=request.user,
                person=person,
                status=form.instance,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            sent.message(request, _("Migratory status recorded."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request,
        "cases/person_record_form.html",
        {"person": person, "form": form, "title": _("Record a migratory status"), "action": request.path},
    )


# --- Documents about to expire --------------------------------------------------------------------


@require_GET
@role_required(roles.CASE_READERS)
def documents_expiring(request):
    """Identity documents of the user's sites expiring within 30, 60 or 90 days, soonest first."""
    sites = list(Site.objects.filter(pk__in=site_ids_visible_to(request.user)).order_by("code"))
    site_id = request.GET.get("site", "")
    site = next((s for s in sites if str(s.pk) == site_id), None)
    within = query_id(request.GET.get("within"))
    within = within if within in selectors.EXPIRY_WINDOWS else selectors.EXPIRY_WINDOWS[0]
    documents = selectors.documents_expiring_for(request.user, within=within, site=site)
    page = paginate(request, documents)
    return render(
        request,
        "cases/documents_expiring.html",
        {
            "page_obj": page,
            "documents": page.object_list,
            "sites": sites,
            "site": site,
            "within": within,
            "windows": selectors.EXPIRY_WINDOWS,
            "today": timezone.localdate(),
        },
    )
