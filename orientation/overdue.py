"""The daily overdue sweep shared by referrals (services) and case-plan actions (cases).

Open records past their due date are flagged and their responsible told once: only records not
yet flagged are handled, each batch in one transaction with its notifications, and every
notification has a key (record and due date), so a rerun (or a crash half-way) never notifies
twice. Records no longer overdue lose the flag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import models, transaction
from django.utils import timezone

from orientation.actions import notification_send


class OverdueQuerySet(models.QuerySet):
    """Rows with a status (open ones in the model's ``OPEN_STATUSES``) and a due date
    (``due_field``, set by the subclass)."""

    due_field: str

    def open(self):
        return self.filter(status__in=self.model.OPEN_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(**{f"{self.due_field}__lt": today or timezone.localdate()})


def overdue_sweep(
    model,
    *,
    today: date,
    notice: Callable[[object], tuple[str, str, str]],
    batch_size: int = 500,
) -> dict[str, int]:
    """Flag ``model``'s overdue rows (its queryset an ``OverdueQuerySet``); ``notice(row)`` gives
    the message, the link and the key of the notification to its responsible."""
    due_field = model.objects.all().due_field
    cleared = (
        model.objects.filter(is_overdue=True)
        .exclude(status__in=model.OPEN_STATUSES, **{f"{due_field}__lt": today})
        .update(is_overdue=False)
    )
    marked = notified = 0
    while True:
        with transaction.atomic():
            batch = list(
                model.objects.overdue(today)
                .filter(is_overdue=False)
                .select_related("responsible")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            model.objects.filter(pk__in=[row.pk for row in batch]).update(is_overdue=True)
            marked += len(batch)
            for row in batch:
                if row.responsible_id is None:
                    continue
                message, url, key = notice(row)
                notification_send(user=row.responsible, message=message, url=url, key=key)
                notified += 1
    return {"marked": marked, "cleared": cleared, "notified": notified}
