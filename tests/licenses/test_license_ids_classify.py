"""Hub licence ids -> SPDX, and the classification table."""

from __future__ import annotations

import pytest

from ptmvet.licenses.classify import TABLE, Commercial, Copyleft, Family, classify, lookup
from ptmvet.licenses.ids import HUB_LICENSES, is_valid_expression, normalize

REQUIRED = [
    "apache-2.0", "mit", "openrail", "openrail++", "creativeml-openrail-m", "bigscience-openrail-m",
    "bigscience-bloom-rail-1.0", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma",
    "cc-by-nc-4.0", "cc-by-sa-4.0", "afl-3.0", "other", "unknown", "bigcode-openrail-m", "gpl-3.0", "cc0-1.0",
]


@pytest.mark.parametrize("hub_id", sorted(HUB_LICENSES))
def test_every_hub_id_maps_to_a_valid_expression_with_a_table_row(hub_id: str) -> None:
    norm = normalize(hub_id)
    assert norm.recognized and norm.hub_id == hub_id
    assert is_valid_expression(norm.spdx), norm.spdx
    row = classify(norm.spdx)
    assert row.note != "not in ptmvet's licence table", hub_id


def test_required_ids_are_known_and_non_spdx_ones_become_licenserefs() -> None:
    for hub_id in REQUIRED:
        assert hub_id in HUB_LICENSES
    for hub_id in ("openrail", "llama2", "other", "gemma", "openrail++"):
        assert HUB_LICENSES[hub_id][1].startswith("LicenseRef-")
    # license-expression itself rejects these bare ids: that is why they are LicenseRefs.
    assert not is_valid_expression("openrail") and not is_valid_expression("llama2")


def test_spdx_spellings_and_aliases_normalise_to_the_hub_row() -> None:
    assert normalize("Apache-2.0").hub_id == "apache-2.0"
    assert normalize("Apache License 2.0").spdx == "Apache-2.0"
    assert normalize("MIT OR Apache-2.0").spdx in ("MIT OR Apache-2.0", "Apache-2.0 OR MIT")
    assert normalize("other", license_name="Acme Model Licence v1").spdx == "LicenseRef-other-Acme-Model-Licence-v1"
    odd = normalize("my own terms!")
    assert not odd.recognized and is_valid_expression(odd.spdx)


def test_every_row_cites_a_source() -> None:
    for key, row in TABLE.items():
        assert row.source.startswith(("https://", "http://")), key


def test_classification_answers_the_reuse_questions() -> None:
    nc = classify("CC-BY-NC-4.0")
    assert nc.commercial is Commercial.NO and nc.attribution
    sa = classify("CC-BY-SA-4.0")
    assert sa.copyleft is Copyleft.STRONG and sa.commercial is Commercial.YES
    rail = classify(normalize("creativeml-openrail-m").spdx)
    assert rail.family is Family.RAIL and rail.use_restrictions
    llama = classify(normalize("llama3.1").spdx)
    assert llama.commercial is Commercial.CONDITIONAL and llama.use_restrictions and llama.carries_terms
    assert classify(normalize("other").spdx).review
    assert classify("AGPL-3.0-only").copyleft is Copyleft.NETWORK
    assert lookup("LicenseRef-not-in-table").review


def test_compound_expressions() -> None:
    # OR: the licensee picks the more permissive; AND: both sets of duties apply.
    assert classify("CC-BY-NC-4.0 OR MIT").commercial is Commercial.YES
    both = classify("MIT AND CC-BY-NC-4.0")
    assert both.commercial is Commercial.NO and both.attribution
    assert classify("GPL-2.0-only WITH Classpath-exception-2.0").copyleft is Copyleft.STRONG
