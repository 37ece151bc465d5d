"""Meta's error answers, and which of them are worth retrying.

Classification follows Meta's error-code reference: throughput, pair-rate, spam-rate and temporary
unavailability are transient; auth, invalid parameters, re-engagement, template and
undeliverable errors are permanent until someone fixes their cause.
"""

from __future__ import annotations

RETRYABLE_CODES: frozenset[int] = frozenset(
    {
        1,  # API Unknown: Meta advises one retry
        2,  # API Service: temporary downtime or overload
        4,  # too many API calls
        80007,  # WABA rate limit
        130429,  # throughput reached
        131000,  # something went wrong
        131016,  # service temporarily unavailable
        131048,  # spam rate limit: slow down
        131056,  # pair rate limit
        131057,  # account in maintenance mode
        132015,  # template paused: may be unpaused
        133004,  # server temporarily unavailable
    }
)

PERMANENT_SERVER_ERROR_CODES: frozenset[int] = frozenset({3, 131045, 133000})
"""Codes Meta answers with HTTP 500 that retrying never fixes (permissions, registration)."""

NETWORK_ERROR_CODE = -1
"""Used when no answer came back at all (timeout, refused or dropped connection)."""


class CloudApiError(Exception):
    """One error answer of the Cloud API (or the lack of any answer), carrying Meta's own fields."""

    def __init__(
        self,
        code: int,
        title: str,
        *,
        details: str | None = None,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
        http_status: int | None = None,
        transient: bool | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.code = code
        self.title = title
        self.details = details
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status
        self.transient = transient
        self.outcome_unknown = outcome_unknown
        """The request may have reached Meta and been acted on (no answer, or one that does not read)."""
        super().__init__(f"(#{code}) {title}" + (f": {details}" if details else ""))

    @property
    def names_nothing(self) -> bool:
        """Meta answered that the id or name in the request names no object (100 with subcode 33, or a
        template name it does not know, 2593002)."""
        return self.code == 100 and self.subcode in (33, 2593002)

    @property
    def retryable(self) -> bool:
        if self.transient is not None:
            return self.transient
        if self.code == NETWORK_ERROR_CODE:
            return True
        if self.code in RETRYABLE_CODES:
            return True
        server_error = self.http_status is not None and self.http_status >= 500
        return server_error and self.code not in PERMANENT_SERVER_ERROR_CODES
