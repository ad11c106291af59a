"""The kinds of import file of ``services`` (registered into the import engine,
cases/imports/registry.py).

Service rows (docs/import.md), keyed by ``ref``: a direct service or a referral. A referral
whose status changes gets a ReferralTransition, as when a caseworker moves it."""

from __future__ import annotations

from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.choices import PopulationType
from cases.imports.kinds.base import BATCH_SIZE, Importer, Stats
from cases.imports.lookups import labelled_spellings
from cases.imports.registry import (
    entity_labels_register,
    lookup_register,
    messages_register,
    register,
    synonyms_register,
)
from cases.merging import people_lock_for_events
from cases.models import Person, survivor_value

from .models import DirectService, Partner, Referral, ReferralTransition, ServiceType

KINDS = ("direct", "referral")
DIRECT_FIELDS = ("person_id", "site_id", "program_id", "service_type_id", "delivered_on", "population_type")
REFERRAL_FIELDS = (
    "person_id",
    "site_id",
    "program_id",
    "service_type_id",
    "partner_id",
    "referred_on",
    "status",
    "completed_on",
    "population_type",
)


def _codes(model) -> dict[str, tuple[int, str]]:
    return {code.lower(): (pk, code) for pk, code in model.objects.values_list("pk", "code")}


KIND_LABELS = {"direct": _("direct service"), "referral": _("referral")}
messages_register(
    {
        "unknown_service_type": _("Unknown service type “%(value)s”."),
        "unknown_partner": _("Unknown partner “%(value)s”."),
        "not_for_direct": _("Leave this empty for a direct service."),
        "completed_without_date": _("A completed referral needs its completion date (completed_on)."),
        "completed_before_date": _("The completion date %(value)s is before the referral date %(date)s."),
        "completed_on_not_completed": _("Only a completed referral has a completion date."),
        "kind_changed": _("The reference “%(value)s” is already a %(existing)s: its kind cannot change."),
    },
    value_labels={"existing": KIND_LABELS},
)
entity_labels_register(
    {
        "direct_services": _("Direct services"),
        "referrals": _("Referrals"),
        "referral_transitions": _("Referral status changes"),
    },
    only_what_happened=("referral_transitions",),
)

synonyms_register(
    "Status",
    {
        "pending": ("pendiente",),
        "accepted": ("aceptado", "aceptada"),
        "completed": ("completado", "completada", "atendido", "atendida"),
        "declined": ("rechazado", "rechazada", "denegado", "denegada"),
        "no_show": ("no asistió", "no se presentó", "no show", "no-show"),
        "cancelled": ("cancelado", "cancelada", "anulado", "anulada", "canceled"),
    },
)
synonyms_register(
    "kind",
    {
        "direct": ("directo", "directa", "servicio directo", "atención directa", "direct service"),
        "referral": ("derivación", "derivado", "derivada", "referencia", "referido", "referida", "remisión"),
    },
)


@cache
def kind_spellings():
    """The spellings of the ``kind`` column: direct, referral."""
    return labelled_spellings(KIND_LABELS, "kind")


lookup_register("service_types", lambda: _codes(ServiceType))
lookup_register("partners", lambda: _codes(Partner))


