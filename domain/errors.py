"""The refusals the domain can give, each carrying a message precise enough to show a user as it is.

They subclass ValueError so that a refusal raised while msgspec decodes outside input
surfaces as a ValidationError with the path of the offending field.
"""

from __future__ import annotations

from datetime import datetime


class DomainError(ValueError):
    """Base of every rule the domain enforces."""


class InvalidIdentifier(DomainError):
    """A phone number, wamid or other id that WhatsApp would not accept."""


class InvalidContent(DomainError):
    """Message content outside WhatsApp's limits; the message names the field and the limit."""


class InvalidTemplate(DomainError):
    """A template definition Meta would reject at creation."""


class TemplateParametersMismatch(DomainError):
    """A template send whose parameters do not fit the template (Meta answers 132000/132012)."""


class TemplateNotSendable(DomainError):
    """The template is unknown in that language or not APPROVED (Meta answers 132001)."""


class TemplateRequired(DomainError):
    """Free-form content outside the 24 h customer-service window (Meta fails it with 131047)."""

    def __init__(self, last_inbound_at: datetime | None, closed_at: datetime | None) -> None:
        self.last_inbound_at = last_inbound_at
        self.closed_at = closed_at
        if closed_at is None:
            reason = "the customer has never written to this number, so no customer-service window is open"
        else:
            reason = (
                f"the customer-service window was open until {closed_at.isoformat()} "
                f"(24 h after the customer's last message at {last_inbound_at.isoformat() if last_inbound_at else '?'})"
            )
        super().__init__(f"{reason}; outside the window only template messages may be sent")


class PhoneNumberRequired(DomainError):
    """A send Meta refuses to a customer known only by BSUID (131062): authentication templates with
    one-tap, zero-tap or copy-code buttons still need a phone number."""


class MessagingLimitReached(DomainError):
    """The messaging tier's budget of business-initiated recipients for the rolling 24 h is spent."""


class InvalidSignature(DomainError):
    """A webhook POST whose X-Hub-Signature-256 is missing or does not match the raw body."""


class MediaRejected(DomainError):
    """Media whose kind, MIME type or size WhatsApp does not accept."""


class MalformedWebhook(DomainError):
    """A verified webhook body that is not Meta's envelope; kept in the inbox, reported, never applied."""


class NotFound(DomainError):
    """The message, conversation, template or media asked for is not known to wahub."""


class NotRetryable(DomainError):
    """Only a failed message can be sent again."""


class InvalidCursor(DomainError):
    """A paging cursor wahub did not hand out."""
