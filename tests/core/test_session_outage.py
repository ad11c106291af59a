"""A session that cannot be saved after the view committed never hides the confirmed save."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from orientation.middleware import SessionMiddleware


def _run(response):
    middleware = SessionMiddleware(lambda request: response)
    request = RequestFactory().post("/people/1/intakes/new/")
    middleware.process_request(request)
    request.session["orienta_seen"] = 1.0
    return middleware.process_response(request, response)


def test_a_confirmed_save_stays_confirmed_when_the_session_cannot_be_saved(db):
    with mock.patch.object(
        SessionStore, "save", side_effect=OperationalError("server closed the connection")
    ):
        response = _run(HttpResponseRedirect("/people/1/"))
    assert response.status_code == 302 and response["Location"] == "/people/1/"


def test_an_error_response_still_fails_loudly(db):
    with mock.patch.object(SessionStore, "save", side_effect=OperationalError("down")):
        with pytest.raises(OperationalError):
            _run(HttpResponse(status=400))


def test_the_session_is_saved_as_usual(db):
    response = _run(HttpResponse("ok"))
    assert response.cookies["sessionid"].value
