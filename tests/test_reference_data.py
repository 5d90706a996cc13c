"""Reference data (the default recovery-capital instrument, the directory's
categories) comes from data migrations and program creation, never from a
page (issue 14: no writes during GET)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.defaults import DEFAULT_INSTRUMENT_NAME, DEFAULT_ITEMS
from goals.models import Instrument, InstrumentItem
from goals.selectors import instrument_for
from programs.services import program_create
from resources.defaults import TAXONOMY
from resources.models import Category
from tests.factories import ProgramFactory, UserFactory
from tests.permissions import no_writes, written_table

pytestmark = pytest.mark.django_db

CATEGORIES = len(TAXONOMY) + sum(len(children) for children in TAXONOMY.values())


def _default():
    return Instrument.objects.filter(name=DEFAULT_INSTRUMENT_NAME, program=None)


def test_the_migrations_made_the_default_instrument_and_the_categories():
    assert _default().count() == 1
    assert InstrumentItem.objects.filter(instrument__in=_default()).count() == len(DEFAULT_ITEMS)
    assert Category.objects.count() == CATEGORIES


def test_the_data_migrations_can_run_again_without_doubling_anything():
    for module in ("goals.migrations.0005_i14_default_instrument", "resources.migrations.0002_i14_default_taxonomy"):
        importlib.import_module(module).forwards(apps, None)
    assert _default().count() == 1
    assert InstrumentItem.objects.filter(instrument__in=_default()).count() == len(DEFAULT_ITEMS)
    assert Category.objects.count() == CATEGORIES


def test_a_page_reading_the_instrument_never_creates_it():
    _default().delete()
    program = ProgramFactory()
    with CaptureQueriesContext(connection) as queries:
        assert instrument_for(program) is None
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]


def test_creating_a_program_restores_missing_reference_data():
    _default().delete()
    Category.objects.all().delete()
    program_create(created_by=UserFactory(), name="Harbor Peers", slug="harbor-peers")
    assert _default().count() == 1
    assert Category.objects.count() == CATEGORIES


def test_a_category_an_admin_removed_stays_removed_when_a_program_is_created():
    Category.objects.filter(parent__isnull=False).first().delete()
    program_create(created_by=UserFactory(), name="Harbor Peers", slug="harbor-peers")
    assert Category.objects.count() == CATEGORIES - 1


def test_the_get_write_check_sees_inserts_updates_and_deletes():
    assert written_table('INSERT INTO "resources_category" ("name") VALUES (%s)') == "resources_category"
    assert written_table('UPDATE "goals_goal" SET "title" = %s') == "goals_goal"
    assert written_table('DELETE FROM "mentoring_notification" WHERE id = 1') == "mentoring_notification"
    assert written_table('SELECT 1 FROM "goals_goal"') is None
    with pytest.raises(AssertionError, match="wrote to the database"), no_writes("a page"):
        Category.objects.create(name="Written during a GET")
    with no_writes("a page"), connection.cursor() as cursor:  # the read audit's table is allowed
        cursor.execute("DELETE FROM mentoring_accessevent WHERE 1 = 0")
