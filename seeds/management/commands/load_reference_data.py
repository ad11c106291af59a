from django.core.management.base import BaseCommand

from seeds.reference import load_reference_data


class Command(BaseCommand):
    help = "Load the reference data (sites, programs, indicators, targets, services, partners, districts)."

    def handle(self, *args, **options):
        counts = load_reference_data()
        summary = ", ".join(f"{key}: {value}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded ({summary})."))
