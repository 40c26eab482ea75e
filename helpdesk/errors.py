"""Refusals a service raises; views and admin actions turn them into a clear answer for the person."""


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Invalid(ServiceError):
    """The input itself is wrong (empty, too long, an Away colleague)."""

    status_code = 400


class TooLarge(ServiceError):
    """The request is larger than anything this place accepts, so it is refused before its body is read."""

    status_code = 413


class NotAllowed(ServiceError):
    """This person may not do this to this chat."""

    status_code = 403


class NotFound(ServiceError):
    """No such thing, or one this person may not see: both get the same answer."""

    status_code = 404


class Gone(ServiceError):
    """It existed, and no longer answers to this link (a visitor's chat whose link has expired)."""

    status_code = 410


class Conflict(ServiceError):
    """Someone else changed the chat first (answered, accepted, cancelled, ended)."""

    status_code = 409


class Throttled(ServiceError):
    """Too many of these from one address (or one chat) in a short time; `retry_after` says when, in seconds."""

    status_code = 429

    def __init__(self, message, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
