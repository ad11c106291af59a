"""The access log records who opened what, never the person's name, documents or notes."""

from __future__ import annotations

from django.urls import reverse

from cases.models import ArcoRequest
from orientation.models import AccessLog

from .arco_data import SECRETS, person_with_everything


def test_a_journey_leaves_no_personal_data_in_the_access_log(client, make_user, ref):
    person = person_with_everything()
    access = ArcoRequest.objects.get(person=person)
    psychosocial = make_user("psychosocial", sites=["PAO-LS"])
    client.force_login(psychosocial)
    create = reverse("cases:arco_request_create", kwargs={"person_pk": person.pk})
    assert client.post(create, {"kind": "cancellation", "received_on": "2025-03-03"}).status_code == 302
    cancellation = ArcoRequest.objects.get(person=person, kind="cancellation")
    for name in [
        "cases:arco_request_detail",
        "cases:arco_request_export_json",
        "cases:arco_request_export_print",
    ]:
        assert client.get(reverse(name, kwargs={"pk": access.pk})).status_code == 200

    client.force_login(make_user("coordinator", programs=["PAO"]))
    assert client.get(reverse("cases:arco_request_export_json", kwargs={"pk": access.pk})).status_code == 200
    anonymize = reverse("cases:arco_request_anonymize", kwargs={"pk": cancellation.pk})
    assert client.post(anonymize, {"confirm": "on"}).status_code == 302

    entries = list(AccessLog.objects.all())
    assert {e.action for e in entries} == {"export", "print", "anonymize"}
    for entry in entries:
        for f in AccessLog._meta.concrete_fields:
            value = str(getattr(entry, f.attname) or "")
            for key, secret in SECRETS.items():
                for word in secret.split():
                    if len(word) > 3:
                        assert word.lower() not in value.lower(), f"{key} in AccessLog.{f.name}: {value}"
        assert entry.object_type == "cases.person" and entry.object_id == str(person.pk)
