"""The one table of task runners: every row leads to a runner of its task, and the kinds it serves exist."""

from __future__ import annotations

import pytest

from ptmvet.evaluate.metrics import METRICS
from ptmvet.evaluate.tasks.interface import UnsupportedTask, canonical_task, infer_task, runner_for
from ptmvet.evaluate.tasks.table import RUNNERS


@pytest.mark.parametrize("task", sorted(RUNNERS))
def test_every_row_names_a_runner_of_its_task(task: str) -> None:
    pytest.importorskip("numpy")
    runner = runner_for(task)
    assert runner.task == task
    assert callable(runner.run)
    kinds = {m.kind for m in METRICS.values()}
    assert RUNNERS[task].kinds and RUNNERS[task].kinds <= kinds, f"{task} serves a kind no metric has"


def test_aliases_and_architectures_come_from_the_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert canonical_task("NER") == "token-classification"
    assert canonical_task("sentiment_analysis") == "text-classification"
    assert canonical_task("Automatic-Speech-Recognition") == "automatic-speech-recognition"
    assert canonical_task("translation") is None
    for arch, task in (("WhisperForConditionalGeneration", "automatic-speech-recognition"),
                       ("BartForConditionalGeneration", "summarization"),
                       ("Wav2Vec2ForCTC", "automatic-speech-recognition"),
                       ("DetrForObjectDetection", "object-detection"),
                       ("BertModel", None)):
        assert infer_task(tmp_path, {"config.json": {"architectures": [arch]}}) == task
    with pytest.raises(UnsupportedTask, match="no runner for task 'translation'") as info:
        runner_for("translation")
    assert info.value.hint is not None and "summarization" in info.value.hint
    every_kind = {k for spec in RUNNERS.values() for k in spec.kinds}
    assert every_kind == {m.kind for m in METRICS.values()}  # no metric kind without a runner


def test_columns_read_by_name_come_from_the_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ptmvet.evaluate.datasets import infer_columns, open_dataset, task_role_names

    assert set(task_role_names("question-answering")) == {"question", "context", "answers"}
    assert task_role_names("text-classification") == {}  # told apart by values too: datasets.TASK_ROLES
    data = tmp_path / "test.csv"
    data.write_text("article,highlights\nsome text,a summary\n")
    assert dict(infer_columns(open_dataset(data), "summarization").roles) == {"source": "article", "summary": "highlights"}
