"""Feedback for learning: every rule under one guide topic, and the error profile by unit."""

from __future__ import annotations

import pytest

from kodevakt.batch.catalogue import all_rules
from kodevakt.batch.topics import TOPICS, profile_of, topic_of


def test_every_rule_belongs_to_exactly_one_topic() -> None:
    listed = [rule for topic in TOPICS for rule in topic.rules]
    assert len(listed) == len(set(listed)), "a rule under two topics"
    codes = {rule.code for rule in all_rules()}
    assert codes == set(listed), "topics must list every rule, and only rules that exist"
    assert all(topic.guide for topic in TOPICS)


def test_the_issue_s_topics_are_there() -> None:
    titles = {topic.title for topic in TOPICS}
    for expected in ("Hovedtilstand", "Sverd og stjerne", "Diabetes", "Prosedyrer"):
        assert expected in titles
    assert topic_of("T17").title.startswith("Sepsis")  # type: ignore[union-attr]
    assert topic_of("T22").title.startswith("Kreft")  # type: ignore[union-attr]
    assert topic_of("T15").title.startswith("Svangerskap")  # type: ignore[union-attr]


def test_a_department_with_more_of_an_error_than_chance_explains_is_marked() -> None:
    # MED: 16 of 40 episodes with a main-condition finding; KIR: 2 of 40; ORT: 4 of 10
    findings = [("MED", ("", f"m{i}"), "T13") for i in range(16)]
    findings += [("MED", ("", "m0"), "T11")]  # a second finding in one episode counts once
    findings += [("KIR", ("", f"k{i}"), "T13") for i in range(2)]
    findings += [("ORT", ("", f"o{i}"), "T01") for i in range(4)]
    findings += [("KIR", ("", "k9"), "T02")]
    profile = profile_of(findings, {"MED": 40, "KIR": 40, "ORT": 10})
    assert [t.key for t in profile.topics] == ["hovedtilstand", "sverd-stjerne"]
    total = profile.totals["hovedtilstand"]
    assert (total.episodes, total.share) == (22, pytest.approx(22 / 90))
    units = {u.unit: u for u in profile.units}
    assert [u.unit for u in profile.units] == ["KIR", "MED", "ORT"]  # largest first
    med = units["MED"].cells["hovedtilstand"]
    assert (med.episodes, med.share, med.outside) == (16, 0.4, "95")
    assert units["KIR"].cells["hovedtilstand"].outside == ""
    assert units["ORT"].cells["hovedtilstand"].outside == ""  # 10 episodes: too few to judge
    assert not units["ORT"].judged
    assert units["KIR"].cells["sverd-stjerne"].outside == ""  # one episode is never marked
