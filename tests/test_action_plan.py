"""The action plan, pure: ranking by impact, groups, exclusions, the cut, role resolution."""

from __future__ import annotations

from assess.core.action_plan import (
    MAX_RECOMMENDATIONS,
    Candidate,
    RoleChain,
    focus_area,
    impact_key,
    resolve_roles,
    select,
    weighted_gaps,
)


def rule(rule_id: str, priority: int = 1, gap: float = 0.0, **more: object) -> Candidate:
    fields: dict = {"specificity": 1, "actions": 1, **more}
    return Candidate(rule_id, priority, gap, **fields)


def ids(candidates: list[Candidate]) -> list[str]:
    return [c.id for c in candidates]


def test_priority_first_then_the_largest_weighted_gap():
    plan, dropped = select([rule("a", 2, 500.0), rule("b", 1, 10.0), rule("c", 1, 90.0)])
    assert ids(plan) == ["c", "b", "a"]
    assert dropped == []


def test_ties_go_to_the_more_specific_rule_then_to_the_one_with_actions_then_to_the_id():
    plan, _ = select(
        [
            rule("z_general", specificity=1, actions=3),
            rule("y_specific", specificity=3, actions=0),
            rule("b_no_plan", specificity=1, actions=0),
            rule("a_no_plan", specificity=1, actions=0),
        ]
    )
    assert ids(plan) == ["y_specific", "z_general", "a_no_plan", "b_no_plan"]


def test_file_order_never_decides():
    candidates = [rule(f"r{i}", 1 + i % 2, float(i % 3)) for i in range(8)]
    expected = ids(select(candidates)[0])
    for shift in range(1, 8):
        shuffled = candidates[shift:] + candidates[:shift]
        assert ids(select(shuffled)[0]) == expected
        assert ids(select(reversed(shuffled))[0]) == expected
    assert expected == ids(sorted(candidates, key=impact_key))


def test_a_group_keeps_its_best_ranked_rule_only():
    plan, dropped = select(
        [
            rule("monthly", 2, 100.0, group="rhythm"),
            rule("weekly", 1, 100.0, group="rhythm"),
            rule("other", 3),
        ]
    )
    assert ids(plan) == ["weekly", "other"]
    assert dropped == [("monthly", "group 'rhythm': 'weekly' ranks higher")]


def test_excludes_keep_the_better_ranked_of_two_whichever_declares_it():
    prospect = rule("farmers_prospect", 1, excludes=("stay_farmers",))
    stay = rule("stay_farmers", 2)
    for candidates in ([prospect, stay], [stay, prospect]):
        plan, dropped = select(candidates)
        assert ids(plan) == ["farmers_prospect"]
        reason = "cannot appear with 'farmers_prospect', which ranks higher"
        assert dropped == [("stay_farmers", reason)]
    # Declared on the lower-ranked rule, it holds the same way.
    plan, _ = select([rule("a", 1), rule("b", 2, excludes=("a",))])
    assert ids(plan) == ["a"]


def test_a_rule_left_out_excludes_nothing():
    plan, _ = select(
        [
            rule("a", 1, excludes=("b",)),
            rule("b", 2, excludes=("c",)),
            rule("c", 3),
        ]
    )
    assert ids(plan) == ["a", "c"]


def test_the_plan_holds_ten_at_most_and_says_why_the_others_are_out():
    candidates = [rule(f"r{i:02d}", 1, float(100 - i)) for i in range(14)]
    plan, dropped = select(candidates)
    assert len(plan) == MAX_RECOMMENDATIONS == 10
    assert ids(plan) == [f"r{i:02d}" for i in range(10)]
    assert [d.id for d in dropped] == ["r10", "r11", "r12", "r13"]
    assert all("beyond the 10" in d.reason for d in dropped)


def test_weighted_gaps_weigh_each_area_and_give_their_mean_to_rules_of_no_area():
    gaps, mean = weighted_gaps({"a": 2.0, "b": 1.0, "c": 5.0}, {"a": 0.0, "b": 0.0, "c": None})
    assert gaps == {"a": 200.0, "b": 100.0}  # two areas at 0: the heavier one first
    assert mean == 150.0
    assert weighted_gaps({"a": 1.0}, {"a": None}) == ({}, 0.0)


def test_a_role_resolves_to_the_first_of_its_chain_the_company_has():
    roles = [
        RoleChain("sales_manager", False, "shared_director"),
        RoleChain("shared_director", False, "owner"),
        RoleChain("owner", True, None),
        RoleChain("salesperson", True, "owner"),
    ]
    assert resolve_roles(roles) == {
        "sales_manager": "owner",
        "shared_director": "owner",
        "owner": "owner",
        "salesperson": "salesperson",
    }
    roles[1] = RoleChain("shared_director", True, "owner")
    assert resolve_roles(roles)["sales_manager"] == "shared_director"


def test_a_chain_the_loader_would_refuse_still_resolves_to_a_role():
    assert resolve_roles([RoleChain("a", False, "b"), RoleChain("b", False, "a")]) == {
        "a": "b",
        "b": "a",
    }


def test_the_focus_is_the_area_whose_gap_weighs_most_on_the_overall_score():
    weights = {"strategie": 2.0, "digital": 1.0, "equipe": 1.0}
    # digital is lowest, but strategy's gap counts twice: 2 x 60 = 120 > 1 x 80 = 80.
    assert focus_area(weights, {"strategie": 40.0, "digital": 20.0, "equipe": None}) == "strategie"
    assert focus_area(weights, {"strategie": 70.0, "digital": 20.0}) == "digital"
    # A tie on the weighted gap: the lower score, then the area listed first.
    assert focus_area(weights, {"strategie": 50.0, "digital": 0.0, "equipe": 0.0}) == "digital"
    assert focus_area({"a": 1.0, "b": 1.0}, {"a": 10.0, "b": 10.0}) == "a"
    assert focus_area(weights, {"equipe": None}) is None
