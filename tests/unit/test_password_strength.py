"""Password strength: the policy's own rules, then zxcvbn's guessability estimate (score 3+)."""

import pytest

from procure.accounts.services import password_problems


@pytest.mark.parametrize(
    ("password", "warning"),
    [
        ("abcdefghijkl", "Sequences like"),  # 12 letters in a row: accepted by the word list
        ("baseballbaseball", "Repeats like"),  # a common word twice: accepted by the word list
        ("qwertyuiopasdf", "similar to a commonly used"),  # a keyboard row
    ],
)
def test_guessable_passwords_the_word_list_let_through_are_refused(password, warning):
    problems = password_problems(password, "someone@example.com")
    assert len(problems) == 1
    assert problems[0].startswith("This password is too easy to guess.")
    assert warning.lower() in problems[0].lower()


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "amber-ledger-river", "demo-purchasing-pass"]
)
def test_unrelated_words_pass(password):
    assert password_problems(password, "someone@example.com") == []


def test_todays_messages_stay_and_come_first():
    # a short, common password gets the same messages as before, and no estimate on top
    assert password_problems("password", "someone@example.com") == [
        "Use at least 12 characters.",
        "This password is among the most commonly used ones: choose another.",
    ]


def test_the_email_counts_as_a_guess():
    assert password_problems("someone-x7-zz", "someone@example.com") == [
        "Do not use your email address, or its part before the @, in the password."
    ]


def test_a_very_long_password_is_estimated_on_its_first_characters_only():
    assert password_problems("unrelated words here " * 500, "") == []
