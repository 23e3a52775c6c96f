"""model-index and .eval_results/ entries into typed claims."""

from __future__ import annotations

import yaml

from ptmvet.card import claims_from_eval_results, claims_from_model_index, parse_eval_results


def test_eval_results_format_of_huggingface_hub() -> None:
    from huggingface_hub import EvalResultEntry, eval_result_entries_to_yaml

    entries = [
        EvalResultEntry(dataset_id="cais/hle", task_id="default", value=20.90, dataset_revision="5503434d", verify_token="tok", date="2025-01-15", source_url="https://example.org/logs", source_name="Eval Logs", notes="no-tools"),
        EvalResultEntry(dataset_id="Idavidrein/gpqa", task_id="gpqa_diamond", value=0.412),
    ]
    text = yaml.safe_dump(eval_result_entries_to_yaml(entries))
    claims, errors = parse_eval_results(text, path=".eval_results/x.yaml")
    assert errors == []
    first, second = claims
    assert (first.dataset, first.task_id, first.value, first.dataset_revision) == ("cais/hle", "default", 20.9, "5503434d")
    assert first.verified and first.verify_token == "tok"
    assert (first.source_url, first.date, first.notes, first.source) == ("https://example.org/logs", "2025-01-15", "no-tools", "eval-results")
    assert (second.dataset, second.task_id, second.value, second.verified) == ("Idavidrein/gpqa", "gpqa_diamond", 0.412, False)
    assert first.to_dict()["task_name"] == "default"


def test_eval_results_api_shape_and_early_draft_fields() -> None:
    data = [
        {"filename": "a.yaml", "data": {"dataset": {"id": "d/x", "config": "c", "split": "test"}, "value": "91.3%"}},
        {"filename": "b.yaml", "error": "invalid"},
    ]
    claims, errors = claims_from_eval_results(data)
    assert len(claims) == 1
    assert (claims[0].dataset_config, claims[0].dataset_split, claims[0].value) == ("c", "test", 91.3)
    assert any("rejected" in e for e in errors)


def test_eval_results_problems_are_errors() -> None:
    claims, errors = claims_from_eval_results([{"dataset": {}, "value": "n/a"}, "junk"])
    assert len(claims) == 1 and claims[0].value is None
    assert any("dataset.id" in e for e in errors) and any("non-numeric" in e for e in errors)
    assert claims_from_eval_results({"foo": 1})[1]
    assert parse_eval_results("a: [")[1]
    assert parse_eval_results("- &a [*a]")[1]  # a recursive alias


def test_model_index_fields_and_verified_flag() -> None:
    index = [
        {
            "name": "m",
            "results": [
                {
                    "task": {"type": "text-classification", "name": "Text Classification"},
                    "dataset": {"type": "glue", "name": "GLUE SST2", "config": "sst2", "split": "validation", "revision": "abc"},
                    "metrics": [
                        {"type": "accuracy", "value": 0.9105504587155964, "name": "Accuracy", "verified": True, "verifyToken": "t"},
                        {"type": "f1", "value": "NA"},
                    ],
                    "source": {"url": "https://paper", "name": "Paper"},
                }
            ],
        }
    ]
    claims, errors = claims_from_model_index(index)
    acc, f1 = claims
    assert (acc.task_type, acc.task_name, acc.dataset, acc.dataset_name) == ("text-classification", "Text Classification", "glue", "GLUE SST2")
    assert (acc.dataset_config, acc.dataset_split, acc.dataset_revision) == ("sst2", "validation", "abc")
    assert (acc.metric, acc.metric_name, acc.value, acc.verified, acc.verify_token) == ("accuracy", "Accuracy", 0.9105504587155964, True, "t")
    assert acc.source_url == "https://paper" and acc.model_name == "m"
    assert f1.value is None and f1.raw_value == "NA" and not f1.verified
    assert any("non-numeric" in e for e in errors)


def test_model_index_agrees_with_huggingface_hub() -> None:
    from huggingface_hub.repocard_data import model_index_to_eval_results

    index = [
        {
            "name": "m",
            "results": [
                {"task": {"type": "t"}, "dataset": {"type": "d", "name": "D", "split": "test"}, "metrics": [{"type": "acc", "value": 0.5}, {"type": "f1", "value": 0.25, "verified": True}]}
            ],
        }
    ]
    _, theirs = model_index_to_eval_results(index)
    ours, errors = claims_from_model_index(index)
    assert errors == []
    assert [(r.task_type, r.dataset_type, r.dataset_split, r.metric_type, r.metric_value, bool(r.verified)) for r in theirs] == [
        (c.task_type, c.dataset_type, c.dataset_split, c.metric_type, c.value, c.verified) for c in ours
    ]


def test_trainer_empty_results_is_not_an_error() -> None:
    claims, errors = claims_from_model_index([{"name": "m", "results": []}])
    assert claims == () and errors == []
    assert claims_from_model_index("nonsense")[1]
