"""The directory at federation scale (issue 15): the index of its default sort, its
filter lists and its anonymous page kept in the cache until a platform changes."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_the_default_sort_has_its_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'members_platform_name_fr_id'"
        )
        (definition,) = cursor.fetchone()
    assert 'COLLATE "fr-x-icu"' in definition and "id" in definition
