"""A stand-in DHIS2 server for the push tests, and a small month worked out by hand.

The stand-in is a real HTTP server on 127.0.0.1 (a random port, in a thread). It checks what a
DHIS2 server would (the endpoint, the JSON content type, the credentials, the data value set's
shape: required fields, UIDs, the period) and answers with DHIS2's documented import summaries:
``200 OK`` with ``status: SUCCESS``, or ``409 Conflict`` with ``status: WARNING``, the ignored
count and the ``conflicts``. Tests can script other answers (401, 500, a redirect) or point the
server at a closed port (connection refused).
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
PERIOD = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")
REQUIRED = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "value")
TOKEN = "d2pat_0123456789abcdefTEST"  # noqa: S105 — the stand-in's own test token
MARCH = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def payload_problems(body) -> list[str]:
    """What DHIS2 would refuse in a data value set (its shape, not its metadata)."""
    if not isinstance(body, dict) or not isinstance(body.get("dataValues"), list):
        return ["no dataValues list"]
    problems = []
    for name in ("dataSet", "orgUnit", "attributeOptionCombo"):
        if name in body and not UID.match(str(body[name])):
            problems.append(f"top-level {name} {body[name]!r} is not a UID")
    if "period" in body and not PERIOD.match(str(body["period"])):
        problems.append(f"top-level period {body['period']!r}")
    for i, value in enumerate(body["dataValues"]):
        missing = [k for k in REQUIRED if k not in value]
        if missing:
            problems.append(f"value {i}: missing {missing}")
            continue
        for name in ("dataElement", "orgUnit", "categoryOptionCombo", "attributeOptionCombo"):
            if name in value and not UID.match(str(value[name])):
                problems.append(f"value {i}: {name} {value[name]!r} is not a UID")
        if not PERIOD.match(str(value["period"])):
            problems.append(f"value {i}: period {value['period']!r} is not YYYYMM")
        if not isinstance(value["value"], str) or not value["value"].isdigit():
            problems.append(f"value {i}: value {value['value']!r} is not a count")
    return problems


class StandInDHIS2:
    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[dict] = []  # answers given first, in order, before the default ones
        self.locked_org_units: set[str] = set()
        self.stored: dict[tuple, str] = {}
        self.username, self.password = "orienta", "district-Test-1"
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def problems(self) -> list[str]:
        return [p for r in self.requests for p in r["problems"]]

    def answer(self, headers: dict, raw: bytes, path: str) -> tuple[int, dict | str, dict]:
        if path != "/api/dataValueSets":
            return 404, {"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR"}, {}
        basic = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if headers.get("authorization") not in (f"ApiToken {TOKEN}", basic):
            return (
                401,
                {
                    "httpStatus": "Unauthorized",
                    "httpStatusCode": 401,
                    "status": "ERROR",
                    "message": "Unauthorized",
                },
                {},
            )
        if self.script:
            step = self.script.pop(0)
            return step["status"], step.get("body", ""), step.get("headers", {})
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, {"httpStatus": "Unsupported Media Type", "httpStatusCode": 415, "status": "ERROR"}, {}
        body = json.loads(raw)
        counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        conflicts = []
        for value in body["dataValues"]:
            if value["orgUnit"] in self.locked_org_units:
                counts["ignored"] += 1
                conflicts.append(
                    {
                        "object": value["orgUnit"],
                        "value": "Data set is locked for this period and organisation unit",
                    }
                )
                continue
            key = (
                value["dataElement"],
                value["period"],
                value["orgUnit"],
                value["categoryOptionCombo"],
                value.get("attributeOptionCombo", ""),
            )
            counts["updated" if key in self.stored else "imported"] += 1
            self.stored[key] = value["value"]
        summary = {"responseType": "ImportSummary", "importCount": counts, "conflicts": conflicts}
        if conflicts:
            return (
                409,
                {
                    "httpStatus": "Conflict",
                    "httpStatusCode": 409,
                    "status": "WARNING",
                    "message": "One more conflicts encountered, please check import summary.",
                    "response": {**summary, "status": "WARNING"},
                },
                {},
            )
        return (
            200,
            {
                "httpStatus": "OK",
                "httpStatusCode": 200,
                "status": "OK",
                "message": "Import was successful.",
                "response": {**summary, "status": "SUCCESS"},
            },
            {},
        )

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                stand_in.requests.append(
                    {
                        "path": self.path,
                        "headers": headers,
                        "body": parsed,
                        "problems": payload_problems(parsed),
                    }
                )
                status, body, extra = stand_in.answer(headers, raw, self.path)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if not isinstance(body, str) else "text/html"
                )
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def dhis2():
    server = StandInDHIS2()
    yield server
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_for(db, monkeypatch):
    """``server_for(url, auth="token")`` → the active DHIS2 server, its secret in the environment."""
    from reports.dhis2.models import DHIS2Server

    def make(url: str, *, auth: str = "token", auto_push: bool = False, timeout: int = 5):
        monkeypatch.setenv("DHIS2_TEST_SECRET", TOKEN if auth == "token" else "district-Test-1")
        server = DHIS2Server(
            name="Stand-in",
            base_url=url,
            auth=auth,
            username="orienta" if auth == "basic" else "",
            secret_env="DHIS2_TEST_SECRET",
            auto_push=auto_push,
            timeout=timeout,
        )
        server.full_clean()
        server.save()
        return server

    return make


@pytest.fixture
def march(ref):
    """SALUD in March 2025, worked out by hand (program start 2024-03-01, calendar reporting year).

    Primary care (SALUD-PHC):
    - A (F, 35, VE): PAO-LS on 5 November 2024 and 10 March 2025.
    - B (M, 12, VE): SCH-01 on 3 March, PAO-LS on 20 March.
    - C (F, 75, PE): PAO-LS on 15 January 2025 only.
    - D (X, 25, CO): a referral made at SCH-01 on 1 March, completed on 12 March.
    - E (F, 40, VE): PAO-LS on 2 April 2025 (after the month).
    Psychosocial (SALUD-MHPSS): F (M, 30, VE) at PAO-LS on 5 March.

    The mapping (replacing the seeded example): SALUD-PHC reached by sex, new, cumulative and
    cumulative in the year as totals; SALUD-MHPSS reached as a total. Attribute option combo
    AocDonor001, data set DsSalud0001; PAO-LS → OrOuPaoLsur, SCH-01 → OrOuSch01vm (seeded).
    """
    from reports.dhis2.models import CategoryOptionComboMapping, DataElementMapping, ProgramMapping
    from reports.models import Indicator
    from tests.factories import (
        DirectServiceFactory,
        PersonFactory,
        ReferralFactory,
        program,
        service_type,
        site,
    )

    salud = program("SALUD")
    lima, school = site("PAO-LS"), site("SCH-01")
    phc, psy = service_type("phc-consultation"), service_type("mhpss-pfa")
    a = PersonFactory(sex="F", birth_date=date(1990, 1, 1), nationality="VE")
    b = PersonFactory(sex="M", birth_date=date(2012, 6, 1), nationality="VE", site=school)
    c = PersonFactory(sex="F", birth_date=date(1950, 1, 1), nationality="PE", population_type="returnee")
    d = PersonFactory(
        sex="X", birth_date=date(2000, 1, 1), nationality="CO", site=school, population_type="host"
    )
    e = PersonFactory(sex="F", birth_date=date(1985, 1, 1), nationality="VE")
    f = PersonFactory(sex="M", birth_date=date(1995, 1, 1), nationality="VE")
    for person, where, kind, day in [
        (a, lima, phc, date(2024, 11, 5)),
        (a, lima, phc, date(2025, 3, 10)),
        (b, school, phc, date(2025, 3, 3)),
        (b, lima, phc, date(2025, 3, 20)),
        (c, lima, phc, date(2025, 1, 15)),
        (e, lima, phc, date(2025, 4, 2)),
        (f, lima, psy, date(2025, 3, 5)),
    ]:
        DirectServiceFactory(person=person, site=where, program=salud, service_type=kind, delivered_on=day)
    ReferralFactory(
        person=d,
        site=school,
        program=salud,
        service_type=phc,
        referred_on=date(2025, 3, 1),
        status="completed",
        completed_on=date(2025, 3, 12),
    )
    ProgramMapping.objects.filter(program=salud).update(
        data_set="DsSalud0001", attribute_option_combo="AocDonor001"
    )
    DataElementMapping.objects.all().delete()
    CategoryOptionComboMapping.objects.exclude(breakdown="total").delete()
    phc_indicator, psy_indicator = (
        Indicator.objects.get(code="SALUD-PHC"),
        Indicator.objects.get(code="SALUD-MHPSS"),
    )
    for indicator, measure, uid, breakdown in [
        (phc_indicator, "reached", "PhcReached1", "by_sex"),
        (phc_indicator, "new", "PhcNewEver1", "total"),
        (phc_indicator, "cumulative", "PhcCumulat1", "total"),
        (phc_indicator, "cumulative_in_year", "PhcCumYear1", "total"),
        (psy_indicator, "reached", "PsyReached1", "total"),
    ]:
        DataElementMapping.objects.create(
            indicator=indicator, measure=measure, data_element=uid, breakdown=breakdown
        )
    for key, uid in [("F", "CocFemale01"), ("M", "CocMale0001"), ("X", "CocOther001")]:
        CategoryOptionComboMapping.objects.create(breakdown="by_sex", key=key, category_option_combo=uid)
