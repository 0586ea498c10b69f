"""Backline's shared code: domain rules, the single-table store, adapters, HTTP glue."""
