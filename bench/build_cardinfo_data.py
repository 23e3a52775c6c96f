"""Build the known dataset and model ids that ``ptmvet.cardinfo`` matches names against.

Reads the registry listings in ``../shared/corpora`` (the July-2024 Hub model
and dataset listings, the Feb-2022 ``model_info`` dump) and writes two small
gzip'd text files into ``src/ptmvet/cardinfo/data/``, one id a line with its
popularity, so that a card's "fine-tuned on SQuAD" becomes ``squad`` and a base
model named in prose can be told from an invented one.

Kept (to keep the package small): datasets with >= 100 downloads or >= 3 likes in
2024 plus every dataset named by a 2022 model's ``dataset:`` tag; models with
>= 1,000 downloads or >= 5 likes in 2024 plus every 2022 model id.

    .venv/bin/python bench/build_cardinfo_data.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
OUT = ROOT / "src" / "ptmvet" / "cardinfo" / "data"


def _lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def main() -> None:
    datasets: dict[str, int] = {}
    models: dict[str, int] = {}
    for r in _lines(CORPORA / "hf-hub-models-2024-07" / "hf_datasets_list_2024-07.jsonl.gz"):
        d, likes = int(r.get("downloads") or 0), int(r.get("likes") or 0)
        if d >= 100 or likes >= 3:
            datasets[r["id"]] = max(datasets.get(r["id"], 0), d + 1)
    for r in _lines(CORPORA / "hf-model-infos-cards-2022-02-saranscript" / "model_infos.jsonl.gz"):
        models.setdefault(r["modelId"], int(r.get("downloads") or 0) + 1)
        for t in r.get("tags") or []:
            if t.startswith("dataset:"):
                ds = t.split(":", 1)[1].strip()
                if ds and " " not in ds:
                    datasets[ds] = datasets.get(ds, 0) + 1
    for r in _lines(CORPORA / "hf-hub-models-2024-07" / "hf_models_list_2024-07.jsonl.gz"):
        d, likes = int(r.get("downloads") or 0), int(r.get("likes") or 0)
        if d >= 1000 or likes >= 5:
            models[r["id"]] = max(models.get(r["id"], 0), d + 1)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, table in (("datasets.txt.gz", datasets), ("models.txt.gz", models)):
        body = "".join(f"{k}\t{v}\n" for k, v in sorted(table.items()))
        with gzip.GzipFile(OUT / name, "wb", mtime=0) as fh:
            fh.write(body.encode("utf-8"))
        print(f"{name}: {len(table)} ids, {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
