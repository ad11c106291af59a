"""The measured work, each run in a child process of its own (``bench/run.py --child NAME``)."""

from __future__ import annotations

import json
import os
import random
import time
from datetime import date, datetime

from bench.common import NOT_PRESENT

# --- Children: the measured work ------------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")
    import django

    django.setup()


def project_api():
    """(monthly_figures_compute, monthly_report) from the reports app, or None if not there yet."""
    try:
        from reports.actions import monthly_figures_compute
        from reports.selectors import monthly_report
    except ImportError:
        return None
    return monthly_figures_compute, monthly_report


def _project_rebuild():
    """The reports app's rebuild of its derived state from the whole history, if it has one."""
    try:
        from reports.actions import first_events_rebuild
    except ImportError:
        return None
    return first_events_rebuild


def _month_of(text: str) -> date:
    return datetime.strptime(text, "%Y-%m").date()


def _emit(data: dict) -> None:
    print(json.dumps(data, default=str), flush=True)


def child_month(args) -> None:
    """Floor and project for one month: warm up, then ``runs`` timed runs of each; cross-check."""
    _django()
    from django.db import connection

    from bench import floor

    month = _month_of(args.month)
    out: dict = {"month": args.month, "runs": args.runs}
    with connection.cursor() as cursor:
        floor_report = floor.month_report(cursor, month)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            floor_report = floor.month_report(cursor, month)
            times.append(time.perf_counter() - started)
        out["floor_seconds"] = times
        out["floor_totals"] = {
            code: {m: f[m]["total"] for m in floor.MEASURES} for code, f in floor_report.items()
        }
        out["month_events"] = month_events(cursor, month)
    api = project_api()
    if api is None:
        out["project"] = NOT_PRESENT
        _emit(out)
        return
    compute, report = api
    started = time.perf_counter()
    compute(month=month)  # warm-up (builds whatever state the project keeps; timed apart)
    out["project_first_run_seconds"] = time.perf_counter() - started
    rebuild = _project_rebuild()
    if rebuild is not None:
        started = time.perf_counter()
        rebuild()
        out["project_rebuild_seconds"] = time.perf_counter() - started
        compute(month=month)
    compute_times, report_times = [], []
    project_report = None
    for _ in range(args.runs):
        started = time.perf_counter()
        compute(month=month)
        middle = time.perf_counter()
        project_report = report(month=month)
        compute_times.append(middle - started)
        report_times.append(time.perf_counter() - middle)
    out["project_compute_seconds"] = compute_times
    out["project_report_seconds"] = report_times
    out["differences"] = floor.differences(project_report, floor_report)
    _emit(out)


def child_months(args) -> None:
    """Every month of the data set: the floor's total, the project's total, each month checked."""
    _django()
    from django.db import connection

    from bench import floor

    months = [_month_of(m) for m in args.months.split(",")]
    out: dict = {"months": len(months)}
    floors = {}
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for month in months:
            floors[month] = floor.month_report(cursor, month)
        out["floor_seconds"] = time.perf_counter() - started
    api = project_api()
    if api is None:
        out["project"] = NOT_PRESENT
        _emit(out)
        return
    compute, report = api
    started = time.perf_counter()
    for month in months:
        compute(month=month)
    out["project_seconds"] = time.perf_counter() - started
    problems = []
    for month in months:
        for problem in floor.differences(report(month=month), floors[month]):
            problems.append(f"{month:%Y-%m} {problem}")
    out["differences"] = problems
    _emit(out)


def child_job(args) -> None:
    """The report job alone (a month, all indicators), for its peak memory."""
    _django()
    api = project_api()
    if api is None:
        _emit({"project": NOT_PRESENT})
        return
    compute, report = api
    started = time.perf_counter()
    compute(month=_month_of(args.month))
    report(month=_month_of(args.month))
    seconds = time.perf_counter() - started
    hwm = None
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                hwm = round(int(line.split()[1]) / 1024, 1)
    _emit({"seconds": seconds, "vmhwm_mb": hwm})


def child_baseline(args) -> None:
    """Django set up and connected, nothing else: the floor under the job's memory."""
    _django()
    from django.db import connection

    connection.ensure_connection()
    _emit({})


def month_events(cursor, month: date) -> int:
    from bench.floor import month_bounds

    first, last = month_bounds(month)
    cursor.execute(
        """SELECT (SELECT count(*) FROM services_directservice WHERE delivered_on BETWEEN %(a)s AND %(b)s)
                + (SELECT count(*) FROM services_referral WHERE referred_on BETWEEN %(a)s AND %(b)s)
                + (SELECT count(*) FROM services_attendance a JOIN services_sportsession s ON s.id = a.session_id
                   WHERE s.date BETWEEN %(a)s AND %(b)s)""",
        {"a": first, "b": last},
    )
    return cursor.fetchone()[0]


