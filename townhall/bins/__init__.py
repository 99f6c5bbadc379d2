"""Bin collections: waste streams, rounds, schedules with bank-holiday changes, missed collections, iCal feeds.

The pure domain core lives in `schedule`, `bank_holidays`, `missed`, `wording` and `ical`: no database, no web.
"""
