"""Reading YAML with its lines: aliases are counted before anything expands them."""

from __future__ import annotations

import yaml

from assess.core.questionnaire.yaml_source import MAX_ALIAS_NODES, alias_expansion, read_yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


def laughs(levels: int, fan_out: int = 9) -> str:
    """A "billion laughs": each level a list of `fan_out` aliases of the level below."""
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * fan_out) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\n"


def distinct_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return len(seen)


def test_the_count_stops_within_a_bounded_number_of_nodes() -> None:
    root = yaml.compose(laughs(9), Loader=Loader)  # a billion nodes once expanded
    found = alias_expansion(root, limit=1000)
    assert found.refused is not None and "more than 1000 nodes" in found.refused.message
    assert found.added == 1001
    assert found.visited <= distinct_nodes(root) + 1001
    assert found.refused.line == 4  # l3 is the first level past a thousand nodes


def test_a_recursive_alias_is_refused_at_its_line() -> None:
    root = yaml.compose("a: 1\nloop: &loop [1, *loop]\n", Loader=Loader)
    found = alias_expansion(root)
    assert found.refused is not None and found.refused.line == 2
    assert "refers to a node that contains it" in found.refused.message


def test_aliases_of_a_sane_size_read_as_before() -> None:
    """A list of options written once and reused by thirty questions."""
    options = '  - &options [{value: "no", label: "Non"}, {value: "yes", label: "Oui"}]\n'
    text = "shared:\n" + options + "questions:\n"
    text += "".join(f"  - {{id: q{n}, options: *options}}\n" for n in range(30))
    data, lines, problems = read_yaml(text)
    assert problems == [] and data["questions"][29]["options"][1]["value"] == "yes"
    assert lines.line_of(("questions", 29, "id")) == 33
    root = yaml.compose(text, Loader=Loader)
    found = alias_expansion(root)
    assert found.refused is None and 0 < found.added < MAX_ALIAS_NODES
