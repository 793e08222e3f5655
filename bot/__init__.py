"""Posko: election-period situation reports over Telegram."""
