"""Views of the reception desk, the line and the waiting-room display: thin. Reads go through
selectors.py, writes through actions.py (docs/reception.md)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.actions import duplicate_check_record
from cases.models import Area
from cases.selectors import person_duplicate_candidates
from cases.selectors.plan import plan_action_initial, plan_actions_open_of
from orientation import roles
from orientation.forms import form_errors_add
from orientation.paginator import paginate
from orientation.params import query_id
from orientation.roles import role_required
from orientation.submission import submission_repeated, submit_once

from . import actions, selectors
from .forms import AppointmentForm, CheckInForm, DeskForm, QuickRegistrationForm
from .models import Appointment, Visit

DESK_SESSION_KEY = "reception_desk"


def _area_of(value) -> str:
    return value if value in Area.values else ""


def _queue_url(site, area: str = "") -> str:
    params = {"site": site.pk}
    if area:
        params["area"] = area
    return reverse("reception:queue") + "?" + urlencode(params)


def _no_site(request):
    messages.warning(request, _("You do not work at a site with a reception yet. Ask an administrator."))
    return redirect("home")


# --- The reception desk ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(roles.RECEPTIONISTS)
def reception_desk(request):
    """Find a person (or register them) and check them in; today's tickets at the site.

    The search is posted: a name, document number or phone never goes into a URL (server logs,
    browser history); the site, ticket and status filters stay in the query string."""
    site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site")))
    if site is None:
        return _no_site(request)
    query = request.POST.get("q", "").strip()[:100] if request.method == "POST" else ""
    ticket = request.GET.get("ticket", "").strip()[:10]
    status = request.GET.get("status", "")
    today = timezone.localdate()
    people = selectors.reception_people_search(request.user, query) if query else []
    visits = paginate(request, selectors.reception_day_visits(site, day=today, query=ticket, status=status))
    context = {
        "site": site,
        "sites": selectors.reception_sites_for(request.user),
        "query": query,
        "people": people,
        "searched": bool(query),
        "page_obj": visits,
        "ticket": ticket,
        "status": status if status in Visit.Status.values else "",
        "statuses": Visit.Status.choices,
        "today": today,
        "filtered": bool(ticket or status),
        "line_counts": selectors.reception_line_counts(site, day=today),
        "can_register": roles.has_role(request.user, roles.PERSON_REGISTRARS),
    }
    return render(request, "reception/desk.html", context)


@role_required(roles.RECEPTIONISTS)
def reception_check_in(request, pk):
    person = selectors.reception_person_get(request.user, pk)
    sites = selectors.reception_sites_for(request.user)
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect("reception:visit_detail", pk=earlier.obj.pk)
    initial_site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site")))
    today = timezone.localdate()
    appointments = selectors.appointments_for_check_in(person, site=initial_site, day=today)
    first = appointments.first()
    form = CheckInForm(
        request.POST or None,
        sites=sites,
        appointments=appointments,
        initial={"site": initial_site, "appointment": first},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.visit_check_in,
                user=request.user,
                site=data["site"],
                person=person,
                area=data["area"],
                returning=data["returning"],
                manual_priority=data["manual_priority"],
                appointment=data.get("appointment"),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            visit = sent.obj
            sent.message(request, _("Ticket %(ticket)s given.") % {"ticket": visit.ticket})
            return redirect("reception:visit_detail", pk=visit.pk)
    open_visit = selectors.reception_open_visit(person, site=initial_site, day=today)
    context = {
        "form": form,
        "person": person,
        "site": initial_site,
        "open_visit": open_visit,
        "upcoming": selectors.appointments_upcoming(person, user=request.user, today=today),
    }
    return render(request, "reception/check_in.html", context)


@role_required(roles.PERSON_REGISTRARS)
def reception_register(request):
    """Quick registration at the door, with the duplicate checks of the full form."""
    site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site")))
    if site is None:
        return _no_site(request)
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect(reverse("reception:check_in", args=[earlier.obj.pk]) + f"?site={site.pk}")
    form = QuickRegistrationForm(request.POST or None, site=site)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = form.document()
        confirmed = [int(v) for v in request.POST.getlist("seen") if v.isdigit()]
        candidates = person_duplicate_candidates(
            request.user,
            given_names=data["given_names"],
            family_names=data["family_names"],
            birth_date=data.get("birth_date"),
            document_number=document.number if document else "",
            phone=data.get("phone", ""),
            sex=data.get("sex", ""),
        )
        if {c.person.pk for c in candidates} - set(confirmed):
            form.add_error(None, _("This person may already be registered: check the people below."))
        else:
            try:
                sent = submit_once(
                    request,
                    actions.person_quick_register,
                    user=request.user,
                    person=form.instance,
                    document=document,
                    vulnerabilities=data["priority_vulnerabilities"],
                    consents=form.consents(),
                    duplicates_confirmed=confirmed,
                    request=request,
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
                candidates = getattr(exc, "candidates", candidates)
            else:
                person = sent.obj
                sent.message(request, _("%(name)s registered. Now give the ticket.") % {"name": person})
                return redirect(reverse("reception:check_in", args=[person.pk]) + f"?site={site.pk}")
    own_sites = {s.pk for s in selectors.reception_sites_for(request.user)}
    elsewhere = [c for c in candidates if c.person.site_id not in own_sites]
    if elsewhere:
        # Told that someone of another site may be this person (never who): in the access log.
        duplicate_check_record(user=request.user, candidates=elsewhere, request=request)
    context = {
        "form": form,
        "site": site,
        "candidates": [c for c in candidates if c.person.site_id in own_sites],
        "elsewhere": elsewhere,
        "seen": [c.person.pk for c in candidates],
    }
    return render(request, "reception/register.html", context)


@require_GET
@role_required(roles.RECEPTIONISTS)
def reception_visit_detail(request, pk):
    visit = selectors.visit_get_for_user(request.user, pk)
    actions.visit_opened(user=request.user, visit=visit, request=request)
    context = {
        "visit": visit,
        "priority_labels": selectors.visit_priority_labels(visit),
        "can_call": roles.has_role(request.user, roles.QUEUE_CALLERS),
        "desk": request.session.get(DESK_SESSION_KEY, ""),
    }
    return render(request, "reception/visit_detail.html", context)


# --- The line -------------------------------------------------------------------------------------


@require_GET
@role_required(roles.RECEPTIONISTS)
def reception_queue(request):
    site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site")))
    if site is None:
        return _no_site(request)
    area = _area_of(request.GET.get("area"))
    today = timezone.localdate()
    page = paginate(request, selectors.reception_line(site, day=today, area=area))
    context = {
        "site": site,
        "sites": selectors.reception_sites_for(request.user),
        "area": area,
        "area_label": dict(Area.choices).get(area, ""),
        "page_obj": page,
        "at_desks": list(selectors.reception_at_desks(site, day=today, area=area)[:20]),
        "line_counts": selectors.reception_line_counts(site, day=today, area=area),
        "can_call": roles.has_role(request.user, roles.QUEUE_CALLERS),
        "desk": request.session.get(DESK_SESSION_KEY, ""),
        "user_pk": request.user.pk,
    }
    template = "reception/includes/_queue_body.html" if request.htmx else "reception/queue.html"
    return render(request, template, context)


def _posted_site(request):
    return selectors.reception_site_choose(request.user, query_id(request.POST.get("site")))


@require_POST
@role_required(roles.QUEUE_CALLERS)
def reception_call_next(request):
    site = _posted_site(request)
    if site is None:
        return _no_site(request)
    area = _area_of(request.POST.get("area"))
    form = DeskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your desk number before calling."))
        return redirect(_queue_url(site, area))
    request.session[DESK_SESSION_KEY] = form.cleaned_data["desk"]
    try:
        visit = actions.visit_call_next(
            user=request.user, site=site, area=area, desk=form.cleaned_data["desk"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_queue_url(site, area))
    if visit is None:
        messages.info(request, _("Nobody is waiting in this line."))
    else:
        messages.success(
            request,
            _("Ticket %(ticket)s called to desk %(desk)s.") % {"ticket": visit.ticket, "desk": visit.desk},
        )
    return redirect(_queue_url(site, area))


@require_POST
@role_required(roles.QUEUE_CALLERS)
def reception_visit_call(request, pk):
    """Call this ticket, from the line of the site posted (a ticket of another site is refused)."""
    visit = selectors.visit_get_for_user(request.user, pk)
    site = _posted_site(request) if request.POST.get("site") else visit.site
    area = _area_of(request.POST.get("area"))
    desk = (request.POST.get("desk") or request.session.get(DESK_SESSION_KEY, "")).strip()
    try:
        visit = actions.visit_call(user=request.user, visit=visit, site=site, desk=desk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session[DESK_SESSION_KEY] = visit.desk
        messages.success(
            request,
            _("Ticket %(ticket)s called to desk %(desk)s.") % {"ticket": visit.ticket, "desk": visit.desk},
        )
    return redirect(_queue_url(site, area))


def _step(request, pk, action, done_message: str):
    visit = selectors.visit_get_for_user(request.user, pk)
    area = _area_of(request.POST.get("area"))
    try:
        visit = action(user=request.user, visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message % {"ticket": visit.ticket})
    return visit, redirect(_queue_url(visit.site, area))


@require_POST
@role_required(roles.QUEUE_CALLERS)
def reception_visit_no_answer(request, pk):
    visit, response = _step(request, pk, actions.visit_no_answer, _("Ticket %(ticket)s: no answer."))
    return response


@require_POST
@role_required(roles.QUEUE_CALLERS)
def reception_visit_start(request, pk):
    """The person is at the desk: their service starts and their intake opens."""
    visit, response = _step(request, pk, actions.visit_start, _("Ticket %(ticket)s: service started."))
    if visit.status == Visit.Status.IN_SERVICE:
        return redirect("cases:intake_create", pk=visit.person_id)
    return response


@require_POST
@role_required(roles.QUEUE_CALLERS)
def reception_visit_done(request, pk):
    return _step(request, pk, actions.visit_done, _("Ticket %(ticket)s: done."))[1]


@require_POST
@role_required(roles.RECEPTIONISTS)
def reception_visit_left(request, pk):
    return _step(request, pk, actions.visit_left, _("Ticket %(ticket)s: left without service."))[1]


# --- The waiting-room display ---------------------------------------------------------------------


@require_GET
@role_required(roles.RECEPTIONISTS)
def reception_display(request, site_pk):
    """The TV of the waiting room: tickets and desks in large type, never a name. It signs in with
    a reception account of the site (docs/reception.md) and asks for the calls every second."""
    site = selectors.reception_site_get(request.user, site_pk)
    context = {"site": site, "calls": selectors.reception_display_calls(site)}
    return render(request, "reception/display.html", context)


@require_GET
@role_required(roles.RECEPTIONISTS)
def reception_display_calls(request, site_pk):
    site = selectors.reception_site_get(request.user, site_pk)
    context = {"site": site, "calls": selectors.reception_display_calls(site)}
    return render(request, "reception/includes/_display_calls.html", context)


# --- Appointments ---------------------------------------------------------------------------------


# Days a page may ask for: a typed or tampered year far away shows today instead.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _day_param(value) -> date | None:
    """A day typed as dd/mm/yyyy (the filters' boxes) or yyyy-mm-dd (the links)."""
    from datetime import datetime

    day = None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime((value or "").strip()[:10], pattern).date()  # noqa: DTZ007 (a day)
            break
        except (TypeError, ValueError):
            continue
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


@require_GET
@role_required(roles.RECEPTIONISTS)
def appointment_agenda(request):
    """A site's agenda for a day or a week, for everyone or one staff member."""
    site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site")))
    if site is None:
        return _no_site(request)
    day = _day_param(request.GET.get("day")) or timezone.localdate()
    week = request.GET.get("view") == "week"
    start, end = selectors.week_of(day) if week else (day, day)
    staff_choices = selectors.appointment_staff_choices(request.user)
    staff_id = query_id(request.GET.get("staff"))
    status = request.GET.get("status", "")
    qs = selectors.appointments_agenda(site, start=start, end=end, staff_id=staff_id, status=status)
    page = paginate(request, qs, size=50)
    step = timedelta(days=7 if week else 1)
    context = {
        "site": site,
        "sites": selectors.reception_sites_for(request.user),
        "day": day,
        "start": start,
        "end": end,
        "week": week,
        "previous_day": (day - step).isoformat(),
        "next_day": (day + step).isoformat(),
        "staff_choices": staff_choices,
        "staff_id": staff_id,
        "status": status if status in Appointment.Status.values else "",
        "statuses": Appointment.Status.choices,
        "page_obj": page,
        "filtered": bool(staff_id or status),
    }
    return render(request, "reception/agenda.html", context)


@role_required(roles.RECEPTIONISTS)
def appointment_book(request, pk):
    person = selectors.reception_person_get(request.user, pk)
    if request.method == "POST" and (earlier := submission_repeated(request)):
        earlier.message(request, "")
        return redirect(_agenda_url(earlier.obj))
    site = selectors.reception_site_choose(request.user, query_id(request.GET.get("site"))) or person.site
    form = AppointmentForm(
        request.POST or None,
        sites=selectors.reception_sites_for(request.user),
        staff=selectors.appointment_staff_choices(request.user),
        initial={"site": site, **plan_action_initial(request)},
        plan_actions=plan_actions_open_of(person)
        if roles.has_role(request.user, roles.CASE_WORKERS)
        else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = submit_once(
                request,
                actions.appointment_book,
                user=request.user,
                person=person,
                site=data["site"],
                area=data["area"],
                staff=data["staff"],
                day=data["day"],
                time=data["time"],
                plan_action=data.get("plan_action"),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            appointment = sent.obj
            sent.message(request, _("Appointment booked for %(when)s.") % {"when": _when(appointment)})
            return redirect(_agenda_url(appointment))
    return render(
        request, "reception/appointment_form.html", {"form": form, "person": person, "appointment": None}
    )


@role_required(roles.RECEPTIONISTS)
def appointment_reschedule(request, pk):
    appointment = selectors.appointment_get_for_user(request.user, pk)
    form = AppointmentForm(
        request.POST or None,
        sites=selectors.reception_sites_for(request.user),
        staff=selectors.appointment_staff_choices(request.user),
        reschedule=True,
        initial={"staff": appointment.staff, "day": appointment.date, "time": appointment.time},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = actions.appointment_reschedule(
                user=request.user,
                appointment=appointment,
                staff=data["staff"],
                day=data["day"],
                time=data["time"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Appointment moved to %(when)s.") % {"when": _when(new)})
            return redirect(_agenda_url(new))
    context = {"form": form, "person": appointment.person, "appointment": appointment}
    return render(request, "reception/appointment_form.html", context)


@require_POST
@role_required(roles.RECEPTIONISTS)
def appointment_cancel(request, pk):
    appointment = selectors.appointment_get_for_user(request.user, pk)
    try:
        actions.appointment_cancel(user=request.user, appointment=appointment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Appointment of %(when)s cancelled.") % {"when": _when(appointment)})
    return redirect(_agenda_url(appointment))


def _when(appointment) -> str:
    from django.utils.formats import date_format

    return f"{date_format(appointment.date, 'SHORT_DATE_FORMAT')} {appointment.time:%H:%M}"


def _agenda_url(appointment) -> str:
    params = {"site": appointment.site_id, "day": appointment.date.isoformat()}
    return reverse("reception:agenda") + "?" + urlencode(params)


# --- The coordinator's numbers --------------------------------------------------------------------

FIGURES_MAX_DAYS = 92


@require_GET
@role_required(roles.REPORT_READERS)
def reception_figures(request):
    """Per day, site and service area: checked in, waiting time (median, 90th percentile), left
    without service, appointments kept and missed; a chart of the days."""
    from .figures import reception_figure_site_ids, reception_figures_for

    today = timezone.localdate()
    end = _day_param(request.GET.get("end")) or today
    start = _day_param(request.GET.get("start")) or end - timedelta(days=6)
    if start > end:
        start, end = end, start
    start = max(start, end - timedelta(days=FIGURES_MAX_DAYS - 1))
    site_ids = reception_figure_site_ids(request.user)
    site_id = query_id(request.GET.get("site"))
    figures = reception_figures_for(request.user, start=start, end=end, site_id=site_id)
    totals = {d["day"]: d for d in figures.by_day()}
    span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    empty = {"checked_in": 0, "left": 0, "kept": 0, "missed": 0}
    days = [{"day": day, **{k: totals.get(day, empty)[k] for k in empty}} for day in span]
    chart = {
        "labels": [d["day"].isoformat() for d in days],
        "checked_in": [d["checked_in"] for d in days],
        "left": [d["left"] for d in days],
        "kept": [d["kept"] for d in days],
        "missed": [d["missed"] for d in days],
        "text": {
            "checked_in": _("Checked in"),
            "left": _("Left without service"),
            "kept": _("Appointments kept"),
            "missed": _("Appointments missed"),
        },
    }
    from orientation.models import Site

    context = {
        "start": start,
        "end": end,
        "site_id": site_id,
        "sites": Site.objects.filter(pk__in=site_ids).order_by("code"),
        "page_obj": paginate(request, figures.rows, size=50),
        "days": days,
        "chart_data": chart,
    }
    return render(request, "reception/figures.html", context)
