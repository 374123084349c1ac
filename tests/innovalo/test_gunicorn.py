"""innovalo/gunicorn.py: the settings the Procfile and the benchmark serve the portal with."""

import gc

from innovalo import gunicorn


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_walks():
    gc.unfreeze()
    try:
        gunicorn.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000  # Django and the portal, loaded
    finally:
        gc.unfreeze()
