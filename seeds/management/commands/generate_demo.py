from django.core.management.base import BaseCommand, CommandError

from seeds.scale import generate


class Command(BaseCommand):
    help = (
        "Fill the database with scale data: N people and M events (direct services, referrals, sport "
        "attendance) over the months ending last month. COPY on PostgreSQL, batched inserts on SQLite. "
        "Refuses a non-empty people table unless --reset. Generated rows have no history rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the people tables (and everything tied to them) first.",
        )

    def handle(self, *args, **options):
        if options["people"] < 1 or options["events"] < 0 or options["months"] < 1:
            raise CommandError("--people must be at least 1, --events at least 0 and --months at least 1.")

        def say(text):
            if options["verbosity"] >= 1:
                self.stdout.write(text)
                self.stdout.flush()

        try:
            result = generate(
                people=options["people"],
                events=options["events"],
                months=options["months"],
                seed=options["seed"],
                reset=options["reset"],
                say=say,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{key}: {value:,}" for key, value in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {result.seconds:.1f}s: {counts}."))
        if result.shortfall:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.shortfall:,} attendance rows could not be placed: too few youth for the events asked."
                )
            )
