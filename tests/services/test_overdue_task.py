"""The daily overdue job: flags, in-app notifications once, and a real Celery worker run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache

from orientation.models import Notification
from services.actions import referral_transition, referrals_mark_overdue
from services.models import Referral
from services.tasks import OVERDUE_LOCK, referrals_mark_overdue_task


def test_beat_runs_it_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["referrals-mark-overdue"]
    assert entry["task"] == "services.tasks.referrals_mark_overdue_task"
    assert entry["schedule"].hour == {6}


def test_marks_overdue_and_notifies_the_responsible_once(make_referral, caseworker, make_user, today):
    colleague = make_user("caseworker", sites=["PAO-LS"])
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=1))
    late_accepted = make_referral(
        status="accepted", responsible=colleague, follow_up_due=today - timedelta(days=20)
    )
    nobody = make_referral(responsible=None, follow_up_due=today - timedelta(days=3))
    due_today = make_referral(responsible=caseworker, follow_up_due=today)
    closed = make_referral(
        status="completed", responsible=caseworker, follow_up_due=today - timedelta(days=9)
    )
    result = referrals_mark_overdue_task.delay().get()
    assert result == {
        "marked": 3,
        "cleared": 0,
        "notified": 2,
        "plan_marked": 0,
        "plan_cleared": 0,
        "plan_notified": 0,
    }
    flags = dict(Referral.objects.values_list("pk", "is_overdue"))
    assert flags == {
        late.pk: True,
        late_accepted.pk: True,
        nobody.pk: True,
        due_today.pk: False,
        closed.pk: False,
    }
    notes = Notification.objects.order_by("user_id")
    assert [(n.user, n.key) for n in notes] == [
        (caseworker, f"referral-overdue:{late.pk}:{late.follow_up_due.isoformat()}"),
        (colleague, f"referral-overdue:{late_accepted.pk}:{late_accepted.follow_up_due.isoformat()}"),
    ]
    assert late.code in notes[0].message and late.person.family_names not in notes[0].message
    assert notes[0].url == f"/services/referrals/{late.pk}/"
    # A rerun changes nothing and notifies nobody twice.
    assert referrals_mark_overdue_task.delay().get() == {
        "marked": 0,
        "cleared": 0,
        "notified": 0,
        "plan_marked": 0,
        "plan_cleared": 0,
        "plan_notified": 0,
    }
    assert Notification.objects.count() == 2


def test_rerun_after_a_lost_flag_does_not_notify_twice(make_referral, caseworker, today):
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=1))
    referrals_mark_overdue()
    Referral.objects.filter(pk=late.pk).update(is_overdue=False)  # as if the flag were lost
    referrals_mark_overdue()
    assert Notification.objects.filter(user=caseworker).count() == 1


def test_flag_is_cleared_when_no_longer_overdue_and_renotified_for_a_new_date(
    make_referral, caseworker, today
):
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=1))
    referrals_mark_overdue()
    Referral.objects.filter(pk=late.pk).update(follow_up_due=today + timedelta(days=3))
    assert referrals_mark_overdue()["cleared"] == 1
    late.refresh_from_db()
    assert late.is_overdue is False
    # Three days later the new date has passed: a new notification for the new date.
    assert referrals_mark_overdue(today=today + timedelta(days=4))["notified"] == 1
    assert Notification.objects.filter(user=caseworker).count() == 2


def test_closed_referrals_lose_the_flag(make_referral, caseworker, today):
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=1))
    referrals_mark_overdue()
    referral_transition(referral=late, user=caseworker, to_status="cancelled")
    Referral.objects.filter(pk=late.pk).update(is_overdue=True)  # even if left set
    assert referrals_mark_overdue()["cleared"] == 1


def test_batches(make_referral, caseworker, today):
    for _ in range(7):
        make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=2))
    assert referrals_mark_overdue(batch_size=3) == {"marked": 7, "cleared": 0, "notified": 7}


def test_overlapping_runs_are_skipped(make_referral, caseworker, today):
    make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=2))
    cache.set(OVERDUE_LOCK, "1", 60)
    try:
        assert referrals_mark_overdue_task.delay().get() == {"skipped": 1}
        assert not Referral.objects.filter(is_overdue=True).exists()
    finally:
        cache.delete(OVERDUE_LOCK)
    assert referrals_mark_overdue_task.delay().get()["marked"] == 1


def test_task_accepts_a_day(make_referral, caseworker, today):
    make_referral(responsible=caseworker, follow_up_due=today + timedelta(days=2))
    assert referrals_mark_overdue_task.delay().get()["marked"] == 0
    later = (today + timedelta(days=3)).isoformat()
    assert referrals_mark_overdue_task.delay(today=later).get()["marked"] == 1


@pytest.mark.worker
def test_overdue_job_on_a_real_worker(celery_worker_process, make_referral, caseworker, today):
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=2))
    fine = make_referral(responsible=caseworker, follow_up_due=today + timedelta(days=2))
    result = referrals_mark_overdue_task.delay().get(timeout=60)
    assert result == {
        "marked": 1,
        "cleared": 0,
        "notified": 1,
        "plan_marked": 0,
        "plan_cleared": 0,
        "plan_notified": 0,
    }
    late.refresh_from_db()
    fine.refresh_from_db()
    assert (late.is_overdue, fine.is_overdue) == (True, False)
    assert referrals_mark_overdue_task.delay().get(timeout=60) == {
        "marked": 0,
        "cleared": 0,
        "notified": 0,
        "plan_marked": 0,
        "plan_cleared": 0,
        "plan_notified": 0,
    }
    assert Notification.objects.filter(user=caseworker).count() == 1
