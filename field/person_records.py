"""What ``field`` keeps about a person, as ``cases`` needs to know it (cases/person_records.py):
the offline submissions that named the person, which a merge moves to the surviving record (the
attendance or profile they made moves with its own app)."""

from __future__ import annotations

from cases.person_records import Movable, PersonRecords, register

register(PersonRecords(name="field", movable=(Movable("field.fieldsubmission"),)))
