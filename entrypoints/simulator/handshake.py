"""Meta's webhook verification: a GET the endpoint must answer with the challenge before any POST.

Meta sends it whenever the callback URL or verify token is set, and an endpoint that fails it gets
no webhooks; the simulator does it once before its first delivery and keeps trying until it passes,
so a business endpoint that starts after the simulator still gets everything.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
"""

from __future__ import annotations

import asyncio
import itertools
import secrets

import httpx


async def verify_endpoint(client: httpx.AsyncClient, url: str, verify_token: str, waits: tuple[float, ...]) -> None:
    """Returns only once the endpoint has echoed a challenge; the last wait repeats for as long as it takes."""
    backoff = itertools.chain(waits, itertools.repeat(waits[-1] if waits else 1.0))
    while not await _echoes_challenge(client, url, verify_token):
        await asyncio.sleep(next(backoff))


async def _echoes_challenge(client: httpx.AsyncClient, url: str, verify_token: str) -> bool:
    """A fresh random challenge each time, so only an endpoint that reads the request can pass."""
    challenge = str(secrets.randbelow(10**10))
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        response = await client.get(url, params=params)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.text == challenge
