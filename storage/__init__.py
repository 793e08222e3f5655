"""Persistence: the SQLite connection, migrations and one repository per aggregate."""
