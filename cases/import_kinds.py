"""The kinds of import file of ``cases`` (registered into the import engine, cases/imports/registry.py).

People rows (docs/import.md), keyed by ``ref``; a document creates or updates an IdentityDocument
of that type."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .choices import DocumentType, PopulationType, Sex
from .imports.kinds.base import BATCH_SIZE, Importer, Stats
from .imports.registry import entity_labels_register, messages_register, register
from .imports.validators import (
    document_number_normalize,
    document_number_valid,
    phone_valid,
    ubigeo_normalize,
)
from .models import IdentityDocument, Person, survivor_value

# The country that issues a document type, where there is only one.
ISSUING_COUNTRY = {"dni": "PE", "ce": "PE", "cpp": "PE", "ptp": "PE", "refugee_card": "PE", "cedula_ve": "VE"}

# Person fields an import sets, and the column each comes from.
PERSON_FIELDS = {
    "given_names": "given_names",
    "family_names": "family_names",
    "sex": "sex",
    "birth_date": "birth_date",
    "nationality": "nationality",
    "population_type": "population_type",
    "phone": "phone",
    "district_id": "district",
    "site_id": "site",
    "registered_on": "registered_on",
}


messages_register(
    {
        "bad_dni": _("A DNI has exactly 8 digits."),
        "bad_document_number": _("A document number has 3 to 30 letters, digits or hyphens."),
        "document_incomplete": _("Give both document_type and document_number, or leave both empty."),
        "document_taken": _("This document is already registered for another person."),
        "duplicate_document": _("The same document is already in row %(other)s."),
    }
)
entity_labels_register({"people": _("People"), "documents": _("Identity documents")})


@register
class PeopleImporter(Importer):
    kind = "people"
    label = _("People")
    columns = (
        "ref",
        "given_names",
        "family_names",
        "sex",
        "birth_date",
        "nationality",
        "population_type",
        "document_type",
        "document_number",
        "phone",
        "district",
        "site",
        "registered_on",
    )
    required_columns = frozenset(
        {"ref", "given_names", "family_names", "sex", "nationality", "population_type", "site"}
    )
    private_columns = frozenset({"given_names", "family_names", "birth_date", "document_number", "phone"})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_refs: dict[str, int] = {}
        self.seen_documents: dict[tuple[str, str], int] = {}

    def parse(self, row: int, values: dict) -> dict | None:
        before = self.errors.count
        ref = self.text(row, values, "ref", required=True, max_length=40)
        clean = {
            "ref": ref,
            "given_names": self.text(row, values, "given_names", required=True, max_length=120),
            "family_names": self.text(row, values, "family_names", required=True, max_length=120),
            "sex": self.choice(row, values, "sex", Sex, required=True),
            "birth_date": self.day(row, values, "birth_date"),
            "population_type": self.choice(row, values, "population_type", PopulationType, required=True),
            "phone": self.text(row, values, "phone", max_length=20),
            "registered_on": self.day(row, values, "registered_on"),
        }
        written = self.text(row, values, "nationality", required=True)
        nationality, could_be = self.lookups.countries.match(written) if written else (None, ())
        if written and could_be:
            self.error(
                row, "nationality", "ambiguous_nationality", value=written, options=", ".join(could_be)
            )
        elif written and nationality is None:
            self.error(row, "nationality", "unknown_nationality", value=written)
        clean["nationality"] = nationality or ""

        if clean["phone"] and not phone_valid(clean["phone"]):
            self.error(row, "phone", "bad_phone")

        district = ubigeo_normalize(self.text(row, values, "district"))
        if district and district not in self.lookups.districts:
            self.error(row, "district", "unknown_district", value=district)
        clean["district_id"] = district or None
        clean["site_id"] = self.site(row, values)

        registered = clean["registered_on"] or self.today
        if clean["birth_date"] and clean["birth_date"] > registered:
            self.error(row, "birth_date", "birth_after_registration")

        doc_type = self.choice(row, values, "document_type", DocumentType)
        number = document_number_normalize(values.get("document_number", ""))
        if bool(values.get("document_type")) != bool(number):
            column = "document_number" if values.get("document_type") else "document_type"
            self.error(row, column, "document_incomplete")
        elif doc_type and number:
            problem = document_number_valid(doc_type, number)
            if problem:
                self.error(row, "document_number", problem)
            elif (doc_type, number) in self.seen_documents:
                self.error(
                    row,
                    "document_number",
                    "duplicate_document",
                    other=self.seen_documents[(doc_type, number)],
                )
            else:
                self.seen_documents[(doc_type, number)] = row
        clean["document"] = (doc_type, number) if doc_type and number else None

        if ref:
            if ref in self.seen_refs:
                self.error(row, "ref", "duplicate_key", value=ref, other=self.seen_refs[ref])
            else:
                self.seen_refs[ref] = row
        return clean if self.errors.count == before else None

    def check_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        refs = [clean["ref"] for _row, clean in chunk]
        # A ref naming a merged record stands for the record it was merged into (docs/merge.md).
        existing = {
            ref: (site_id, pk)
            for ref, site_id, pk in Person.objects.filter(ref__in=refs).values_list(
                "ref", survivor_value("site_id"), survivor_value("pk")
            )
        }
        documents = [clean["document"] for _row, clean in chunk if clean["document"]]
        holders = {}
        if documents:
            # Both columns of the unique index in SQL, the pairs here: a long OR of pairs is too deep for SQLite.
            found = IdentityDocument.objects.filter(
                doc_type__in={t for t, _n in documents}, number__in={n for _t, n in documents}
            ).values_list("doc_type", "number", "person_id")
            holders = {(doc_type, number): person_id for doc_type, number, person_id in found}
        for row, clean in chunk:
            site_id, person_id = existing.get(clean["ref"], (None, None))
            if site_id is not None and not self.lookups.site_visible(site_id):
                self.error(row, "ref", "ref_not_yours", value=clean["ref"])
            document = clean["document"]
            if document and document in holders and holders[document] != person_id:
                self.error(row, "document_number", "document_taken")

    def write_chunk(self, chunk: list[tuple[int, dict]], stats: Stats) -> None:
        now = timezone.now()
        refs = [clean["ref"] for _row, clean in chunk]
        # A row naming a merged record updates the record it was merged into.
        existing = {
            p.ref: p.merged_into or p
            for p in Person.objects.filter(ref__in=refs).select_related("merged_into")
        }
        fields = [f for f, column in PERSON_FIELDS.items() if column in self.present]
        new, changed, changed_fields = [], [], set()
        for _row, clean in chunk:
            person = existing.get(clean["ref"])
            if person is None:
                person = Person(ref=clean["ref"], **{f: clean[f] for f in fields}, created_by=self.user)
                person.registered_on = clean["registered_on"] or self.today
                person.refresh_search_fields()
                new.append(person)
                continue
            diff = [f for f in fields if _differs(person, f, clean[f])]
            if not diff:
                stats["people"]["unchanged"] += 1
                continue
            for f in diff:
                setattr(person, f, clean[f])
            person.refresh_search_fields()
            person.updated_at = now
            changed.append(person)
            changed_fields.update(diff)
        if new:
            bulk_create_with_history(
                new, Person, batch_size=BATCH_SIZE, default_user=self.user, default_change_reason=self.reason
            )
            stats["people"]["created"] += len(new)
        if changed:
            bulk_update_with_history(
                changed,
                Person,
                fields=sorted(changed_fields | {"search_name", "name_key", "updated_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["people"]["updated"] += len(changed)
        person_ids = {**{ref: p.pk for ref, p in existing.items()}, **{p.ref: p.pk for p in new}}
        self._write_documents(chunk, person_ids, stats)

    def _write_documents(self, chunk, person_ids: dict[str, int], stats: Stats) -> None:
        wanted = {person_ids[clean["ref"]]: clean["document"] for _row, clean in chunk if clean["document"]}
        if not wanted:
            return
        current = {}
        for doc in IdentityDocument.objects.filter(person_id__in=wanted).order_by("id"):
            current[(doc.person_id, doc.doc_type)] = doc  # the latest of a type wins
        new, changed = [], []
        for person_id, (doc_type, number) in wanted.items():
            doc = current.get((person_id, doc_type))
            if doc is None:
                new.append(
                    IdentityDocument(
                        person_id=person_id,
                        doc_type=doc_type,
                        number=number,
                        issuing_country=ISSUING_COUNTRY.get(doc_type, ""),
                    )
                )
            elif doc.number != number:
                doc.number = number
                changed.append(doc)
            else:
                stats["documents"]["unchanged"] += 1
        if new:
            bulk_create_with_history(
                new,
                IdentityDocument,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["documents"]["created"] += len(new)
        if changed:
            bulk_update_with_history(
                changed,
                IdentityDocument,
                fields=["number"],
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["documents"]["updated"] += len(changed)


def _differs(person: Person, field: str, value) -> bool:
    current = getattr(person, field)
    if field == "nationality":
        current = getattr(current, "code", current) or ""
    if field == "registered_on" and value is None:
        return False  # empty means "today" for a new person only: never moves an existing date
    if field in ("phone",):
        current = current or ""
    return current != value
