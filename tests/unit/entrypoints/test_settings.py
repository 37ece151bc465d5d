"""Settings come from WAHUB_* variables; a wrong one stops wahub with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.sandbox import business_account
from entrypoints.settings import SettingsError, load_settings

META = {
    "WAHUB_ACCESS_TOKEN": "EAAG-token",
    "WAHUB_PHONE_NUMBER_ID": "106540352242922",
    "WAHUB_WABA_ID": "102290129340398",
    "WAHUB_APP_SECRET": "app-secret",
    "WAHUB_VERIFY_TOKEN": "verify-token",
}


def test_without_a_token_wahub_runs_in_sandbox_mode_on_sqlite(tmp_path: Path) -> None:
    settings = load_settings({"WAHUB_DATA_DIR": str(tmp_path)})

    assert settings.sandbox and settings.store == "sqlite" and settings.data_dir == tmp_path
    assert (settings.throughput_per_second, settings.messaging_tier) == (80, 250)


def test_the_data_dir_defaults_to_the_users_data_directory() -> None:
    assert load_settings({"HOME": "/home/ana"}).data_dir == Path("/home/ana/.local/share/wahub")
    assert load_settings({"XDG_DATA_HOME": "/data"}).data_dir == Path("/data/wahub")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WAHUB_STORE": "postgres"}, "WAHUB_STORE='postgres' is not one of sqlite, memory, firestore"),
        ({"WAHUB_THROUGHPUT_PER_SECOND": "5000"}, "WAHUB_THROUGHPUT_PER_SECOND='5000' must be a whole number from 1 to 1000"),
        ({"WAHUB_PHONE_NUMBER_ID": "+1555"}, "WAHUB_PHONE_NUMBER_ID='+1555' must be Meta's numeric id"),
        ({"WAHUB_MESSAGING_TIER": "3"}, "WAHUB_MESSAGING_TIER='3' is not one of"),
        ({"WAHUB_STORE": "firestore"}, "WAHUB_FIRESTORE_PROJECT is required when WAHUB_STORE=firestore"),
        ({"WAHUB_QUEUE": "kafka"}, "WAHUB_QUEUE='kafka' is not one of local, pubsub"),
        ({"WAHUB_QUEUE": "pubsub"}, "WAHUB_QUEUE=pubsub needs WAHUB_STORE=firestore"),
        ({"WAHUB_BOOTSTRAP_ADMIN_KEY": "short"}, "WAHUB_BOOTSTRAP_ADMIN_KEY must be at least 32 characters"),
        ({**META, "WAHUB_APP_SECRET": ""}, "WAHUB_APP_SECRET is required when WAHUB_ACCESS_TOKEN is set"),
    ],
)
def test_a_wrong_setting_is_refused_naming_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("+", r"\+").replace("(", r"\(")):
        load_settings(environ)


def test_with_a_token_the_business_account_is_metas_own(tmp_path: Path) -> None:
    account = business_account(load_settings({**META, "WAHUB_DATA_DIR": str(tmp_path)}))

    assert (account.phone_number_id, account.access_token) == ("106540352242922", "EAAG-token")
    assert not (tmp_path / "sandbox.json").exists()


def test_the_sandbox_account_is_generated_once_and_kept_across_starts(tmp_path: Path) -> None:
    settings = load_settings({"WAHUB_DATA_DIR": str(tmp_path)})

    first = business_account(settings)
    second = business_account(settings)

    assert first == second
    assert first.phone_number_id.isdigit() and len(first.app_secret) >= 32


def test_sandbox_values_given_in_the_environment_win_and_are_kept(tmp_path: Path) -> None:
    given = load_settings({"WAHUB_DATA_DIR": str(tmp_path), "WAHUB_PHONE_NUMBER_ID": "123456789012345"})

    assert business_account(given).phone_number_id == "123456789012345"
    later = load_settings({"WAHUB_DATA_DIR": str(tmp_path)})
    assert business_account(later).phone_number_id == "123456789012345"


def test_an_unreadable_sandbox_account_is_refused_with_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "sandbox.json").write_text("{not json")

    with pytest.raises(SettingsError, match="sandbox.json cannot be read as the sandbox account"):
        business_account(load_settings({"WAHUB_DATA_DIR": str(tmp_path)}))
