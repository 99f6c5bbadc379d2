from datetime import date

from townhall.bins.wording import describe_when


def test_today_and_tomorrow_and_yesterday() -> None:
    today = date(2026, 11, 28)
    assert describe_when(today, today) == "today"
    assert describe_when(date(2026, 11, 29), today) == "tomorrow"
    assert describe_when(date(2026, 11, 27), today) == "yesterday"


def test_later_days_name_the_weekday_date_and_distance() -> None:
    assert describe_when(date(2026, 12, 3), date(2026, 11, 28)) == "Thursday 3 December, in 5 days"


def test_past_days_say_how_long_ago() -> None:
    assert describe_when(date(2026, 11, 20), date(2026, 11, 28)) == "Friday 20 November, 8 days ago"


def test_the_year_is_named_only_when_it_differs() -> None:
    assert describe_when(date(2027, 1, 1), date(2026, 12, 23)) == "Friday 1 January 2027, in 9 days"
