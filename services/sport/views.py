"""Views of the youth sport program: thin. Reads go through selectors.py, writes through actions.py.

The attendance screen works on a phone at the pitch: each tap is an htmx POST that stores one row
and returns that row; every form also works without JavaScript (a normal POST and a redirect).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from orientation import roles
from orientation.forms import form_errors_add
from orientation.paginator import paginate
from orientation.params import query_id
from orientation.roles import role_required
from orientation.submission import submission_repeated, submit_once

from . import actions, selectors
from .forms import HeadCountForm, LightProfileForm, SportGroupForm, SportSessionForm
from .models import Activity


def _attendance_url(session, anchor: str = "") -> str:
    url = reverse("sport:sport_attendance", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


def _age_warning(session, person) -> str:
    group = session.group
    return _(
        "%(name)s is %(age)s, outside the group's age range (%(low)s–%(high)s). They were added anyway."
    ) % {"name": person, "age": person.age(on=session.date), "low": group.age_min, "high": group.age_max}


# --- Groups -------------------------------------------------------------------------------------


@require_GET
@role_required(roles.SPORT_STAFF)
def sport_group_list(request):
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "active")
    active = {"active": True, "inactive": False, "all": None}.get(show, True)
    site_id = query_id(request.GET.get("site"))
    groups = selectors.sport_groups_for_list(request.user, query=query, site_id=site_id, active=active)
    page = paginate(request, groups)
    context = {
        "page_obj": page,
        "query": query,
        "show": show,
        "site_id": site_id,
        "sites": selectors.sport_group_sites_for_filter(request.user),
        "can_create": roles.has_role(request.user, roles.SPORT_GROUP_MANAGERS),
        "filtered": bool(query or site_id or show != "active"),
    }
    return render(request, "sport/group_list.html", context)


@role_required(roles.SPORT_GROUP_MANAGERS)
def sport_group_create(request):
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect("sport:sport_group_detail", pk=earlier.obj.pk)
    form = SportGroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.sport_group_create,
                user=request.user,
                program=data["program"],
                site=data["site"],
                name=data["name"],
                age_min=data["age_min"],
                age_max=data["age_max"],
                facilitators=data["facilitators"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            group = sent.obj
            sent.message(request, _("Group %(name)s created.") % {"name": group.name})
            return redirect("sport:sport_group_detail", pk=group.pk)
    elif request.method == "POST" and (earlier := submission_repeated(request)):
        # The same form sent twice at once: the first post created the group while this one was
        # being checked, so its name now looks taken. Lead to the first result.
        earlier.message(request, "")
        return redirect("sport:sport_group_detail", pk=earlier.obj.pk)
    return render(request, "sport/group_form.html", {"form": form, "group": None})


@role_required(roles.SPORT_GROUP_MANAGERS)
def sport_group_edit(request, pk):
    group = selectors.sport_group_get_for_user(request.user, pk, mode=selectors.MANAGE)
    form = SportGroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.sport_group_update(
                group=group,
                user=request.user,
                program=data["program"],
                site=data["site"],
                name=data["name"],
                age_min=data["age_min"],
                age_max=data["age_max"],
                facilitators=data["facilitators"],
                active=data["active"],
                version=form.version,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Group %(name)s saved.") % {"name": group.name})
            return redirect("sport:sport_group_detail", pk=group.pk)
    return render(request, "sport/group_form.html", {"form": form, "group": group})


@require_GET
@role_required(roles.SPORT_STAFF)
def sport_group_detail(request, pk):
    group = selectors.sport_group_get_for_user(request.user, pk)
    today = timezone.localdate()
    stopped, enough_sessions = selectors.sport_group_stopped_coming(group, today=today)
    context = {
        "group": group,
        "facilitators": group.facilitators.all(),
        "stats": selectors.sport_group_stats(group, today=today),
        "sessions_page": paginate(request, selectors.sport_group_sessions(group), size=10),
        "participants": selectors.sport_group_participants(group),
        "stopped": stopped,
        "enough_sessions": enough_sessions,
        "stopped_after": selectors.STOPPED_AFTER_SESSIONS,
        "can_write": selectors.sport_group_can(request.user, group, selectors.WRITE),
        "can_manage": selectors.sport_group_can(request.user, group, selectors.MANAGE),
        "today": today,
    }
    return render(request, "sport/group_detail.html", context)


@require_POST
@role_required(roles.SPORT_WRITERS)
def sport_participant_leave(request, pk, person_pk):
    group = selectors.sport_group_get_for_user(request.user, pk, mode=selectors.WRITE)
    membership = selectors.sport_group_membership_get(group, person_pk)
    actions.sport_participant_leave(user=request.user, group=group, person=membership.person)
    messages.success(request, _("%(name)s was taken off the group's list.") % {"name": membership.person})
    return redirect("sport:sport_group_detail", pk=group.pk)


# --- Sessions and attendance --------------------------------------------------------------------


@role_required(roles.SPORT_WRITERS)
def sport_session_create(request, pk):
    group = selectors.sport_group_get_for_user(request.user, pk, mode=selectors.WRITE)
    form = SportSessionForm(
        request.POST or None, group=group, user=request.user, initial=_session_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session, created = actions.sport_session_start(
                user=request.user,
                group=group,
                date=data["date"],
                activity=data["activity"],
                topic=data["topic"],
                facilitators=data["facilitators"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            if created:
                messages.success(request, _("Session opened. Tap each participant who came."))
            else:
                messages.info(request, _("This session had already been opened; here it is."))
            return redirect(_attendance_url(session))
    return render(request, "sport/session_form.html", {"form": form, "group": group})


def _session_initial(request) -> dict:
    activity = request.GET.get("activity")
    return {"activity": activity} if activity in Activity.values else {}


def _attendance_context(request, session) -> dict:
    user = request.user
    can_write = selectors.sport_group_can(user, session.group, selectors.WRITE)
    rows = selectors.sport_attendance_rows(session)
    is_future = session.date > timezone.localdate()
    query = request.GET.get("q", "").strip()
    context = {
        "session": session,
        "group": session.group,
        "rows": rows,
        "tally": selectors.sport_session_tally(session, rows),
        "can_write": can_write and not is_future,
        "is_future": is_future,
        "query": query,
        "results": selectors.sport_people_search(user, session, query) if can_write and query else None,
    }
    if can_write and not is_future:
        context["light_form"] = LightProfileForm(session=session)
    if session.activity == Activity.COMMUNITY_ACTIVITY:
        context["head_form"] = HeadCountForm(initial_counts=selectors.sport_session_head_counts(session))
    return context


@require_GET
@role_required(roles.SPORT_STAFF)
def sport_attendance(request, pk):
    session = selectors.sport_session_get_for_user(request.user, pk)
    return render(request, "sport/attendance.html", _attendance_context(request, session))


@require_POST
@role_required(roles.SPORT_WRITERS)
def sport_attendance_mark(request, pk, person_pk):
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    person = selectors.sport_attendance_row(session, person_pk)
    value = request.POST.get("present")
    if value not in ("0", "1"):
        return HttpResponseBadRequest(_("Say whether the participant was present."))
    error = ""
    try:
        actions.attendance_record(user=request.user, session=session, person=person, present=value == "1")
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_attendance_url(session, f"p{person.pk}"))
    context = {
        "session": session,
        "group": session.group,
        "person": selectors.sport_attendance_row(session, person.pk),
        "can_write": True,
        "error": error,
        "tally": selectors.sport_session_tally(session),
        "oob": True,
    }
    return render(request, "sport/includes/_attendance_mark_response.html", context)


@require_POST
@role_required(roles.SPORT_WRITERS)
def sport_attendance_all_present(request, pk):
    """Everyone on the list not recorded yet is marked present, in one request; each child can then
    be corrected with their own tap. Pressing it again changes nothing."""
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    error = ""
    try:
        actions.attendance_mark_rest_present(user=request.user, session=session)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_attendance_url(session))
    rows = selectors.sport_attendance_rows(session)
    context = {
        "session": session,
        "group": session.group,
        "rows": rows,
        "can_write": True,
        "list_error": error,
        "tally": selectors.sport_session_tally(session, rows),
    }
    return render(request, "sport/includes/_attendance_list_response.html", context)


@require_GET
@role_required(roles.SPORT_WRITERS)
def sport_attendance_search(request, pk):
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    query = request.GET.get("q", "").strip()
    if not request.htmx:
        return redirect(f"{_attendance_url(session)}?{urlencode({'q': query})}#add")
    context = {
        "session": session,
        "query": query,
        "results": selectors.sport_people_search(request.user, session, query),
    }
    return render(request, "sport/includes/_search_results.html", context)


@require_POST
@role_required(roles.SPORT_WRITERS)
def sport_attendance_add(request, pk):
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    person = selectors.sport_person_for_adding(request.user, request.POST.get("person"))
    try:
        actions.sport_participant_add(user=request.user, session=session, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_attendance_url(session))
    notices = [("success", _("%(name)s joined the group and was marked present.") % {"name": person})]
    if selectors.sport_age_outside_range(session.group, person, on=session.date):
        notices.append(("warning", _age_warning(session, person)))
    if not request.htmx:
        for level, text in notices:
            messages.add_message(request, messages.WARNING if level == "warning" else messages.SUCCESS, text)
        return redirect(_attendance_url(session, f"p{person.pk}"))
    context = {
        "session": session,
        "group": session.group,
        "person": selectors.sport_attendance_row(session, person.pk),
        "can_write": True,
        "tally": selectors.sport_session_tally(session),
        "notices": notices,
    }
    return render(request, "sport/includes/_attendance_add_response.html", context)


@role_required(roles.SPORT_WRITERS)
def sport_light_profile_create(request, pk):
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    template = "sport/includes/_light_profile_form.html" if request.htmx else "sport/light_profile_form.html"
    form = LightProfileForm(request.POST or None, session=session)
    duplicates = []
    if request.method == "POST" and (earlier := submission_repeated(request)):
        return _light_profile_created(request, session, earlier.obj)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm_new"]:
            duplicates = selectors.sport_light_profile_duplicates(
                request.user,
                given_names=data["given_names"],
                family_names=data["family_names"],
                birth_date=data["birth_date"],
            )
        if duplicates and (earlier := submission_repeated(request)):
            # The same form sent twice at once: the first post's child is the answer.
            return _light_profile_created(request, session, earlier.obj)
        if duplicates:
            form.show_confirm_new()
        else:
            try:
                person = submit_once(
                    request,
                    actions.sport_light_profile_create,
                    user=request.user,
                    session=session,
                    given_names=data["given_names"],
                    family_names=data["family_names"],
                    sex=data["sex"],
                    birth_date=data["birth_date"],
                    birth_date_estimated=data["birth_date_estimated"],
                    nationality=data["nationality"],
                    population_type=data["population_type"],
                    school=data["school"],
                    guardian_name=data["guardian_name"],
                    guardian_relationship=data["guardian_relationship"],
                    guardian_phone=data["guardian_phone"],
                    consent_method=data["consent_method"],
                    data_consent=data["data_consent"],
                    image_consent=data["image_consent"],
                ).obj
            except ValidationError as exc:
                if earlier := submission_repeated(request):
                    return _light_profile_created(request, session, earlier.obj)
                form_errors_add(form, exc)
            else:
                return _light_profile_created(request, session, person)
    context = {"session": session, "group": session.group, "light_form": form, "duplicates": duplicates}
    return render(request, template, context)


def _registered_present_message(person) -> str:
    """The Spanish participle agrees with the person's sex."""
    if person.sex == "F":
        return pgettext("female", "%(name)s was registered and marked present.") % {"name": person}
    if person.sex == "M":
        return pgettext("male", "%(name)s was registered and marked present.") % {"name": person}
    return _("%(name)s was registered and marked present.") % {"name": person}


