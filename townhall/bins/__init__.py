"""Bin collections: waste streams, rounds, schedules with bank-holiday changes, missed collections, iCal.

The pure domain core lives in `schedule`, `bank_holidays`, `missed`, `wording` and `ical`: no database or web.
"""
