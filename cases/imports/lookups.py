"""The reference codes an import checks against, loaded once per file (a few hundred rows at most)
and matched without regard to case; and the spellings people type for codes and countries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.utils import translation
from django_countries import countries
from django_countries.data import COUNTRIES

from orientation import roles
from orientation.models import District, Program, Site
from orientation.selectors import programs_visible_to, site_ids_visible_to


def group_key(name: str) -> str:
    """A group name as a file may write it (“Sub-12  Mixto ”) → how groups are matched."""
    return " ".join(name.split()).lower()


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    id: int
    code: str
    start: date
    end: date | None
    site_ids: frozenset[int]


@dataclass
class Lookups:
    sites: dict[str, tuple[int, str]]
    programs: dict[str, ProgramInfo]
    districts: set[str]
    countries: Spellings
    # The code tables the kinds registered (registry.lookup_register): name → table.
    tables: dict[str, Any]
    # None: every site / program (an admin, or the command line).
    visible_site_ids: set[int] | None
    visible_program_ids: set[int] | None
    # Groups a file names that do not exist yet: (program id, site id, name key) → what is known of
    # them (the name as first written, the last session, the ages seen). Filled while the file is
    # checked and shared with the pass that writes it.
    planned_groups: dict[tuple[int, int, str], dict] = field(default_factory=dict)
    # Program id → the earliest event date the import wrote (its figures are recomputed from there).
    earliest_event: dict[int, date] = field(default_factory=dict)

    @classmethod
    def load(cls, user=None) -> Lookups:
        from .registry import LOOKUP_LOADERS

        program_sites: dict[int, set[int]] = {}
        for program_id, site_id in Program.sites.through.objects.values_list("program_id", "site_id"):
            program_sites.setdefault(program_id, set()).add(site_id)
        programs = {
            code.lower(): ProgramInfo(pk, code, start, end, frozenset(program_sites.get(pk, ())))
            for pk, code, start, end in Program.objects.values_list("pk", "code", "start_date", "end_date")
        }
        if user is None or roles.has_role(user, roles.ADMIN):
            visible_sites = visible_programs = None
        else:
            visible_sites = set(site_ids_visible_to(user))
            visible_programs = set(programs_visible_to(user).values_list("pk", flat=True))
        return cls(
            sites={code.lower(): (pk, code) for pk, code in Site.objects.values_list("pk", "code")},
            programs=programs,
            districts=set(District.objects.values_list("ubigeo", flat=True)),
            countries=country_spellings(),
            tables={name: load() for name, load in LOOKUP_LOADERS.items()},
            visible_site_ids=visible_sites,
            visible_program_ids=visible_programs,
        )

    def site_visible(self, site_id: int) -> bool:
        return self.visible_site_ids is None or site_id in self.visible_site_ids

    def program_visible(self, program_id: int) -> bool:
        return self.visible_program_ids is None or program_id in self.visible_program_ids


# --- Spellings --------------------------------------------------------------------------------------
#
# A cell may hold a code ("transit", "VE") or what people actually type: a label in Spanish or
# English ("En tránsito", "tránsito", "Venezuela", "venezolana"), in any case, with or without
# accents. A code always means itself; a spelling that could mean two codes ("Congo", "Corea") is
# refused as ambiguous rather than guessed.

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
LANGUAGES = ("es", "en")


def spelling_key(value: str) -> str:
    """“En Tránsito”, “en transito ”, “EN_TRANSITO” → “en transito”."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Spellings:
    codes: tuple[str, ...]
    known: dict[str, str]
    ambiguous: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, codes: Iterable[str], spellings: Iterable[tuple[str, str]]) -> Spellings:
        codes = tuple(codes)
        known = {spelling_key(code): code for code in codes}
        meanings: dict[str, set[str]] = {}
        for code, text in spellings:
            key = spelling_key(text)
            if key and key not in known:
                meanings.setdefault(key, set()).add(code)
        ambiguous = {}
        for key, found in meanings.items():
            if len(found) == 1:
                known[key] = next(iter(found))
            else:
                ambiguous[key] = tuple(sorted(found))
        return cls(codes=codes, known=known, ambiguous=ambiguous)

    def match(self, value: str) -> tuple[str | None, tuple[str, ...]]:
        """→ (the code, ()) when the value means one code; (None, the codes) when it could mean
        several; (None, ()) when it means none."""
        key = spelling_key(value)
        return self.known.get(key), self.ambiguous.get(key, ())


