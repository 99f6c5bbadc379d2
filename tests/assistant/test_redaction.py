import pytest

from townhall.assistant.redaction import passes_luhn, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live at ZX1 2AB", "I live at [postcode]"),
        ("postcode zx12ab thanks", "postcode [postcode] thanks"),
        ("email jo.bloggs+bins@example.co.uk now", "email [email] now"),
        ("call 07700 900123", "call [phone]"),
        ("call 07700900123", "call [phone]"),
        ("ring 0161 496 0000", "ring [phone]"),
        ("ring 01632 960000 after 5", "ring [phone] after 5"),
        ("on +44 7700 900123", "on [phone]"),
        ("on +447700900123", "on [phone]"),
        ("on +44 (0)20 7946 0000", "on [phone]"),
        ("on (01632) 960 000", "on [phone]"),
        ("on 020-7946-0000", "on [phone]"),
        ("account 51234567 please", "account [account] please"),
        ("NI number AB123456C", "NI number [ni-number]"),
        ("NI number ab 12 34 56 c", "NI number [ni-number]"),
        ("NI number AB 123 456 C", "NI number [ni-number]"),
        ("card 4111 1111 1111 1111", "card [card]"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("card 5500005555555559", "card [card]"),
    ],
)
def test_personal_data_is_replaced_by_a_token(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "any news on SR-00012345?",
        "ref sr00012345",
        "my bin was missed on 3/12 at 12 high st",
        "band c is £1,800 a year",
        "it has been 3 weeks",
        "number 1234 5678 9012 3456",  # fails the Luhn check, so not a card
        "in the year 2025",
    ],
)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert redact(text) == text


def test_service_reference_stays_beside_redacted_account() -> None:
    assert redact("SR-51234567 for account 51234567") == "SR-51234567 for account [account]"


def test_everything_in_one_message() -> None:
    text = "I'm Jo, jo@example.com, 07700 900123, ZX1 2AB, acct 51234567, NI QQ123456C, SR-00012345"
    assert redact(text) == "I'm Jo, [email], [phone], [postcode], acct [account], NI [ni-number], SR-00012345"


@pytest.mark.parametrize(("digits", "valid"), [("4111111111111111", True), ("4111111111111112", False)])
def test_luhn_check(digits: str, valid: bool) -> None:
    assert passes_luhn(digits) is valid


def test_kept_strings_stay_as_written_and_the_rest_is_still_redacted() -> None:
    council = ("01632 960999", "customer.services@wexmoor.example")
    text = "Call 01632 960999 or email customer.services@wexmoor.example; you gave 07700 900456 and jo@example.com"
    assert redact(text, keep=council) == (
        "Call 01632 960999 or email customer.services@wexmoor.example; you gave [phone] and [email]"
    )
    assert redact("Call 01632 960999", keep=("",)) == "Call [phone]"  # an unset contact keeps nothing
