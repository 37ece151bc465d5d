"""Meta's webhook verification handshake, played against a callback URL: the GET Meta sends before any POST.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
"""

from __future__ import annotations

import secrets

import httpx


async def challenge_failure(client: httpx.AsyncClient, url: str, verify_token: str) -> str | None:
    """None when the endpoint echoed a fresh random challenge (so only one that reads the request passes)."""
    challenge = str(secrets.randbelow(10**10))
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        response = await client.get(url, params=params)
    except httpx.HTTPError as error:
        return f"it could not be reached ({type(error).__name__}: {error})"
    if response.status_code != 200:
        return f"it answered HTTP {response.status_code}"
    if response.text != challenge:
        return "it answered 200 without echoing the challenge"
    return None


class HttpWebhookHandshake:
    """The WebhookHandshake port over httpx, following redirects as Meta does not: a redirect is a failure."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def failure(self, url: str, verify_token: str) -> str | None:
        return await challenge_failure(self._client, url, verify_token)
