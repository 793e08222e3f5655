from datetime import time
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, format_time_of_day
from domain.parsing import parse_times

TOKEN = "123456789:AAF-test_token-abcdefghijklmnopqrstuv"


def env(**values: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, **values}


def test_defaults() -> None:
    settings = Settings.from_env(env())
    assert settings.api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/posko.db")
    assert settings.admin_ids == frozenset()
    assert settings.coordination_chat_id is None
    assert settings.timezone.key == "Asia/Makassar"
    assert settings.digest_times == (time(7), time(19))
    assert settings.reminder_times == (time(16),)
    assert settings.log_level == "INFO"
    assert settings.incident_stale_hours == 6
    assert settings.form_idle_hours == 4
    assert settings.reminder_repeat_minutes == 60
    assert TOKEN not in repr(settings)


def test_every_value_read() -> None:
    settings = Settings.from_env(
        env(
            TELEGRAM_API_URL="http://127.0.0.1:8081/",
            DATABASE_PATH="/tmp/x/posko.db",
            ADMIN_IDS=" 11, 22 ,",
            COORDINATION_CHAT_ID="-1001234",
            TIMEZONE="Asia/Jakarta",
            DIGEST_TIMES="19.00, 07:00:30,07.00.30",
            REMINDER_TIMES="15:00,16.30",
            FORM_IDLE_HOURS="2.5",
            LOG_LEVEL="debug",
            ESCALATION_ACK_MINUTES="0.5",
            INCIDENT_STALE_HOURS="1.5",
            REMINDER_REPEAT_MINUTES="30",
        )
    )
    assert settings.reminder_repeat_minutes == 30
    assert settings.escalation_ack_minutes == 0.5
    assert settings.incident_stale_hours == 1.5
    assert settings.form_idle_hours == 2.5
    assert settings.api_url == "http://127.0.0.1:8081"
    assert settings.database_path == Path("/tmp/x/posko.db")
    assert settings.admin_ids == {11, 22}
    assert settings.coordination_chat_id == -1001234
    assert settings.timezone.key == "Asia/Jakarta"
    assert settings.digest_times == (time(7, 0, 30), time(19))
    assert settings.reminder_times == (time(15), time(16, 30))
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", ""),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("ADMIN_IDS", "12,@budi"),
        ("ADMIN_IDS", "-5"),
        ("COORDINATION_CHAT_ID", "12345"),
        ("COORDINATION_CHAT_ID", "grup"),
        ("TIMEZONE", "Mars/Olympus"),
        ("DIGEST_TIMES", "7 pagi"),
        ("DIGEST_TIMES", "24:00"),
        ("REMINDER_TIMES", "16:60"),
        ("LOG_LEVEL", "LOUD"),
        ("REGION_FILE", "/nonexistent/region.json"),
        ("LOGISTICS_FILE", "/nonexistent/logistik.json"),
        ("CALENDAR_FILE", "/nonexistent/tahapan.json"),
        ("ESCALATION_ACK_MINUTES", "0"),
        ("ESCALATION_ACK_MINUTES", "nan"),
        ("ESCALATION_ACK_MINUTES", "lima belas"),
        ("INCIDENT_STALE_HOURS", "0"),
        ("INCIDENT_STALE_HOURS", "-6"),
        ("INCIDENT_STALE_HOURS", "200"),
        ("INCIDENT_STALE_HOURS", "enam"),
        ("FORM_IDLE_HOURS", "0"),
        ("FORM_IDLE_HOURS", "empat"),
        ("FORM_IDLE_HOURS", "100"),
        ("BACKUP_TIME", "02,00"),
        ("REMINDER_REPEAT_MINUTES", "0"),
        ("REMINDER_REPEAT_MINUTES", "nan"),
        ("REMINDER_REPEAT_MINUTES", "1000"),
        ("REMINDER_REPEAT_MINUTES", "sejam"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env(**{name: value}))
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ")
    if name != "TELEGRAM_BOT_TOKEN":
        assert TOKEN not in str(caught.value)


def test_dotenv_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=5\nLOG_LEVEL=WARNING\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = Settings.from_env()
    assert settings.token == TOKEN
    assert settings.admin_ids == {5}
    assert settings.log_level == "ERROR"


def test_times_are_sorted_and_formatted() -> None:
    assert parse_times("19:00,7:05") == (time(7, 5), time(19))
    assert format_time_of_day(time(7, 5)) == "07:05"
    assert format_time_of_day(time(7, 5, 9)) == "07:05:09"
    with pytest.raises(ValueError, match=r"^ , $"):
        parse_times(" , ")


def test_the_webhook_listens_on_loopback_unless_told_otherwise() -> None:
    webhook = {"WEBHOOK_URL": "https://posko.example.id", "WEBHOOK_SECRET": "s" * 20}
    assert Settings.from_env(env(**webhook)).webhook_listen == "127.0.0.1"
    everywhere = "0.0.0.0"  # noqa: S104 - what a container recipe sets
    settings = Settings.from_env(env(**webhook, WEBHOOK_LISTEN=everywhere))
    assert settings.webhook_listen == everywhere


def test_the_example_env_keeps_the_safe_defaults() -> None:
    """`.env.example` becomes `.env` for most installs: it must not open the webhook wider."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text("utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    defaults = Settings(token="1:x", api_url="https://api.telegram.org", database_path=Path("x"))
    assert values.get("WEBHOOK_LISTEN", defaults.webhook_listen) == defaults.webhook_listen
