"""Every route reads at most what it needs: the webhook 3 MiB, JSON routes 64 KiB, uploads the media limit;
a 413 says the limit. And /metrics can be kept for whoever holds the metrics key."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.http.conftest import Api, serving_api


async def test_a_json_route_refuses_a_body_over_its_limit_and_says_the_limit(api: Api) -> None:
    limit = api.runtime.settings.max_json_bytes
    padding = "x" * limit
    body = json.dumps({"to": "+16505551234", "type": "text", "text": {"body": padding}}).encode()

    refused = await api.client.post(
        "/v1/messages", content=body, headers={**api.as_admin(), "content-type": "application/json"}
    )

    assert refused.status_code == 413
    assert refused.json()["detail"] == f"this route accepts bodies of at most {limit:,} bytes"
    assert limit == 64 * 1024


async def test_the_webhook_and_uploads_keep_their_own_larger_limits(api: Api) -> None:
    over_json_limit = b"x" * (api.runtime.settings.max_json_bytes + 1)

    webhook = await api.client.post("/webhook", content=over_json_limit, headers={"x-hub-signature-256": "sha256=00"})
    upload = await api.client.post(
        "/v1/media", files={"file": ("note.txt", over_json_limit, "text/plain")}, headers=api.as_admin()
    )
    too_big = await api.client.post("/webhook", content=b"x" * (3 * 1024 * 1024 + 1))

    assert webhook.status_code == 401  # read whole, then refused for its signature, not its size
    assert upload.status_code == 201
    assert too_big.status_code == 413 and too_big.json()["detail"] == "this route accepts bodies of at most 3,145,728 bytes"


async def test_metrics_are_open_unless_a_metrics_key_is_set(tmp_path: Path) -> None:
    async with serving_api(tmp_path) as open_metrics:
        assert (await open_metrics.client.get("/metrics")).status_code == 200
    async with serving_api(tmp_path, WAHUB_METRICS_KEY="scraper-secret-0123456789") as guarded:
        anonymous = await guarded.client.get("/metrics")
        wrong = await guarded.client.get("/metrics", headers={"authorization": "Bearer nope"})
        admin = await guarded.client.get("/metrics", headers=guarded.as_admin())
        scraper = await guarded.client.get("/metrics", headers={"authorization": "Bearer scraper-secret-0123456789"})

    assert [anonymous.status_code, wrong.status_code, admin.status_code] == [401, 401, 401]
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert scraper.status_code == 200 and "wahub_http_requests_total" in scraper.text
