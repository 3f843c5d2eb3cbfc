"""Persistence only: engine, tables, migrations, sessions. Imports neither domain nor ui."""
