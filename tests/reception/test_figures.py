"""The coordinator's numbers: per day, site and service area, checked in, waiting time median and
90th percentile, left without service, appointments kept and missed; scoped to the reader's sites."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from reception import actions
from reception.figures import reception_figures, reception_figures_for
from reception.models import Appointment
from tests.factories import PersonFactory, site

from .conftest import check_in

LIMA = ZoneInfo("America/Lima")
DAY = date(2025, 3, 10)


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), tzinfo=LIMA)


def a_morning(receptionist, caseworker, *, day=DAY):
    """Documentation: four people called after 5, 10, 20 and 40 minutes, one who left before being
    called; primary care: one called after 3 minutes, who had an appointment; one appointment missed."""
    pao = site("PAO-LS")
    for minutes in (40, 5, 20, 10):
        visit = check_in(receptionist, PersonFactory(), now=at(9, 0, day))
        actions.visit_call(user=caseworker, visit=visit, site=pao, desk="1", now=at(9, minutes, day))
        actions.visit_done(user=caseworker, visit=visit, now=at(9, minutes + 1, day))
    gone = check_in(receptionist, PersonFactory(), now=at(9, 2, day))
    actions.visit_left(user=receptionist, visit=gone, now=at(9, 30, day))
    booked = PersonFactory()
    appointment = Appointment.objects.create(
        person=booked, site=pao, area="primary_care", staff=caseworker, date=day, time=time(10)
    )
    visit = check_in(receptionist, booked, appointment=appointment, now=at(10, 0, day))
    actions.visit_call(user=caseworker, visit=visit, site=pao, desk="2", now=at(10, 3, day))
    Appointment.objects.create(
        person=PersonFactory(),
        site=pao,
        area="primary_care",
        staff=caseworker,
        date=day,
        time=time(11),
        status="missed",
    )


def test_the_figures_of_a_morning(ref, receptionist, caseworker):
    a_morning(receptionist, caseworker)
    pao = site("PAO-LS")
    figures = reception_figures(site_ids=[pao.pk], start=DAY, end=DAY)
    rows = {(r.day, r.site_code, r.area): r for r in figures.rows}
    doc = rows[(DAY, "PAO-LS", "documentation")]
    assert (doc.checked_in, doc.left, doc.called, doc.wait_median, doc.wait_p90) == (5, 1, 4, 10.0, 40.0)
    care = rows[(DAY, "PAO-LS", "primary_care")]
    assert (care.checked_in, care.left, care.wait_median, care.wait_p90, care.kept, care.missed) == (
        1,
        0,
        3.0,
        3.0,
        1,
        1,
    )
    assert figures.by_day() == [{"day": DAY, "checked_in": 6, "left": 1, "kept": 1, "missed": 1}]


def test_percentiles_by_nearest_rank(ref, receptionist, caseworker):
    pao = site("PAO-LS")
    waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]  # eleven: median the 6th, p90 the 10th
    for minutes in waits:
        visit = check_in(receptionist, PersonFactory(), now=at(8, 0))
        actions.visit_call(user=caseworker, visit=visit, site=pao, desk="1", now=at(8, minutes))
    (row,) = reception_figures(site_ids=[pao.pk], start=DAY, end=DAY).rows
    assert (row.wait_median, row.wait_p90) == (6.0, 10.0)


def test_a_coordinator_reads_the_sites_of_their_programs_only(
    ref, receptionist, caseworker, make_user, north_site
):
    a_morning(receptionist, caseworker)
    north_receptionist = make_user("receptionist", sites=["PAO-NO"])
    check_in(north_receptionist, PersonFactory(site=north_site), now=at(9, 0))
    pao = make_user("coordinator", programs=["PAO"])
    balon = make_user("coordinator", programs=["BALON"])  # schools, and sport at PAO-LS
    assert {r.site_code for r in reception_figures_for(pao, start=DAY, end=DAY).rows} == {"PAO-LS", "PAO-NO"}
    assert {r.site_code for r in reception_figures_for(balon, start=DAY, end=DAY).rows} == {"PAO-LS"}
    assert reception_figures_for(caseworker, start=DAY, end=DAY).rows == []


def test_the_figures_page_shows_the_numbers_and_the_chart_data(
    ref, client, receptionist, caseworker, coordinator
):
    a_morning(receptionist, caseworker)
    client.force_login(coordinator)
    response = client.get(reverse("reception:figures"), {"start": DAY.isoformat(), "end": DAY.isoformat()})
    html = response.content.decode()
    row = html.split('data-row="2025-03-10:PAO-LS:documentation"')[1].split("</tr>")[0]
    assert '"checked_in">5<' in row and '"wait_median">10.0<' in row and '"wait_p90">40.0<' in row
    assert '"left">1<' in row
    assert response.context["chart_data"]["checked_in"] == [6]
    assert 'id="reception-chart-data"' in html


def test_the_figures_page_has_an_empty_state_and_takes_any_input(ref, client, coordinator):
    client.force_login(coordinator)
    for params in [
        {},
        {"start": "2025-02-30", "end": "x", "site": "abc"},
        {"start": "2025-03-10", "end": "2024-01-01"},
    ]:
        response = client.get(reverse("reception:figures"), params)
        assert response.status_code == 200
    assert "Nobody checked in" in response.content.decode()


@pytest.mark.parametrize("days", [1, 4])
def test_the_figures_page_queries_do_not_grow_with_the_days(
    ref, client, receptionist, caseworker, coordinator, page_queries, days
):
    for i in range(days):
        a_morning(receptionist, caseworker, day=DAY + timedelta(days=i))
    client.force_login(coordinator)
    url = (
        reverse("reception:figures") + f"?start={DAY.isoformat()}&end={(DAY + timedelta(days=6)).isoformat()}"
    )
    response = page_queries(client, url, 10)
    assert len(response.context["page_obj"].object_list) == 2 * days


def test_the_chart_has_every_day_of_the_range_and_the_boxes_take_day_month_year(
    ref, client, receptionist, caseworker, coordinator
):
    a_morning(receptionist, caseworker)
    client.force_login(coordinator)
    before, after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    response = client.get(
        reverse("reception:figures"),
        {"start": before.strftime("%d/%m/%Y"), "end": after.strftime("%d/%m/%Y")},
    )
    chart = response.context["chart_data"]
    assert chart["labels"] == [before.isoformat(), DAY.isoformat(), after.isoformat()]
    assert (chart["checked_in"], chart["left"], chart["kept"], chart["missed"]) == (
        [0, 6, 0],
        [0, 1, 0],
        [0, 1, 0],
        [0, 1, 0],
    )


def test_the_month_summary_of_the_dashboard(ref, receptionist, caseworker, north_site, caseworker_north):
    """The dashboard's panel: the month's totals, its waiting time over every call of the month,
    and each day; another site's visits stay out when it is not asked for."""
    from reception.figures import reception_month_summary

    a_morning(receptionist, caseworker)
    a_morning(receptionist, caseworker, day=DAY + timedelta(days=1))
    check_in(caseworker_north, PersonFactory(site=north_site), site=north_site, now=at(9, 0))
    pao = site("PAO-LS")
    summary = reception_month_summary(site_ids=[pao.pk], start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert (summary.checked_in, summary.left, summary.kept, summary.missed) == (12, 2, 2, 2)
    # Waits 3, 5, 10, 20, 40 (twice each): ten; median the 5th (10), 90th percentile the 9th (40).
    assert (summary.called, summary.wait_median, summary.wait_p90) == (10, 10.0, 40.0)
    assert len(summary.days) == 31
    assert [
        (d["day"].day, d["checked_in"], d["left"], d["kept"], d["missed"]) for d in summary.days[9:12]
    ] == [
        (10, 6, 1, 1, 1),
        (11, 6, 1, 1, 1),
        (12, 0, 0, 0, 0),
    ]
    both = reception_month_summary(
        site_ids=[pao.pk, north_site.pk], start=date(2025, 3, 1), end=date(2025, 3, 31)
    )
    assert both.checked_in == 13 and both.called == 10
    empty = reception_month_summary(site_ids=[], start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert empty.is_empty and empty.wait_median is None
