"""What an agent's search matches: each word of the query as the start of a word, a number by its digits.

"sheen nowa" finds Sheena Nowak, "ord 1234" a message about order 12345, and "+1 650-555" the customer
whose number is 16505551234. Every store applies this one rule: the in-memory store directly, SQLite
through FTS5 (its unicode61 tokenizer splits and folds words the same way), Firestore through the
prefixes of names and numbers it stores beside each conversation.
"""

from __future__ import annotations

import re
import unicodedata

from domain.content import Button, Content, Document, Image, Interactive, Location, Template, Text, Video
from domain.conversations import Conversation
from domain.errors import DomainError

PHONE_PUNCTUATION = frozenset("+-() ")
MAX_TERMS = 8
SNIPPET_WIDTH = 80
_WORD = re.compile(r"[^\W_]+")


class InvalidSearch(DomainError):
    """A search with nothing to look for (no letter, no digit), or too many words."""


def fold(text: str) -> str:
    """Lowercase and without accents, as FTS5's unicode61 tokenizer with remove_diacritics folds."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, split at everything but letters and digits ('_' and '.' too)."""
    return _WORD.findall(fold(text))


def search_terms(query: str) -> tuple[str, ...]:
    """The distinct terms of a query; one made only of digits and phone punctuation is a single number."""
    stripped = query.strip()
    if any(c.isdigit() for c in stripped) and all(c.isdigit() or c in PHONE_PUNCTUATION for c in stripped):
        return ("".join(c for c in stripped if c.isdigit()),)
    terms = tuple(dict.fromkeys(words(stripped)))
    if not terms:
        raise InvalidSearch(f"the search {query!r} has no letter or digit to look for")
    if len(terms) > MAX_TERMS:
        raise InvalidSearch(f"a search has at most {MAX_TERMS} words; {query!r} has {len(terms)}")
    return terms


def matches(terms: tuple[str, ...], text: str) -> bool:
    """Every term starts some word of `text`."""
    text_words = words(text)
    return all(any(word.startswith(term) for word in text_words) for term in terms)


def message_text(content: Content) -> str:
    """The words a message carries that a person wrote or reads: what its text search covers."""
    match content:
        case Text(body=body):
            return body
        case Image(caption=caption) | Video(caption=caption):
            return caption or ""
        case Document(caption=caption, filename=filename):
            return " ".join(part for part in (caption, filename) if part)
        case Location(name=name, address=address):
            return " ".join(part for part in (name, address) if part)
        case Interactive(body=body, button_reply=button, list_reply=row):
            chosen = button or row
            return chosen.title if chosen else (body.text if body else "")
        case Button(text=label):
            return label
        case Template(name=name):
            return name
        case _:
            return ""


def customer_text(conversation: Conversation) -> str:
    """Every way an agent may know the customer: name, phone number, username and BSUID."""
    identity = conversation.identity
    handles = (conversation.customer_id, identity.wa_id, identity.user_id, identity.parent_user_id, identity.username)
    return " ".join(dict.fromkeys(part for part in (conversation.customer_name, *handles) if part))


def snippet(text: str, terms: tuple[str, ...], width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` from a little before its first matching word, an ellipsis where cut."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    first = next((w.start() for w in _WORD.finditer(flat) if fold(w.group()).startswith(terms)), 0)
    begin = max(0, min(first - width // 4, len(flat) - width))
    return ("…" if begin else "") + flat[begin : begin + width].strip() + ("…" if begin + width < len(flat) else "")
