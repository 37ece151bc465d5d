"""What `wahub serve` tells its operator at start-up, and what a restart in sandbox mode keeps."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.e2e.conftest import StartWahub
from tests.e2e.support import (
    SIMULATOR_URL,
    WahubServer,
    conversations,
    customer_writes,
    eventually,
    history,
)

ADMIN_KEY_LINE = re.compile(r"admin key\s+(wahub_\S+)")
NUMBER = re.compile(r"phone_number_id=(\d+)")


def test_the_banner_shows_the_api_the_docs_and_a_curl_that_makes_a_customer_write_in(wahub: WahubServer) -> None:
    banner = wahub.stdout()
    if shutil.which("curl") is None:
        pytest.skip("no curl on this machine to run the banner's command")
    curl = banner[banner.index("curl -s") :].strip()

    ran = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30, check=False)

    assert f"API          {wahub.url}/v1" in banner and f"{wahub.url}/schema" in banner
    assert "SANDBOX MODE" in banner
    assert ran.returncode == 0 and '"wamid"' in ran.stdout, ran
    assert eventually(lambda: "16505551234" in conversations(wahub.api()))
    assert conversations(wahub.api())["16505551234"]["last_message_preview"] == "Hi!"


def test_the_first_start_prints_a_working_admin_key_once_and_a_restart_does_not_print_it_again(start: StartWahub) -> None:
    first = start(WAHUB_BOOTSTRAP_ADMIN_KEY="")
    shown = ADMIN_KEY_LINE.search(first.stdout())
    assert shown is not None, first.stdout()
    works = first.api(key=shown.group(1)).get("/v1/conversations")
    first.stop()

    second = start(WAHUB_BOOTSTRAP_ADMIN_KEY="")

    assert works.status_code == 200, works.text
    assert "admin key" not in second.stdout()
    assert second.api(key=shown.group(1)).get("/v1/conversations").status_code == 200


def test_a_restart_in_sandbox_mode_keeps_the_generated_business_number_and_its_conversations(start: StartWahub) -> None:
    first = start()
    wamid = customer_writes(first.simulator(), "16505551234", "Before the restart")
    eventually(lambda: "16505551234" in conversations(first.api()))
    number_before = NUMBER.findall(first.stdout())
    first.stop()

    second = start()

    assert NUMBER.findall(second.stdout()) == number_before
    assert [m["wamid"] for m in history(second.api(), "16505551234")] == [wamid]
    answer = second.api().post("/v1/messages", json={"to": "+16505551234", "type": "text", "text": {"body": "Still here"}})
    assert answer.status_code == 202, "the customer-service window survives the restart"


def test_the_banner_reaches_a_pipe_at_once_without_pythonunbuffered(start: StartWahub) -> None:
    server = start(PYTHONUNBUFFERED="", banner=False)

    eventually(lambda: SIMULATOR_URL.search(server.stdout()), timeout=2)
