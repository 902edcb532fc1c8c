"""The targets table in words (scenario page and board PDF): a slack as a share in per cent or
money in dollars, on the side of the limit it lies; a shadow price per step the way the
sentence reads it, never "share (0-1)" or "… relaxed"."""

from procure.extensions import db
from procure.scenarios import review
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context

# as the demo's award scenario stores them (checked on /scenarios/7)
GROUP_CAP = {
    "kind": "vendor_group_max_share",
    "binding": False,
    "slack": 0.01205,
    "slack_unit": "share of labour hours (0-1)",
    "shadow_price": 0.0,
    "unit": "$ per percentage point of group Based in Kenya's cap relaxed",
    "measure": "$",
    "step": "percentage point of group Based in Kenya's cap",
    "steps": None,
    "direction": "raised",
}
NEED_IMPACT = {
    "kind": "need_avg_impact",
    "binding": True,
    "slack": 0.0,
    "slack_unit": "points of average impact",
    "shadow_price": -302.5,
    "unit": "$ per point of need N1's average impact relaxed",
    "measure": "$",
    "step": "point of average impact on need N1",
    "steps": None,
    "direction": "lowered",
}


def test_a_share_reads_in_per_cent_and_a_price_per_extra_step():
    assert review.slack_words(GROUP_CAP) == "1.2 % of labour hours below the cap"
    assert review.slack_words(NEED_IMPACT) == "none: at the limit"
    assert review.slack_words({**NEED_IMPACT, "kind": "need_avg_impact", "slack": 2.5}) == (
        "2.5 points of average impact above the minimum"
    )
    assert (
        review.slack_words({"kind": "budget", "slack": 45176.2, "slack_unit": "$"})
        == "$45,176 under the budget"
    )
    assert (
        review.slack_words(
            {"kind": "min_avg_quality", "slack": 0.05, "slack_unit": "average quality (0-1)"}
        )
        == "5.0 percentage points of average quality above the minimum"
    )
    # the price: what one more point of the need's impact costs, as the sentence says it
    assert review.price_per_step(NEED_IMPACT) == (
        302.5,
        "$ per extra point of average impact on need N1",
    )
    assert review.price_words(NEED_IMPACT) == (
        "Each extra point of average impact on need N1 costs about $302"
    )
    assert review.price_per_step(GROUP_CAP) == (
        0.0,
        "$ per extra percentage point of group Based in Kenya's cap",
    )
    assert review.price_per_step({**NEED_IMPACT, "shadow_price": None}) is None


def test_the_page_and_the_board_pdf_say_the_targets_in_words(client, world, make_scenario, sign_in):
    # cost 6,400 (Beta 6 and Alpha 8 USD per hour) under a budget of 10,000: $3,600 to spare
    saved = make_scenario("Roomy", budget=10000)
    assert saved["status"] == "solved"
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{saved['id']}").text
    assert "$3,600 under the budget" in page
    assert "(0-1)" not in page and " relaxed<" not in page
    context = board_context(db.session.get(Scenario, saved["id"]))
    (budget,) = [c for c in context["constraints"] if c["kind"] == "budget"]
    assert budget["slack_words"] == "$3,600 under the budget"
    assert budget["price_per_step"] == {"value": 0.0, "unit": "$ per extra $ of budget"}