def _label_spellings(code: str, label) -> list[tuple[str, str]]:
    """A label in each language, with and without what it says in parenthesis."""
    found = []
    for language in LANGUAGES:
        with translation.override(language):
            text = str(label)
        found += [(code, text), (code, _PARENTHESIS.sub("", text))]
    return found


# What people write besides the labels (both genders where Spanish has them), by choices class:
# the engine's own (cases' choices); each kind adds those of its own codes (registry.synonyms_register).
CODE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "Sex": {
        "F": ("mujer", "femenina", "female", "woman"),
        "M": ("hombre", "h", "varón", "male", "man"),
        "X": ("otro", "otra", "other", "no indica", "no binario", "non-binary"),
    },
    "PopulationType": {
        "destination": ("destino", "asentado", "asentada", "vocación de permanencia", "settled"),
        "transit": ("tránsito", "en transito"),
        "host": ("acogida", "comunidad receptora", "host community"),
        "returnee": ("retornado", "retornada", "peruano retornado", "peruana retornada", "retorno"),
    },
    "DocumentType": {
        "dni": ("documento nacional de identidad",),
        "ce": ("carnet de extranjería", "carné de extranjeria"),
        "cpp": ("carné de permiso temporal de permanencia", "carnet de permiso temporal de permanencia"),
        "ptp": ("permiso temporal de permanencia",),
        "cedula_ve": ("cédula de identidad venezolana", "cédula", "venezuelan id card"),
        "passport": ("pasaporte",),
        "refugee_card": ("carné de refugio", "carnet de solicitante de refugio", "solicitante de refugio"),
        "birth_cert": ("acta de nacimiento", "partida", "birth certificate"),
    },
}


@cache
def choice_spellings(choices) -> Spellings:
    """The spellings of a TextChoices class: its codes, labels in Spanish and English, synonyms."""
    found = []
    for code, label in zip(choices.values, choices.labels, strict=True):
        found += _label_spellings(str(code), label)
    for code, words in CODE_SYNONYMS.get(choices.__name__, {}).items():
        found += [(code, word) for word in words]
    return Spellings.build((str(v) for v in choices.values), found)


def labelled_spellings(labels: dict, synonyms: str) -> Spellings:
    """The spellings of codes given with their labels (a kind's own column, such as the services
    ``kind``), with the words of ``CODE_SYNONYMS[synonyms]``."""
    found = []
    for code, label in labels.items():
        found += _label_spellings(code, label)
    for code, words in CODE_SYNONYMS.get(synonyms, {}).items():
        found += [(code, word) for word in words]
    return Spellings.build(labels, found)


# Nationalities as people write them in the region (both genders), besides the country names.
DEMONYMS = {
    "VE": ("venezolano", "venezolana", "venezuelan"),
    "PE": ("peruano", "peruana", "peruvian"),
    "CO": ("colombiano", "colombiana", "colombian"),
    "EC": ("ecuatoriano", "ecuatoriana", "ecuadorian", "ecuadorean"),
    "BO": ("boliviano", "boliviana", "bolivian"),
    "CL": ("chileno", "chilena", "chilean"),
    "AR": ("argentino", "argentina", "argentinian", "argentine"),
    "BR": ("brasileño", "brasileña", "brazilian"),
    "PY": ("paraguayo", "paraguaya", "paraguayan"),
    "UY": ("uruguayo", "uruguaya", "uruguayan"),
    "HT": ("haitiano", "haitiana", "haitian"),
    "CU": ("cubano", "cubana", "cuban"),
    "DO": ("dominicano", "dominicana", "dominican"),
    "MX": ("mexicano", "mexicana", "mexican"),
    "PA": ("panameño", "panameña", "panamanian"),
    "US": ("estadounidense", "usa", "ee uu", "eeuu", "american"),
    "ES": ("español", "española", "spanish"),
}


@cache
def country_spellings() -> Spellings:
    """ISO alpha-2 codes; alpha-3 codes; country names (common and official) in Spanish and
    English, with and without what they say in parenthesis; the region's demonyms."""
    codes = [code for code, _name in countries]
    found = []
    for code in codes:
        found.append((code, countries.alpha3(code) or ""))
        for language in LANGUAGES:
            with translation.override(language):
                for name in {countries.name(code), str(COUNTRIES.get(code, ""))}:
                    found += [(code, name), (code, _PARENTHESIS.sub("", name))]
    for code, words in DEMONYMS.items():
        found += [(code, word) for word in words]
    return Spellings.build(codes, found)
