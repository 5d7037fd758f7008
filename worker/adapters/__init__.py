"""Adapters: each package talks to one outside thing (.xlsx files, Word, Google, the
SQLite store) and imports only the core."""
