"""Two people of a platform saving at once: one wins, the other is refused (real
transactions in two threads, the response row locked)."""

import threading

import pytest
from django.db import connection

from innovalo.exceptions import ServiceError
from surveys import services
from surveys.models import Answer

from .factories import QuestionFactory, ResponseFactory


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_at_once_never_both_pass():
    response = ResponseFactory()
    QuestionFactory(section__campaign=response.campaign, code="etudiants")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(value):
        try:
            barrier.wait(timeout=30)
            services.response_save_draft(
                response=response, answers={"etudiants": value}, expected_version=0, actor=None
            )
            outcomes.append(("saved", value))
        except ServiceError as error:
            outcomes.append(("refused", str(error)))
        except Exception as error:  # shown by the assertion below
            outcomes.append(("crashed", repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(value,)) for value in ("10", "20")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"], outcomes
    saved = next(value for kind, value in outcomes if kind == "saved")
    assert Answer.objects.get(response=response).value == int(saved)
    response.refresh_from_db()
    assert response.version == 1
