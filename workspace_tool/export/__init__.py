"""Exports of the index to other tools: JSON, CSV, SQLite, iCalendar, timeclock."""
