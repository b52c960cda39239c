"""graph.resources: capacity resources as people read them."""

from __future__ import annotations

import pytest

from titr.graph.resources import ResourceId, resource_label


@pytest.mark.parametrize(
    ("rid", "words"),
    [
        ("process:PR_ALAT_CTR", ["Alat", "(port_handling)", "(PR_ALAT_CTR)"]),
        ("service:SV_CASP_DRY:a>b", ["dry-cargo", "(SV_CASP_DRY)"]),
        (ResourceId("service", "SV_CASP_KUR_FERRY", "b>a"), ["ferry", "(SV_CASP_KUR_FERRY)"]),
    ],
)
def test_label_names_the_resource_and_keeps_its_id(corridor, rid, words) -> None:  # type: ignore[no-untyped-def]
    text = resource_label(corridor, rid)
    for w in words:
        assert w in text, text
    assert "service:" not in text and "process:" not in text and "a>b" not in text


def test_link_label_uses_the_ends_names(corridor) -> None:  # type: ignore[no-untyped-def]
    lid = next(iter(corridor.links))
    text = resource_label(corridor, f"link:{lid}:a>b")
    lk = corridor.links[lid]
    a, b = corridor.nodes[lk.a_node].name_en, corridor.nodes[lk.b_node].name_en
    assert text == f"{a} – {b} ({lid})"


@pytest.mark.parametrize("rid", ["process:NOPE", "service:NOPE:a>b", "link:NOPE", "weird", ""])
def test_unknown_ids_come_back_as_given(corridor, rid: str) -> None:  # type: ignore[no-untyped-def]
    assert resource_label(corridor, rid) == rid
