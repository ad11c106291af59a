"""The pages speak the user's saved language (Spanish by default), never the browser's; dates are
typed as day/month/year in every language."""

from datetime import date

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from orientation.models import UserProfile
from orientation.widgets import DayMonthYearInput

ENGLISH_TABLET = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def lang_of(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": "orienta-test-pass"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_tablet_set_to_english_gets_spanish_at_the_login_page():
    assert lang_of(Client(**ENGLISH_TABLET).get(reverse("login"))) == "es"


def test_a_caseworker_on_an_english_tablet_gets_spanish(make_user):
    make_user("caseworker", username="carla")
    client = Client(**ENGLISH_TABLET)
    sign_in(client, "carla")
    assert lang_of(client.get(reverse("home"))) == "es"


def test_the_switch_saves_the_choice_on_the_profile_and_it_follows_the_user(make_user):
    user = make_user("caseworker", username="carla")
    tablet = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(tablet, "carla")
    tablet.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert UserProfile.objects.get(user=user).language == "en"
    assert lang_of(tablet.get(reverse("home"))) == "en"

    # Another device, set to Spanish, with no cookie: the saved choice wins.
    other = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(other, "carla")
    assert lang_of(other.get(reverse("home"))) == "en"


def test_the_saved_choice_wins_over_a_cookie_left_on_a_shared_tablet(make_user):
    make_user("caseworker", username="carla")
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # the previous user's
    sign_in(client, "carla")
    assert lang_of(client.get(reverse("home"))) == "es"


class DayForm(forms.Form):
    day = forms.DateField(widget=DayMonthYearInput())


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("typed", ["31/12/2024", "31122024", "2024-12-31"])
def test_dates_are_typed_day_month_year_in_every_language(language, typed):
    with translation.override(language):
        form = DayForm({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2024, 12, 31)


@pytest.mark.parametrize(("language", "placeholder"), [("es", "dd/mm/aaaa"), ("en", "dd/mm/yyyy")])
def test_the_date_input_shows_day_month_year_with_a_numeric_keyboard(language, placeholder):
    with translation.override(language):
        html = DayForm(initial={"day": date(2024, 12, 31)}).as_p()
    assert 'type="text"' in html
    assert 'value="31/12/2024"' in html
    assert f'placeholder="{placeholder}"' in html
    assert 'inputmode="numeric"' in html
    assert 'pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{8}"' in html


def test_every_date_field_of_the_forms_uses_the_one_date_input():
    """No form falls back to the browser's date picker or to a bare text box."""
    import cases.arco.forms
    import cases.forms
    import services.forms
    import services.sport.forms

    offenders = []
    for module in (cases.forms, cases.arco.forms, services.forms, services.sport.forms):
        for name in dir(module):
            form_class = getattr(module, name)
            if not (isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)):
                continue
            if form_class.__module__ != module.__name__:
                continue
            for field_name, field in form_class.base_fields.items():
                if isinstance(field, forms.DateField) and not isinstance(field.widget, DayMonthYearInput):
                    offenders.append(f"{module.__name__}.{name}.{field_name}")
    assert not offenders
