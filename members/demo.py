"""Demo data of the members app, called by `manage.py seed_demo` (idempotent)."""


def seed(stdout):
    from .demo_platforms import seed_platforms

    seed_platforms(stdout)
    try:
        from .demo_dues import seed_dues
    except ModuleNotFoundError as error:
        if error.name != "members.demo_dues":
            raise
    else:
        seed_dues(stdout)
