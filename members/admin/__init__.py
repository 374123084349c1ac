from . import dues, platforms  # noqa: F401  (registers the models)
