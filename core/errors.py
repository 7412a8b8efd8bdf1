"""The base of every domain error; views and the admin turn them into 4xx."""


class SouthernPOSError(Exception):
    """Base of every business-rule error; `code` is stable for API clients."""

    code = "error"
    status = 400
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message)
        self.message = message or self.__class__.__doc__ or self.code
        if field is not None:
            self.field = field
