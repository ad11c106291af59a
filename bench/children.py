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


def _project_span():
    """The reports app's computation of several months in one pass, if it has one."""
    try:
        from reports.actions import monthly_figures_compute_span
    except ImportError:
        return None
    return monthly_figures_compute_span


def child_months(args) -> None:
    """Every month of the data set, ``runs`` times, alternating: the floor's one pass over the
    history (bench/floor.py ``span_report``) and the project's recomputation of all the months
    (its one-pass span if it has one, else month by month); every month of the last runs checked."""
    _django()
    from django.db import connection

    from bench import floor

    months = [_month_of(m) for m in args.months.split(",")]
    out: dict = {"months": len(months), "runs": args.runs}
    api = project_api()
    span = _project_span()
    floor_times, project_times = [], []
    floors = None
    for _ in range(args.runs):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            floors = floor.span_report(cursor, months)
            floor_times.append(time.perf_counter() - started)
        if api is None:
            continue
        compute, _report = api
        started = time.perf_counter()
        if span is not None:
            span(months=months)
        else:
            for month in months:
                compute(month=month)
        project_times.append(time.perf_counter() - started)
    out["floor_seconds"] = floor_times
    if api is None:
        out["project"] = NOT_PRESENT
        _emit(out)
        return
    out["project_seconds"] = project_times
    out["project_path"] = "span" if span is not None else "month by month"
    _compute, report = api
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


OFFLINE_GROUPS = (("Bench offline 30", 30), ("Bench offline 200", 200))


