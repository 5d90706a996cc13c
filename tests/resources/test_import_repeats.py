"""Issue 17.3: re-importing a resources export recognises what is already there."""

import pytest

from resources.models import Resource
from resources.services import export_rows, import_rows, parse_csv
from tests.factories import ResourceFactory
from tests.resources.test_services import _recovery_housing

pytestmark = pytest.mark.django_db


def _reimport(personas, text):
    rows, errors = parse_csv(text, program=personas.program)
    assert errors == []
    return import_rows(program=personas.program, rows=rows, by=personas.coordinator)


def test_reimporting_an_unchanged_export_imports_nothing_and_copies_no_shared_listing(personas):
    ResourceFactory(program=personas.program, category=_recovery_housing(), name="Harbor House", city="Salem")
    ResourceFactory(program=None, category=_recovery_housing(), name="National Helpline", is_crisis=True)
    before = Resource.objects.count()
    export = "".join(export_rows(Resource.objects.filter(status=Resource.Status.APPROVED)))
    assert export.startswith("\ufeff")
    result = _reimport(personas, export)
    assert (len(result.created), len(result.updated), result.unchanged, result.global_rows) == (0, 0, 1, 1)
    assert Resource.objects.count() == before
    assert not Resource.objects.filter(program=personas.program, name="National Helpline").exists()


def test_a_changed_row_updates_the_listing(personas):
    harbor = ResourceFactory(program=personas.program, category=_recovery_housing(), name="Harbor House", city="Salem")
    result = _reimport(personas, "name,category,city,phone\nharbor  house,Recovery housing,SALEM,555 0100\n")
    harbor.refresh_from_db()
    assert len(result.updated) == 1 and not result.created
    assert harbor.phone == "555 0100"


@pytest.mark.parametrize(
    "text",
    [
        "Name;Category;City\nCafé Comida;Recovery housing;Salem\n",
        "name\tcategory\nCafé Comida\tRecovery housing\n",
        " Category , NAME \nRecovery housing,Café Comida\n",
    ],
)
def test_delimiters_and_headers_are_recognised(personas, text):
    _recovery_housing()  # the taxonomy is in place
    result = _reimport(personas, text)
    assert [r.name for r in result.created] == ["Café Comida"]
