"""Meta's webhook verification: a GET the endpoint must answer with the challenge before any POST.

Meta sends it whenever the callback URL or verify token is set, and an endpoint that fails it gets
no webhooks; the simulator does it once before its first delivery and keeps trying until it passes,
so a business endpoint that starts after the simulator still gets everything.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
"""

from __future__ import annotations

import asyncio
import itertools

import httpx

from adapters.cloud_api.handshake import challenge_failure


async def verify_endpoint(client: httpx.AsyncClient, url: str, verify_token: str, waits: tuple[float, ...]) -> None:
    """Returns only once the endpoint has echoed a challenge; the last wait repeats for as long as it takes."""
    backoff = itertools.chain(waits, itertools.repeat(waits[-1] if waits else 1.0))
    while await challenge_failure(client, url, verify_token) is not None:
        await asyncio.sleep(next(backoff))
