"""Transactional tests flush every table: the regions and departments of the data
migration come back for the tests that follow (tests/conftest.py)."""

import pytest

from members.models import Department, Region


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_runs_first():
    assert Region.objects.exists()


@pytest.mark.django_db
def test_the_territories_are_back_after_it():
    assert Region.objects.filter(is_current=True).count() == 18
    assert Department.objects.count() == 101
