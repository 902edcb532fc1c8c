"""Vendor scoring for impact sourcing: pure pandas/numpy, no web framework or database.

Typical use::

    catalog = load_catalog("config/metrics.toml")
    profile = load_profile("config/scoring_profile.toml", catalog)
    result = score_table(read_vendor_table("vendors.csv"), catalog, profile)
    write_output_table(result, "scores.csv")
    result.explanation            # the per-vendor scorecard, every point explained

Everything takes explicit paths, dicts or DataFrames, and returns new values.
"""

from scoring.ahp import AhpResult, ahp_weights, judgement_matrix
from scoring.ahp import pairs as ahp_pairs
from scoring.catalog import (
    Catalog,
    Metric,
    add_metric,
    catalog_from_dict,
    load_catalog,
    load_standard_metrics,
)
from scoring.errors import (
    AhpError,
    CatalogError,
    CellError,
    FieldError,
    ProfileError,
    TableError,
)
from scoring.explain import explanation_table
from scoring.formulas import Formula, FormulaError, compile_formula
from scoring.offers import best_offers
from scoring.peers import peer_percentiles
from scoring.pipeline import Move, ScoreResult, WhatIf, score_table, what_if
from scoring.profile import Profile, load_profile, profile_from_dict
from scoring.result import ScoreTables
from scoring.stability import rank_stability
from scoring.table import (
    output_table,
    read_vendor_table,
    validate_vendor_table,
    write_output_table,
)
from scoring.topsis import topsis, topsis_ranking

__all__ = [
    "AhpError",
    "AhpResult",
    "Catalog",
    "CatalogError",
    "CellError",
    "FieldError",
    "Formula",
    "FormulaError",
    "Metric",
    "Move",
    "Profile",
    "ProfileError",
    "ScoreResult",
    "ScoreTables",
    "TableError",
    "WhatIf",
    "add_metric",
    "ahp_pairs",
    "ahp_weights",
    "best_offers",
    "judgement_matrix",
    "catalog_from_dict",
    "compile_formula",
    "explanation_table",
    "load_catalog",
    "load_standard_metrics",
    "load_profile",
    "output_table",
    "peer_percentiles",
    "profile_from_dict",
    "rank_stability",
    "read_vendor_table",
    "score_table",
    "topsis",
    "topsis_ranking",
    "validate_vendor_table",
    "what_if",
    "write_output_table",
]
