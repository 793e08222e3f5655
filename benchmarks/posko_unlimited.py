"""Posko exactly as `main.py` runs it, but without the 30 messages/s overall limit.

Telegram allows a bot about 30 messages a second overall, and Posko holds itself to that; the
echo baseline has no limiter at all. This runner lifts Posko's overall limit so the benchmark
compares the work per update (storage, inbox, access checks), not the limiter.
"""

from __future__ import annotations

from bot.app import build_application
from bot.logs import setup_logging
from bot.ratelimit import RateLimits
from bot.regions import load_region
from bot.settings import Settings
from main import ALLOWED_UPDATES


def main() -> None:
    """Runs the bot with the overall limit lifted."""
    settings = Settings.from_env()
    setup_logging(settings.log_level, (settings.token,))
    limits = RateLimits(overall_messages=1_000_000)
    app = build_application(settings, load_region(settings.region_file), rate_limits=limits)
    app.run_polling(allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    main()
