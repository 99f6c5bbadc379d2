from townhall.platform.numbers import MAX_DATABASE_INTEGER, MAX_UPRN, whole_number


def test_whole_numbers_in_ascii_digits_are_read() -> None:
    assert whole_number("42") == 42
    assert whole_number("007") == 7
    assert whole_number(str(MAX_DATABASE_INTEGER)) == MAX_DATABASE_INTEGER


def test_anything_int_would_fail_on_or_the_database_could_not_hold_is_none() -> None:
    # "²" is a digit to str.isdigit() but int() refuses it; "١٢" int() reads, but no one types an id that way
    for text in ("", " 1", "-1", "1.5", "²", "١٢", "１２", "1e3", str(MAX_DATABASE_INTEGER + 1), "9" * 5000):
        assert whole_number(text) is None, text


def test_a_maximum_is_kept() -> None:
    assert whole_number(str(MAX_UPRN), maximum=MAX_UPRN) == MAX_UPRN
    assert whole_number(str(MAX_UPRN + 1), maximum=MAX_UPRN) is None
