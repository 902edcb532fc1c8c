"""The effective evidence level of a section (procure/disclosures/evidence_levels.py): derived
from files and the reading organization's review, never from the vendor's claim; verifications
age by the profile's `evidence_age_months` after the period's end."""

from datetime import date

import pytest

import scoring
from procure.disclosures.evidence_levels import (
    SectionEvidence,
    claim_note,
    effective_level,
    months_after,
)
from procure.scoring_defaults import catalog, default_profile
from scoring.profile import DEFAULT_EVIDENCE_AGE_MONTHS

PERIOD_END = date(2025, 12, 31)
VERIFIED_ON = date(2026, 3, 1)


def level(files=0, decision=None, on=date(2026, 6, 1), age_months=24):
    evidence = SectionEvidence(files, decision, VERIFIED_ON if decision else None)
    return effective_level(evidence, PERIOD_END, age_months=age_months, on=on)


def test_no_file_is_self_reported_and_a_file_is_documented():
    assert level().level == "self_reported" and level().basis == "no evidence file"
    assert level(files=1).level == "self_reported_documented"
    assert level(files=1).basis == "1 evidence file" and level(files=3).basis == "3 evidence files"


def test_a_verification_lifts_a_documented_section_and_says_when_it_ages():
    verified = level(files=2, decision="verified")
    assert verified.level == "buyer_verified" and not verified.aged
    # 2025-12-31 + 24 months = 2027-12-31
    assert verified.counts_lower_from == date(2027, 12, 31)
    assert verified.basis == "verified on 2026-03-01; counts one level lower from 2027-12-31"


def test_a_verification_never_lifts_a_section_without_a_file():
    assert level(files=0, decision="verified").level == "self_reported"
    assert level(files=0, decision="verified").counts_lower_from is None


def test_a_rejected_section_is_self_reported_whatever_its_files():
    rejected = level(files=4, decision="rejected")
    assert rejected.level == "self_reported"
    assert rejected.basis == "rejected on 2026-03-01: its files do not count"


def test_a_verification_counts_one_level_lower_from_the_boundary_day_on():
    day_before = level(files=1, decision="verified", on=date(2027, 12, 30))
    boundary = level(files=1, decision="verified", on=date(2027, 12, 31))
    assert (day_before.level, day_before.aged) == ("buyer_verified", False)
    assert (boundary.level, boundary.aged) == ("self_reported_documented", True)
    assert boundary.basis == "verified on 2026-03-01; counts one level lower since 2027-12-31"
    # a profile with 3 months: 2025-12-31 + 3 months = 2026-03-31
    assert level(files=1, decision="verified", on=date(2026, 3, 30), age_months=3).level == (
        "buyer_verified"
    )
    assert level(files=1, decision="verified", on=date(2026, 3, 31), age_months=3).level == (
        "self_reported_documented"
    )


def test_months_after_keeps_the_day_or_takes_the_month_end():
    assert months_after(date(2025, 12, 31), 24) == date(2027, 12, 31)
    assert months_after(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert months_after(date(2025, 3, 31), 11) == date(2026, 2, 28)
    assert months_after(date(2025, 6, 30), 1) == date(2025, 7, 30)


@pytest.mark.parametrize(
    ("claimed", "effective", "note"),
    [
        (
            "third_party_reasonable",
            "self_reported_documented",
            "claimed third-party reasonable; the evidence supports self-reported documented",
        ),
        (
            "buyer_verified",
            "self_reported",
            "claimed buyer-verified; the evidence supports self-reported",
        ),
        ("self_reported_documented", "self_reported_documented", None),
        ("self_reported", "buyer_verified", None),  # the evidence goes beyond the claim: fine
        (None, "self_reported", None),
    ],
)
def test_the_claim_note_says_where_a_claim_goes_beyond_the_evidence(claimed, effective, note):
    assert claim_note(claimed, effective) == note


def test_the_profile_setting_defaults_to_24_months_and_is_checked():
    settings = default_profile().to_dict()
    assert settings["evidence_age_months"] == 24 == DEFAULT_EVIDENCE_AGE_MONTHS
    del settings["evidence_age_months"]  # a profile stored before the setting existed
    assert scoring.profile_from_dict(settings, catalog()).evidence_age_months == 24
    settings["evidence_age_months"] = 36
    assert scoring.profile_from_dict(settings, catalog()).to_dict()["evidence_age_months"] == 36
    for bad, message in (
        (0, "must be between 1 and 120, got 0"),
        (121, "must be between 1 and 120, got 121"),
        (24.5, "must be a whole number of months, got 24.5"),
        (True, "must be a number, got True"),
    ):
        settings["evidence_age_months"] = bad
        with pytest.raises(scoring.ProfileError) as refused:
            scoring.profile_from_dict(settings, catalog())
        assert [(e.field, e.message) for e in refused.value.errors] == [
            ("evidence_age_months", message)
        ]
