"""The one error type that services raise (like pretix's ``OrderError``).

A service checks its invariants and raises ``ServiceError(message, field=None)``;
the view turns it into a form error with ``innovalo.forms.add_service_error`` (or a
message when there is no form). ``field`` names the form field the error is about.
"""


class ServiceError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)
