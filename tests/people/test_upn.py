"""Unique Pupil Number checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from destinations.people.upn import UPNError, make_upn, normalise_upn, validate_upn


@pytest.mark.parametrize(
    "upn",
    [
        "B801200005001",
        "M838400115123",
        "Q940200019001",
        "M80120000500A",
    ],
    ids=[
        "the example from the DfE guidance",
        "a council created since 2019 (LA 838)",
        "a council created since 2019 (LA 940)",
        "a temporary UPN ending in a letter",
    ],
)
def test_a_valid_upn_is_accepted_unchanged(upn):
    assert validate_upn(upn) == upn


def test_stdnum_alone_would_reject_new_councils_which_is_why_we_do_not_use_its_validate():
    # If stdnum learns the new LA numbers this starts failing, and the workaround can go.
    assert not stdnum_upn.is_valid("M838400115123")
    assert not stdnum_upn.is_valid("Q940200019001")


@pytest.mark.parametrize(
    ("entered", "normalised"),
    [
        ("b801200005001", "B801200005001"),
        ("B801 2000 05001", "B801200005001"),
        ("  B801200005001\t", "B801200005001"),
        ("m80120000500a", "M80120000500A"),
        ("B801\u00a0200005001", "B801200005001"),
    ],
    ids=["lower case is upper-cased", "spaces inside are removed", "spaces around are removed",
         "a lower-case temporary letter is upper-cased",
         "a non-breaking space from a spreadsheet is removed"],
)
def test_a_upn_is_normalised_before_it_is_checked(entered, normalised):
    assert normalise_upn(entered) == normalised
    assert validate_upn(entered) == normalised


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("B80120000500", "You entered 12 characters"),
        ("B8012000050011", "You entered 14 characters"),
        ("", "You entered 0 characters"),
        ("A801200005001", "check letter is wrong: for a UPN ending 001 it should be B, not A"),
        ("B801200005002", "check letter is wrong"),
        ("1801200005001", "must start with a check letter"),
        ("I801200005001", "must start with a check letter"),
        ("B80120000A001", "Character 10 is 'A'"),
        ("B801-00005001", "Character 5 is '-'"),
        ("B80120000500I", "last character of a UPN must be a digit, or a letter other than I, O"),
        ("B80120000500-", "last character of a UPN must be a digit"),
    ],
    ids=["one character short", "one character too many", "nothing entered",
         "a wrong check letter", "a miscopied digit", "no check letter",
         "I cannot be a check letter",
         "a letter in the middle", "punctuation in the middle", "I cannot end a temporary UPN",
         "punctuation at the end"],
)
def test_a_wrong_upn_is_refused_with_a_message_saying_how_to_fix_it(entered, message):
    with pytest.raises(UPNError, match=message):
        validate_upn(entered)


def test_a_check_letter_message_does_not_repeat_the_whole_upn():
    with pytest.raises(UPNError) as raised:
        validate_upn("A801200005001")
    assert "801200005001" not in str(raised.value)
    assert "Check the UPN was copied correctly" in str(raised.value)


def test_a_upn_error_is_a_value_error():
    assert issubclass(UPNError, ValueError)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((801, 2000, 0, 1), "X801200000001"),
        ((838, 4001, 15, 123), "M838400115123"),
        ((838, 4001, 2015, 123), "M838400115123"),
    ],
    ids=["a two-digit year of 00", "a new council", "a full year keeps its last two digits"],
)
def test_make_upn_builds_a_upn_from_its_parts(parts, expected):
    assert make_upn(*parts) == expected


@pytest.mark.parametrize(
    "parts",
    [(1000, 2000, 15, 1), (801, 10000, 15, 1), (801, 2000, 100, 1), (801, 2000, 15, 1000),
     (-1, 2000, 15, 1)],
    ids=["a four-digit LA number", "a five-digit establishment", "a three-digit year",
         "a four-digit serial", "a negative LA number"],
)
def test_make_upn_refuses_parts_that_do_not_fit(parts):
    with pytest.raises(ValueError):
        make_upn(*parts)


@given(
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=999),
)
def test_every_upn_made_from_parts_validates_and_keeps_its_parts(
    la_number, establishment, year, serial
):
    upn = make_upn(la_number, establishment, year, serial)
    assert validate_upn(upn) == upn
    assert upn[1:] == f"{la_number:03d}{establishment:04d}{year:02d}{serial:03d}"
    # Our check letter is stdnum's, whatever the LA number.
    assert upn[0] == stdnum_upn.calc_check_digit(upn[1:])


@given(
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=9),
)
def test_changing_any_one_digit_of_a_upn_is_caught(
    la_number, establishment, year, serial, position, shift
):
    upn = make_upn(la_number, establishment, year, serial)
    changed_digit = str((int(upn[position]) + shift) % 10)
    miscopied = upn[:position] + changed_digit + upn[position + 1 :]
    with pytest.raises(UPNError, match="check letter is wrong"):
        validate_upn(miscopied)