def child_pages(args) -> None:
    """Bench users and the page paths to load, resolved by URL name (skipped with a note if absent)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.urls import NoReverseMatch, reverse

    from cases.models import Person
    from orientation.models import Program, ProgramMembership, Site, SiteMembership
    from orientation.roles import ensure_role_groups

    ensure_role_groups()
    User = get_user_model()
    password = args.password
    users = {}
    for username, role in (("bench-caseworker", "caseworker"), ("bench-coordinator", "coordinator")):
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role == "caseworker":
            for site in Site.objects.filter(code="PAO-LS"):
                SiteMembership.objects.get_or_create(user=user, site=site)
        else:
            for program in Program.objects.all():
                ProgramMembership.objects.get_or_create(user=user, program=program)
        users[role] = username
    rng = random.Random(7)
    site = Site.objects.get(code="PAO-LS")
    top = Person.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = sorted({rng.randint(1, max(1, top)) for _ in range(200)})
    people = list(
        Person.objects.filter(site=site, id__in=sample_ids).values_list("id", "given_names", "family_names")
    )
    pages: dict[str, dict] = {}

    def resolve(key: str, user: str, candidates: list[tuple[str, dict]], query: list[str] | None = None):
        for name, kwargs in candidates:
            try:
                base = reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
            paths = [base] if not query else [f"{base}?q={q}" for q in query]
            pages[key] = {"user": user, "url_name": name, "paths": paths}
            return
        pages[key] = {"skipped": "no URL named " + " or ".join(n for n, _ in candidates) + " yet"}

    resolve("home page (reference)", users["caseworker"], [("home", {})])
    resolve("people list", users["caseworker"], [("cases:person_list", {})])
    misspelled = [
        misspell(f"{given.split()[0]} {family.split()[0]}", rng) for _pid, given, family in people[:40]
    ]
    resolve("search (misspelled name)", users["caseworker"], [("cases:person_list", {})], query=misspelled)
    detail = []
    for pid, _given, _family in people[:40]:
        try:
            detail.append(reverse("cases:person_detail", args=[pid]))
        except NoReverseMatch:
            break
    if detail:
        pages["person page"] = {
            "user": users["caseworker"],
            "url_name": "cases:person_detail",
            "paths": detail,
        }
    else:
        pages["person page"] = {"skipped": "no URL named cases:person_detail yet"}
    resolve(
        "referral queue",
        users["caseworker"],
        [("services:overdue_queue", {}), ("services:followups", {})],
    )
    resolve("dashboard", users["coordinator"], [("reports:dashboard", {})])
    reception_pages(pages, site=site, people=[pid for pid, _g, _f in people], user=users["caseworker"])
    wanted = [k.strip() for k in os.environ.get("BENCH_LOAD_PAGES", "").split(",") if k.strip()]
    if wanted:  # a smaller run: only the pages whose name holds one of these words
        pages = {key: page for key, page in pages.items() if any(w in key for w in wanted)}
    _emit({"pages": pages})


# A busy day at the door of PAO-LS: this many visits today, by line, with the day's calls.
RECEPTION_VISITS = 240


def reception_day(site, people: list[int], *, day: date | None = None) -> int:
    """Today's visits at ``site`` for the queue and display pages (once a day: kept if present).

    Spread over the five lines; of each line's visits, the first are done, then some in service
    and called (their desks on the display), one in ten left, the last ones waiting."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from cases.models import Area, Person
    from reception.models import TICKET_LETTERS, TicketCounter, Visit

    day = day or timezone.localdate()
    if Visit.objects.filter(site=site, day=day).exists():
        return 0
    ids = list(people)
    if len(ids) < RECEPTION_VISITS:
        ids += list(
            Person.objects.filter(site=site)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)[: RECEPTION_VISITS - len(ids)]
        )
    rng = random.Random(day.toordinal())
    opening = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=8)
    areas = [a for a, _label in Area.choices]
    visits = []
    for number, person_id in enumerate(ids[:RECEPTION_VISITS], start=1):
        area = areas[number % len(areas)]
        arrived = opening + timedelta(minutes=number)
        share = number / RECEPTION_VISITS
        status = (
            Visit.Status.DONE
            if share < 0.55
            else Visit.Status.LEFT
            if number % 10 == 0
            else Visit.Status.IN_SERVICE
            if share < 0.62
            else Visit.Status.CALLED
            if share < 0.66
            else Visit.Status.WAITING
        )
        called = status in (Visit.Status.DONE, Visit.Status.IN_SERVICE, Visit.Status.CALLED)
        visits.append(
            Visit(
                site=site,
                person_id=person_id,
                day=day,
                number=number,
                ticket=f"{TICKET_LETTERS[area]}-{number:03d}",
                area=area,
                rank=rng.choice([0, 1, 2, 2, 2, 2]),
                status=status,
                arrived_at=arrived,
                queued_at=arrived,
                called_at=arrived + timedelta(minutes=rng.randint(2, 60)) if called else None,
                desk=str(rng.randint(1, 6)) if called else "",
            )
        )
    with transaction.atomic():
        Visit.objects.bulk_create(visits, batch_size=500)
        TicketCounter.objects.update_or_create(site=site, day=day, defaults={"last": len(visits)})
    return len(visits)