def child_offline_world(args) -> None:
    """The offline section's world, made once and kept: the bench's facilitator (a fresh password
    each run) with two groups at SCH-01, 30 and 200 children, a session today in each."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.models import Person
    from orientation.models import Program, Site, SiteMembership
    from orientation.roles import ensure_role_groups
    from services.sport.models import Activity, GroupParticipant, SportGroup, SportSession

    ensure_role_groups()
    user, _ = get_user_model().objects.get_or_create(username="bench-facilitator")
    user.set_password(args.password)
    user.is_active = True
    user.save()
    user.groups.set([Group.objects.get(name="facilitator")])
    school = Site.objects.get(code="SCH-01")
    SiteMembership.objects.get_or_create(user=user, site=school)
    program = Program.objects.get(code="BALON")
    today = timezone.localdate()
    rng = random.Random(5)
    out = {"user": user.username, "sessions": {}}
    for name, size in OFFLINE_GROUPS:
        group, _ = SportGroup.objects.get_or_create(
            program=program, site=school, name=name, defaults={"age_min": 6, "age_max": 14}
        )
        group.facilitators.add(user)
        have = GroupParticipant.objects.filter(group=group).count()
        for i in range(have, size):
            child = Person.objects.create(
                given_names=rng.choice(["Ana", "Luis", "Sofía", "Mateo", "Valentina", "Diego"]),
                family_names=f"Banco {name[-3:].strip()}-{i:03d}",
                sex=rng.choice("FM"),
                birth_date=date(today.year - 6 - i % 8, 1 + i % 12, 1 + i % 28),
                nationality="VE",
                population_type="destination",
                site=school,
                school=school,
                is_light_profile=True,
                guardian_name="Tutora Banco",
                guardian_relationship="madre",
                created_by=user,
            )
            GroupParticipant.objects.create(group=group, person=child, joined_on=today)
        session, _ = SportSession.objects.get_or_create(
            program=program,
            site=school,
            group=group,
            date=today,
            activity=Activity.SOCCER_CLINIC,
            defaults={"created_by": user},
        )
        session.facilitators.add(user)
        people = list(
            GroupParticipant.objects.filter(group=group)
            .order_by("person_id")
            .values_list("person_id", flat=True)
        )
        out["sessions"][str(size)] = {"id": session.pk, "people": people[:size]}
    out["children"] = OFFLINE_GROUPS[0][1]
    out["queued"] = OFFLINE_GROUPS[1][1]
    _emit(out)


SLOW_3G = {  # Chromium's "Slow 3G" preset, as the brief of the field screens asks
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
PHONE = {"width": 390, "height": 844}


def child_offline(args) -> None:
    """Playwright on Debian's Chromium, a phone's viewport, the page throttled to slow 3G through a
    CDP session. Each run is a fresh phone: sign in, open the field screens once (the service
    worker caches the shell, IndexedDB the lists), then

    - **open**: the connection gone (page and service worker offline), the attendance list of the
      30-child session opened from a blank page until its 30th row is drawn;
    - **sync**: 200 attendance marks queued on the device while offline (``OrientaField.enqueue``,
      what a tap does, without Background Sync so that the page does the sending), the app opened
      again offline, then the connection returns at slow 3G (the page's ``online`` event starts the
      sync): until the queue is empty (``sent``) and until the sync, the lists downloaded again
      included, is done (``sync``).
    """
    from playwright.sync_api import sync_playwright

    world = json.loads(args.world)
    base = args.base
    small, large = world["sessions"]["30"], world["sessions"]["200"]
    chromium = os.environ.get("ORIENTA_CHROMIUM", "/usr/bin/chromium")
    out = {"open_seconds": [], "sync_seconds": [], "sent_seconds": [], "refused": 0}
    out["viewport"] = PHONE
    out["network"] = {k: SLOW_3G[k] for k in ("latency", "downloadThroughput", "uploadThroughput")}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )  # fmt: skip
        for run in range(args.runs):
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="es-PE")
            context.set_default_timeout(60000)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")

            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", world["user"])
            page.fill("input[name=password]", world["password"])
            page.click("button[type=submit]:not([name=language])")
            page.wait_for_load_state("networkidle")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            page.goto(f"{base}/field/")
            page.evaluate("async () => { await navigator.serviceWorker.ready; }")
            page.wait_for_selector("#field-app[data-ready=true]", state="attached")
            page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached")
            page.evaluate(
                "async () => { while (!navigator.serviceWorker.controller)"
                " await new Promise(r => setTimeout(r, 50)); }"
            )

            # (a) The attendance list from the cache, the connection gone.
            context.set_offline(True)
            page.goto("about:blank")
            started = time.perf_counter()
            page.goto(f"{base}/field/#session/{small['id']}")
            page.wait_for_selector(f"[data-testid=field-row] >> nth={world['children'] - 1}")
            out["open_seconds"].append(time.perf_counter() - started)

            # The app is opened again with the page offline (the connection is given back to the
            # worker, which does not send: no Background Sync is asked for).
            page.goto("about:blank")
            context.set_offline(False)
            cdp.send("Network.emulateNetworkConditions", SLOW_3G | {"offline": True})
            page.goto(f"{base}/field/")
            page.wait_for_selector("#field-app[data-ready=true]", state="attached")
            page.wait_for_selector("[data-testid=field-connection][data-state=offline]", state="attached")
            # (b) 200 marks queued offline (the page offline), then the connection returns at slow 3G.
            present = run % 2 == 0
            page.evaluate(
                """async ({session, people, present}) => {
                    for (const person of people) {
                        await OrientaField.enqueue("attendance", {session, person, present}, `bench ${person}`);
                    }
                }""",
                {"session": large["id"], "people": large["people"], "present": present},
            )
            page.evaluate("document.querySelector('[data-testid=field-message]').dataset.state = 'waiting'")
            waiting = page.evaluate("OrientaField.queueFor('waiting').then(q => q.length)")
            if waiting != world["queued"]:
                raise RuntimeError(f"{waiting} submissions waiting instead of {world['queued']}")
            started = time.perf_counter()
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)  # the page's "online" event syncs
            sent = None
            while sent is None:
                if page.evaluate("OrientaField.queueFor('waiting').then(q => q.length)") == 0:
                    sent = time.perf_counter() - started
                    break
                if time.perf_counter() - started > 300:
                    raise RuntimeError("the queue was not sent in 5 minutes")
                page.wait_for_timeout(25)
            page.wait_for_selector("[data-testid=field-message][data-state=done]", state="attached")
            out["sync_seconds"].append(time.perf_counter() - started)
            out["sent_seconds"].append(sent)
            out["refused"] += page.evaluate("OrientaField.queueFor('attention').then(q => q.length)")
            context.close()
        browser.close()
    _emit(out)


CHILDREN = {
    "late": child_late,
    "month": child_month,
    "months": child_months,
    "job": child_job,
    "baseline": child_baseline,
    "pages": child_pages,
    "offline_world": child_offline_world,
    "offline": child_offline,
}
