"""Send the tasks still waiting in the outbox (what the beat job does every minute), e.g. right
after the broker comes back, or from cron where no beat runs."""

from django.core.management.base import BaseCommand

from orientation.models import OutboxMessage
from orientation.outbox import outbox_sweep


class Command(BaseCommand):
    help = "Send the Celery tasks still waiting in the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many messages per round.")

    def handle(self, *args, limit: int, **options):
        total = 0
        while True:
            sent = outbox_sweep(limit=limit)
            total += sent
            if sent < limit:
                break
        pending = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"sent {total}, pending {pending}")
        if pending and not sent:
            self.stderr.write("the broker is still unreachable; the pending tasks stay in the outbox")