def reception_pages(pages: dict, *, site, people: list[int], user: str) -> None:
    """The reception queue (each line of the site) and the waiting-room display (the page and the
    calls it asks for every second), for a caseworker of the site, with a busy day behind them."""
    from django.urls import NoReverseMatch, reverse

    try:
        queue = reverse("reception:queue")
        display = reverse("reception:display", kwargs={"site_pk": site.pk})
        calls = reverse("reception:display_calls", kwargs={"site_pk": site.pk})
    except NoReverseMatch:
        pages["reception queue"] = pages["waiting-room display"] = {"skipped": "no reception URLs yet"}
        return
    from cases.models import Area

    reception_day(site, people)
    pages["reception queue"] = {
        "user": user,
        "url_name": "reception:queue",
        "paths": [f"{queue}?site={site.pk}&area={area}" for area, _label in Area.choices],
    }
    # The TV loads the page once and then the calls every second: mostly the calls.
    pages["waiting-room display"] = {
        "user": user,
        "url_name": "reception:display_calls",
        "paths": [display, *[calls] * 9],
    }


def misspell(name: str, rng: random.Random) -> str:
    """A typo a caseworker might make: s/z, y/i, v/b, a dropped letter, no accents."""
    from urllib.parse import quote_plus

    swaps = [("z", "s"), ("s", "z"), ("y", "i"), ("i", "y"), ("v", "b"), ("b", "v"), ("ll", "y"), ("h", "")]
    text = name.lower()
    for a, b in rng.sample(swaps, len(swaps)):
        if a in text:
            text = text.replace(a, b, 1)
            break
    else:
        i = rng.randrange(1, max(2, len(text) - 1))
        text = text[:i] + text[i + 1 :]
    for accented, plain in zip("áéíóúñ", "aeioun", strict=True):
        text = text.replace(accented, plain)
    return quote_plus(text)


def child_late(args) -> None:
    """One month computed in its steady state, then right after each of ``runs`` late writes:
    one referral of the month before marked completed (as a partner's answer would), then the
    month computed again. The late write must cost its person, not the program's history."""
    _django()
    from django.db import transaction

    from services.models import Referral

    month = _month_of(args.month)
    api = project_api()
    if api is None:
        _emit({"project": NOT_PRESENT})
        return
    compute, _report = api
    previous = date(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1, 1)
    compute(month=month)  # warm-up
    steady, late = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        compute(month=month)
        steady.append(time.perf_counter() - started)
    candidates = list(
        Referral.objects.filter(
            status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED],
            referred_on__gte=previous,
            referred_on__lt=month,
        )
        .order_by("id")
        .values_list("id", flat=True)[: args.runs]
    )
    background = []
    for referral_id in candidates:
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=referral_id)
            referral.status = Referral.Status.COMPLETED
            referral.completed_on = referral.referred_on
            referral.save()
        # The month's computation is timed alone; the recomputation of the other stored months the
        # write can change, queued by it, runs at its commit (at once here: no broker; in a worker
        # in production) and is timed apart.
        with transaction.atomic():
            started = time.perf_counter()
            compute(month=month)
            late.append(time.perf_counter() - started)
            committing = time.perf_counter()
        background.append(time.perf_counter() - committing)
    _emit(
        {
            "month": args.month,
            "steady_seconds": steady,
            "late_seconds": late,
            "background_seconds": background,
            "late_writes": len(candidates),
        }
    )


CHILDREN = {
    "late": child_late,
    "month": child_month,
    "months": child_months,
    "job": child_job,
    "baseline": child_baseline,
    "pages": child_pages,
}
