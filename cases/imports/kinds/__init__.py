from ..registry import IMPORTERS
from .base import Importer, Stats

__all__ = ["IMPORTERS", "Importer", "Stats"]
