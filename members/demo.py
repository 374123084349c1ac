"""Demo data of the members app, called by `manage.py seed_demo` (idempotent)."""


def seed(stdout):
    from .demo_dues import seed_dues
    from .demo_platforms import seed_platforms

    seed_platforms(stdout)
    seed_dues(stdout)
