from .attendance import AttendanceImporter
from .base import Importer, Stats
from .people import PeopleImporter
from .services import ServicesImporter

IMPORTERS: dict[str, type[Importer]] = {
    PeopleImporter.kind: PeopleImporter,
    ServicesImporter.kind: ServicesImporter,
    AttendanceImporter.kind: AttendanceImporter,
}

__all__ = ["IMPORTERS", "AttendanceImporter", "Importer", "PeopleImporter", "ServicesImporter", "Stats"]
