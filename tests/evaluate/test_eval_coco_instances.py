"""COCO instances files (``annotations/instances_val2017.json`` + ``val2017/``) read as object-detection data.

A tiny random YOLOS is run over a COCO-layout fixture written here; ptmvet's mAP must equal
pycocotools' ``COCOeval`` reading the same instances file (detections given COCO's category
ids, an image without boxes and a crowd box included).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.errors import InputError
from ptmvet.evaluate.datasets import is_data_file, match_claim, open_dataset, split_of
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evaluate.tasks.interface import RunOptions

LABELS = ["cat", "dog", "fox"]
COCO_IDS = {"cat": 17, "dog": 18, "fox": 5}  # COCO's own ids: not the model's class ids


@pytest.fixture(scope="module")
def coco(tmp_path_factory: pytest.TempPathFactory, tiny_yolos: tuple[Path, Any, Any]) -> tuple[Path, Path, list[dict[str, Any]]]:
    """(model folder, COCO root with annotations/ and val2017/, the model's detections in COCO's terms)."""
    torch = pytest.importorskip("torch")
    from PIL import Image

    mdir, model, proc = tiny_yolos
    assert [model.config.id2label[i] for i in range(3)] == LABELS
    root = tmp_path_factory.mktemp("coco")
    data = root / "coco"
    (data / "val2017").mkdir(parents=True)
    (data / "annotations").mkdir()
    rng = np.random.default_rng(7)
    images, anns, dets = [], [], []
    aid = 1
    for i in range(14):
        image_id = 1000 + 3 * i  # COCO's ids are neither 0-based nor contiguous
        name = f"{image_id:012d}.jpg" if i % 2 else f"{image_id:012d}.png"
        im = Image.fromarray((rng.random((32, 40, 3)) * 255).astype(np.uint8), "RGB")
        im.save(data / "val2017" / name)
        images.append({"id": image_id, "file_name": name, "width": 40, "height": 32})
        with torch.inference_mode():
            out = model(**proc(images=[Image.open(data / "val2017" / name).convert("RGB")], return_tensors="pt"))
        res = proc.post_process_object_detection(out, threshold=0.0, target_sizes=[(32, 40)])[0]
        for b, s, c in zip(res["boxes"].tolist(), res["scores"].tolist(), res["labels"].tolist(), strict=True):
            dets.append({"image_id": image_id, "category_id": COCO_IDS[LABELS[int(c)]], "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]],
                         "score": s})
        if i == 3:
            continue  # an image without annotations: its detections are all false positives
        for j, (b, c) in enumerate(zip(res["boxes"].tolist()[:3], res["labels"].tolist()[:3], strict=True)):
            box = [b[0] + float(rng.normal(0, 1)), b[1], b[2] - b[0], b[3] - b[1]]
            name_c = LABELS[int(c)] if rng.random() < 0.8 else LABELS[(int(c) + 1) % 3]
            crowd = int(i == 5 and j == 0)
            anns.append({"id": aid, "image_id": image_id, "category_id": COCO_IDS[name_c], "bbox": box, "area": box[2] * box[3],
                         "iscrowd": crowd, "segmentation": [[box[0], box[1], box[0] + box[2], box[1], box[0], box[1] + box[3]]]})
            aid += 1
    doc = {"info": {"description": "tiny"}, "licenses": [], "images": images, "annotations": anns,
           "categories": [{"id": v, "name": k, "supercategory": "animal"} for k, v in COCO_IDS.items()]}
    (data / "annotations" / "instances_val2017.json").write_text(json.dumps(doc))  # one line, as COCO ships it
    (data / "annotations" / "captions_val2017.json").write_text(json.dumps({"images": images, "annotations": []}))
    return mdir, data, dets


def pycocotools_map(instances: Path, dets: list[dict[str, Any]]) -> list[float]:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(instances))
        ev = COCOeval(gt, gt.loadRes(dets), "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(x) for x in ev.stats[:3]]


def _claim(metric: str, value: float, split: str | None = "validation") -> Claim:
    return Claim(task_type="object-detection", dataset_name="COCO 2017", dataset_type="coco", dataset_split=split,
                 metric_type=metric, value=value)


def test_instances_json_is_read_as_detection_data(coco: tuple[Path, Path, list[dict[str, Any]]]) -> None:
    _, data, _ = coco
    instances = data / "annotations" / "instances_val2017.json"
    ds = open_dataset(instances)
    assert ds.format == "coco" and ds.columns == ("image", "objects") and ds.split == "validation"
    assert len(ds.files) == 15  # the json and its 14 images: all in the data hash
    (batch,) = list(ds.batches(100))
    assert len(batch["image"]) == 14 and all(Path(p).is_file() for p in batch["image"])
    assert batch["objects"][3] == {"bbox": [], "category": [], "iscrowd": []}
    assert set(batch["objects"][0]["category"]) <= set(LABELS)  # category names, matched to the model's labels by name
    assert open_dataset(data).path == instances  # the COCO root folder: its instances file for the split
    assert open_dataset(data, split="val").path == instances
    with pytest.raises(InputError, match="no COCO instances file for split 'train'"):
        open_dataset(data, split="train")
    assert split_of(instances) == "validation" and is_data_file(instances)
    assert not is_data_file(data / "annotations" / "captions_val2017.json")  # no boxes: not detection data
    renamed = data / "annotations" / "boxes_val2017.json"
    renamed.write_text(instances.read_text())
    assert is_data_file(renamed)  # a one-line document with boxes is COCO data whatever its name
    renamed.unlink()
    path, why = match_claim(_claim("map", 1.0), data.parent)
    assert path is not None and path in (data, instances), why


def test_coco_map_matches_pycocotools(coco: tuple[Path, Path, list[dict[str, Any]]]) -> None:
    pytest.importorskip("pycocotools")
    mdir, data, dets = coco
    instances = data / "annotations" / "instances_val2017.json"
    want = pycocotools_map(instances, dets)
    assert 0 < want[0] < 1 and 0 < want[1] < 1
    claims = [_claim("mAP", round(want[0] * 100, 3)), _claim("AP50", round(want[1] * 100, 3)), _claim("mAP", 95.0)]
    (sample,) = reproduce(mdir, claims[:1], data=instances, options=ReproduceOptions(resamples=50))
    assert sample.subset is not None and "5,000" in sample.subset  # 14 images of COCO val2017: a sample, said so
    assert sample.measured == pytest.approx(want[0] * 100, abs=1e-6) and sample.verdict == "not-verifiable"
    opts = ReproduceOptions(resamples=50, run=RunOptions(batch_size=4), split_size=14)  # the fixture is the whole split
    for ms in (reproduce(mdir, claims, data=instances, options=opts), reproduce(mdir, claims, data_dir=data.parent, options=opts)):
        assert [m.metric for m in ms] == ["map", "map_50", "map"]
        assert ms[0].measured == pytest.approx(want[0] * 100, abs=1e-6) and ms[0].verdict == "consistent"
        assert ms[1].measured == pytest.approx(want[1] * 100, abs=1e-6)
        assert ms[2].verdict == "overstated"
        assert ms[0].n == 14 and not any("category the model does not have" in n for n in ms[0].notes)
        assert ms[0].provenance is not None and ms[0].provenance["data_format"] == "coco"


def test_broken_instances_files_are_named(tmp_path: Path) -> None:
    ann = tmp_path / "annotations"
    ann.mkdir()
    bad = ann / "instances_val2017.json"
    bad.write_text('{"images": [{"id": 1, "file_name": "a.png"}], "annotations": [{"id": 9, "image_id": 2, "category_id": 1, '
                   '"bbox": [0, 0, 1, 1]}], "categories": [{"id": 1, "name": "cat"}]}')
    with pytest.raises(InputError, match="annotation 9 names image 2"):
        open_dataset(bad)
    bad.write_text('{"images": [{"id": 1, "file_name": "a.png"}, {"id": 1, "file_name": "b.png"}], "annotations": [], "categories": []}')
    with pytest.raises(InputError, match="image id 1 is listed more than once"):
        open_dataset(bad)
    bad.write_text('{"images": [{"id": 1, "file_name": "a.png"}], "annotations": [], "categories": []}')
    with pytest.raises(InputError, match=r"the images it names \(a\.png"):
        open_dataset(bad)
    pretty = tmp_path / "mine.json"
    pretty.write_text('{\n  "images": "no"\n}\n')
    with pytest.raises(InputError, match="not a COCO instances file"):
        open_dataset(pretty)
