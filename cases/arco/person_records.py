"""A person's ARCO requests, for ``cases`` (cases/person_records.py): a merge moves them to the
surviving record."""

from __future__ import annotations

from cases.person_records import Movable, PersonRecords, register

register(PersonRecords(name="arco", movable=(Movable("arco.arcorequest"),)))
