import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages compared in these tests are the English source strings."""
    with translation.override("en"):
        yield
