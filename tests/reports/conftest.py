import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the English texts; the Spanish catalogue is checked by scripts/check_messages.py
    and by ``test_the_dashboard_speaks_spanish_by_default``."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
