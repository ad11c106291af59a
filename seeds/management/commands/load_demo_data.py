from django.core.management.base import BaseCommand

from seeds.demo import DEMO_PASSWORD, DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = "Load the demo users and a year of demo activity (refused in production settings)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=240)

    def handle(self, *args, **options):
        counts = load_demo_data(people=options["people"])
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}"))
        self.stdout.write(f"Demo users (password: {DEMO_PASSWORD}):")
        for username, first, last, role, _sites, _programs in DEMO_USERS:
            self.stdout.write(f"  {username:<13} {role:<13} {first} {last}")
