"""The analyst command contracts: `procure score`, `procure optimize`, `procure frontier`."""

import io
import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from procure.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
SCORE_COLUMNS = ["vendor_id", "impact", "cost", "quality", "total", "rank", "knocked_out"]


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_score_writes_the_fixed_columns_in_rank_order(tmp_path):
    out = tmp_path / "scores.csv"
    result = _run("score", str(DATA / "scoring" / "golden_vendors.csv"), "-o", str(out))
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores.columns[:7]) == SCORE_COLUMNS
    assert "impact_worker_share" in scores.columns and "living_wage_ratio" in scores.columns
    assert list(scores["rank"]) == sorted(scores["rank"])
    assert scores["total"].between(0, 100).all()
    printed = _run("score", str(DATA / "scoring" / "golden_vendors.csv"))
    assert pd.read_csv(io.StringIO(printed.output)).equals(scores)


def test_score_names_row_and_column_of_a_bad_file_and_exits_2(tmp_path):
    table = pd.read_csv(DATA / "scoring" / "golden_vendors.csv", dtype=str, keep_default_na=False)
    table.loc[1, "quality"] = "excellent"
    bad = tmp_path / "bad.csv"
    table.to_csv(bad, index=False)
    result = _run("score", str(bad))
    assert result.exit_code == 2
    assert "row 3, column quality" in result.output
    assert _run("score", str(tmp_path / "missing.csv")).exit_code == 2


def test_score_with_an_invalid_profile_exits_2(tmp_path):
    profile = tmp_path / "profile.toml"
    default = (Path(__file__).resolve().parents[2] / "config" / "scoring_profile.toml").read_text()
    profile.write_text(default.replace("impact = 0.45", "impact = 0.9"))  # pillars now sum to 1.45
    result = _run("score", str(DATA / "scoring" / "golden_vendors.csv"), "--profile", str(profile))
    assert result.exit_code == 2 and "pillar_weights" in result.output


def test_optimize_prints_the_result_document(tmp_path):
    result = _run("optimize", str(DATA / "optimizer" / "impact_binding.json"))
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["status"] == "optimal" and document["allocations"]
    out = tmp_path / "result.json"
    assert (
        _run("optimize", str(DATA / "optimizer" / "impact_binding.json"), "-o", str(out)).exit_code
        == 0
    )
    assert json.loads(out.read_text())["allocations"] == document["allocations"]


def test_optimize_exit_codes(tmp_path):
    problem = json.loads((DATA / "optimizer" / "impact_binding.json").read_text())
    problem["targets"]["min_avg_impact"] = 99.9
    impossible = tmp_path / "impossible.json"
    impossible.write_text(json.dumps(problem))
    infeasible = _run("optimize", str(impossible))
    assert infeasible.exit_code == 0 and json.loads(infeasible.output)["status"] == "infeasible"
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"needs": [{"id": "N1", "volume": -5}]}))
    answer = _run("optimize", str(invalid))
    assert answer.exit_code == 0 and json.loads(answer.output)["status"] == "invalid"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert _run("optimize", str(garbage)).exit_code == 2
    assert _run("optimize", str(tmp_path / "absent.json")).exit_code == 2


def test_frontier_points_and_monotone_cost():
    result = _run("frontier", str(DATA / "optimizer" / "impact_binding.json"), "--points", "5")
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["points"]
    assert len(points) == 5 and all({"avg_impact", "cost", "status"} <= set(p) for p in points)
    costs = [p["cost"] for p in points if p["status"] == "optimal"]
    assert costs == sorted(costs)


VERSION_2 = {
    "version": 2,
    "needs": [
        {"id": "N1", "unit": "hour", "volume": 1000, "period": {"start": "2026-01", "months": 12}},
        {
            "id": "N2",
            "unit": "item",
            "volume": 100000,
            "period": {"start": "2026-01", "months": 12},
        },
    ],
    "vendors": [
        {"id": "V1", "quality": 0.95, "impact_score": 60, "impact_worker_share": 0.5},
        {"id": "V2", "quality": 0.95, "impact_score": 30, "impact_worker_share": 0.1},
    ],
    "offers": [
        {"id": "O1", "vendor": "V1", "need": "N1", "price": 8, "hours_per_unit": 1},
        {"id": "O2", "vendor": "V2", "need": "N1", "price": 6, "hours_per_unit": 1},
        {"id": "O3", "vendor": "V1", "need": "N2", "price": 0.05, "hours_per_unit": 0.03},
        {"id": "O4", "vendor": "V2", "need": "N2", "price": 0.04, "hours_per_unit": 0.04},
    ],
    "targets": {},
    "objective": "min_cost",
}


def test_frontier_by_impact_worker_hours(tmp_path):
    problem = tmp_path / "v2.json"
    problem.write_text(json.dumps(VERSION_2))
    result = _run("frontier", str(problem), "--points", "3", "--measure", "hours")
    assert result.exit_code == 0, result.output
    frontier = json.loads(result.output)
    assert frontier["measure"] == "hours"
    # cheapest: all to V2, 1,000 h + 100,000 × 0.04 h = 5,000 h × 0.1 = 500 impact-worker hours;
    # most: all to V1, 1,000 h + 100,000 × 0.03 h = 4,000 h × 0.5 = 2,000
    hours = [p["impact_worker_hours"] for p in frontier["points"]]
    assert hours == [500.0, 1250.0, 2000.0]
    costs = [p["cost"] for p in frontier["points"]]
    assert costs == sorted(costs) and costs[0] == 6 * 1000 + 0.04 * 100000
    # a version 1 document has no impact-worker hours to sweep: said in the result, not a crash
    old = _run("frontier", str(DATA / "optimizer" / "impact_binding.json"), "--measure", "hours")
    assert old.exit_code == 0 and json.loads(old.output)["status"] == "invalid"
    assert _run("frontier", str(problem), "--measure", "jobs").exit_code == 2
