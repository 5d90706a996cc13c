import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.reminders.test_delivery_proofs import proof_queue  # noqa: F401  (a fixture for the proofs here)


@pytest.fixture(autouse=True)
def no_accepted_messages_left():
    """The proof backends' files (tests/reminders/proof_backends.py) belong to one test."""
    var = Path(settings.VAR_DIR)
    shutil.rmtree(var / "accepted", ignore_errors=True)
    for path in [*var.glob("hang-*"), *var.glob("hanging-*")]:
        path.unlink(missing_ok=True)
    yield