def _light_profile_created(request, session, person):
    notices = [("success", _registered_present_message(person))]
    if selectors.sport_age_outside_range(session.group, person, on=session.date):
        notices.append(("warning", _age_warning(session, person)))
    if not request.htmx:
        for level, text in notices:
            messages.add_message(request, messages.WARNING if level == "warning" else messages.SUCCESS, text)
        return redirect(_attendance_url(session, f"p{person.pk}"))
    context = {
        "session": session,
        "group": session.group,
        "person": selectors.sport_attendance_row(session, person.pk),
        "can_write": True,
        "tally": selectors.sport_session_tally(session),
        "notices": notices,
        "light_form": LightProfileForm(session=session),
    }
    return render(request, "sport/includes/_light_profile_created.html", context)


@require_POST
@role_required(roles.SPORT_WRITERS)
def sport_head_count(request, pk):
    session = selectors.sport_session_get_for_user(request.user, pk, mode=selectors.WRITE)
    form = HeadCountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Head counts are whole numbers from 0 to 10,000."))
        return redirect(_attendance_url(session, "head-count"))
    try:
        sent = submit_once(
            request, actions.head_count_set, user=request.user, session=session, counts=form.counts()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        sent.message(request, _("Anonymous head count saved: %(total)s people.") % {"total": sent.obj})
    return redirect(_attendance_url(session, "head-count"))


# --- Light profiles -----------------------------------------------------------------------------


@require_GET
@role_required(roles.SPORT_STAFF)
def sport_participant_detail(request, pk):
    person = selectors.sport_participant_get_for_user(request.user, pk)
    attendance = selectors.sport_participant_attendance(request.user, person)
    context = {
        "person": person,
        "consents": selectors.sport_participant_consents(person),
        "memberships": selectors.sport_participant_memberships(request.user, person),
        "attendance_page": paginate(request, attendance, size=20),
        "is_minor": (person.age() or 0) < actions.ADULT_AGE,
        "can_open_case_file": roles.has_role(request.user, roles.CASE_READERS),
    }
    return render(request, "sport/participant_detail.html", context)
