"""The one shape of a refusal: a message fit to show a person, optionally against a form field."""


class FieldError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class IllegalMove(FieldError):
    """A status change that its table of allowed moves does not allow."""