@register
class ServicesImporter(Importer):
    kind = "services"
    label = _("Services and referrals")
    columns = (
        "ref",
        "person_ref",
        "program",
        "service_type",
        "kind",
        "date",
        "status",
        "completed_on",
        "partner",
        "population_type",
        "site",
    )
    required_columns = frozenset({"ref", "person_ref", "program", "service_type", "kind", "date", "site"})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_refs: dict[str, int] = {}

    def parse(self, row: int, values: dict) -> dict | None:
        before = self.errors.count
        ref = self.text(row, values, "ref", required=True, max_length=40)
        person_ref = self.text(row, values, "person_ref", required=True, max_length=40)
        program = self.program(row, values)
        service_type = self.reference(
            row,
            values,
            "service_type",
            self.lookups.tables["service_types"],
            "unknown_service_type",
            required=True,
        )
        kind = self.spelled(row, values, "kind", kind_spellings(), required=True)
        day = self.day(row, values, "date", required=True)
        self.in_program(row, "date", program, day)
        site_id = self.site(row, values)
        self.site_in_program(row, site_id, program)
        partner = self.reference(
            row, values, "partner", self.lookups.tables["partners"], "unknown_partner", required=False
        )
        population_type = self.choice(row, values, "population_type", PopulationType)

        status, completed_on = "", None
        if kind == "direct":
            for column in ("status", "completed_on", "partner"):
                if values.get(column):
                    self.error(row, column, "not_for_direct")
        elif kind == "referral":
            status = self.choice(row, values, "status", Referral.Status, required=True)
            completed_on = self.day(row, values, "completed_on")
            if (
                status == Referral.Status.COMPLETED
                and completed_on is None
                and not values.get("completed_on")
            ):
                self.error(row, "completed_on", "completed_without_date")
            elif completed_on is not None and status and status != Referral.Status.COMPLETED:
                self.error(row, "completed_on", "completed_on_not_completed")
            elif completed_on is not None and day is not None and completed_on < day:
                self.error(
                    row,
                    "completed_on",
                    "completed_before_date",
                    value=completed_on.isoformat(),
                    date=day.isoformat(),
                )
            else:
                # A completed referral is a service received on its completion date.
                self.in_program(row, "completed_on", program, completed_on)

        if ref:
            if ref in self.seen_refs:
                self.error(row, "ref", "duplicate_key", value=ref, other=self.seen_refs[ref])
            else:
                self.seen_refs[ref] = row
        if self.errors.count > before:
            return None
        return {
            "ref": ref,
            "person_ref": person_ref,
            "kind": kind,
            "program_id": program.id,
            "service_type_id": service_type[0],
            "date": day,
            "status": status,
            "completed_on": completed_on,
            "partner_id": partner[0] if partner else None,
            "population_type": population_type,
            "site_id": site_id,
        }

    def check_chunk(self, chunk: list[tuple[int, dict]]) -> None:
        person_site = dict(
            Person.objects.filter(ref__in={c["person_ref"] for _r, c in chunk}).values_list(
                "ref", survivor_value("site_id")
            )
        )
        refs = [c["ref"] for _r, c in chunk]
        existing = {
            ref: ("direct", site)
            for ref, site in DirectService.objects.filter(ref__in=refs).values_list("ref", "site_id")
        }
        existing.update(
            {
                ref: ("referral", site)
                for ref, site in Referral.objects.filter(ref__in=refs).values_list("ref", "site_id")
            }
        )
        for row, clean in chunk:
            site_id = person_site.get(clean["person_ref"])
            if site_id is None or not self.lookups.site_visible(site_id):
                self.error(row, "person_ref", "unknown_person", value=clean["person_ref"])
            if clean["ref"] in existing:
                kind, site_id = existing[clean["ref"]]
                if not self.lookups.site_visible(site_id):
                    self.error(row, "ref", "ref_not_yours", value=clean["ref"])
                elif kind != clean["kind"]:
                    self.error(row, "kind", "kind_changed", value=clean["ref"], existing=kind)

    def write_chunk(self, chunk: list[tuple[int, dict]], stats: Stats) -> None:
        # Held until the import commits: a merge of one of these people waits, or went first and
        # the rows go to the survivor (cases/merging.py).
        people = people_lock_for_events({c["person_ref"] for _r, c in chunk})
        values = []
        for _row, clean in chunk:
            self.event_written(clean["program_id"], clean["date"])
            person_id, person_population = people[clean["person_ref"]]
            values.append(dict(clean, person_id=person_id, person_population=person_population))
        self._write_direct([v for v in values if v["kind"] == "direct"], stats)
        self._write_referrals([v for v in values if v["kind"] == "referral"], stats)

    def _write_direct(self, rows: list[dict], stats: Stats) -> None:
        if not rows:
            return
        existing = {d.ref: d for d in DirectService.objects.filter(ref__in=[r["ref"] for r in rows])}
        new, changed, changed_fields = [], [], set()
        for r in rows:
            wanted = {
                "person_id": r["person_id"],
                "site_id": r["site_id"],
                "program_id": r["program_id"],
                "service_type_id": r["service_type_id"],
                "delivered_on": r["date"],
                "population_type": r["population_type"],
            }
            service = existing.get(r["ref"])
            if service is None:
                wanted["population_type"] = wanted["population_type"] or r["person_population"]
                new.append(DirectService(ref=r["ref"], **wanted))
                continue
            if not wanted["population_type"]:
                del wanted["population_type"]  # empty: keep what was stamped when it was first imported
            diff = [f for f, v in wanted.items() if getattr(service, f) != v]
            if diff:
                for f in diff:
                    setattr(service, f, wanted[f])
                service.updated_at = timezone.now()  # bulk_update does not touch auto_now fields
                changed.append(service)
                changed_fields.update(diff)
            else:
                stats["direct_services"]["unchanged"] += 1
        if new:
            bulk_create_with_history(
                new,
                DirectService,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["direct_services"]["created"] += len(new)
        if changed:
            bulk_update_with_history(
                changed,
                DirectService,
                fields=sorted(changed_fields | {"updated_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["direct_services"]["updated"] += len(changed)

    def _write_referrals(self, rows: list[dict], stats: Stats) -> None:
        if not rows:
            return
        now = timezone.now()
        existing = {r.ref: r for r in Referral.objects.filter(ref__in=[r["ref"] for r in rows])}
        new, changed, changed_fields, transitions = [], [], set(), []
        for r in rows:
            wanted = {
                "person_id": r["person_id"],
                "site_id": r["site_id"],
                "program_id": r["program_id"],
                "service_type_id": r["service_type_id"],
                "referred_on": r["date"],
                "status": r["status"],
                "completed_on": r["completed_on"],
                "population_type": r["population_type"],
            }
            if "partner" in self.present:
                wanted["partner_id"] = r["partner_id"]
            referral = existing.get(r["ref"])
            if referral is None:
                wanted["population_type"] = wanted["population_type"] or r["person_population"]
                referral = Referral(ref=r["ref"], created_by=self.user, **wanted)
                new.append(referral)
                continue
            if not wanted["population_type"]:
                del wanted["population_type"]
            diff = [f for f, v in wanted.items() if getattr(referral, f) != v]
            if not diff:
                stats["referrals"]["unchanged"] += 1
                continue
            if "status" in diff:
                transitions.append(
                    ReferralTransition(
                        referral_id=referral.pk,
                        from_status=referral.status,
                        to_status=wanted["status"],
                        at=now,
                        by=self.user,
                        comment=self.reason,
                    )
                )
            for f in diff:
                setattr(referral, f, wanted[f])
            referral.updated_at = now
            changed.append(referral)
            changed_fields.update(diff)
        if new:
            bulk_create_with_history(
                new,
                Referral,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["referrals"]["created"] += len(new)
            transitions.extend(
                ReferralTransition(
                    referral_id=referral.pk,
                    from_status="",
                    to_status=referral.status,
                    at=now,
                    by=self.user,
                    comment=self.reason,
                )
                for referral in new
            )
        if changed:
            bulk_update_with_history(
                changed,
                Referral,
                fields=sorted(changed_fields | {"updated_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            stats["referrals"]["updated"] += len(changed)
        if transitions:
            ReferralTransition.objects.bulk_create(transitions, batch_size=BATCH_SIZE)
            stats["referral_transitions"]["created"] += len(transitions)
