"""Demo platforms (issue 3)."""


def seed_platforms(stdout):
    stdout.write("demo platforms: none yet")
