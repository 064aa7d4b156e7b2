"""Reading `twincity render` datasets (and COCO files of real frames) into training samples,
and splitting them by camera or by frame."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field

import numpy as np


class DataError(Exception):
    """A dataset that cannot be trained on; the message names the file and the fix."""


@dataclass
class Sample:
    image: str  # absolute path
    boxes: np.ndarray  # [M, 4] x, y, w, h in pixels (visible boxes)
    labels: np.ndarray  # [M] training class index
    ignore: np.ndarray  # [M] bool: too small or too hidden to learn from (neither + nor -)
    camera: str
    frame: int
    source: str  # the dataset folder or COCO file it came from
    real: bool = False
    extra: dict = field(default_factory=dict)


def _read_json(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise DataError(f"{path}: not found; {what}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: not valid JSON ({e}); {what}") from None


def load_coco(path: str, images_dir: str | None, classes: list[str] | None, *, real: bool,
              min_height: float, min_visibility: float) -> tuple[list[Sample], list[str]]:
    """Samples from a COCO instances file. `classes` maps category names to training
    classes (None: every category that has an annotation, in id order). Boxes lower than
    `min_height` px or less visible than `min_visibility` (when the file says) are ignored."""
    coco = _read_json(path, "give the coco.json of a `twincity render` dataset or a COCO "
                            "instances file exported by a labelling tool")
    for key in ("images", "annotations", "categories"):
        if not isinstance(coco.get(key), list):
            raise DataError(f"{path}: no `{key}` list; it is not a COCO instances file")
    cat_names = {}
    for c in coco["categories"]:
        try:
            cat_names[int(c["id"])] = str(c["name"])
        except (KeyError, TypeError, ValueError):
            raise DataError(f"{path}: category {c!r} has no integer `id` and `name`") from None
    used = sorted({a.get("category_id") for a in coco["annotations"]} & set(cat_names))
    if classes is None:
        classes = [cat_names[i] for i in used]
    index = {name: k for k, name in enumerate(classes)}
    base = images_dir if images_dir is not None else os.path.dirname(os.path.abspath(path))
    per_image: dict[int, list[dict]] = {}
    for a in coco["annotations"]:
        per_image.setdefault(a.get("image_id"), []).append(a)
    samples = []
    for im in coco["images"]:
        try:
            file_name, iid = str(im["file_name"]), im["id"]
        except (KeyError, TypeError):
            raise DataError(f"{path}: image {im!r} has no `id` and `file_name`") from None
        boxes, labels, ignore = [], [], []
        for a in per_image.get(iid, []):
            name = cat_names.get(a.get("category_id"))
            if name not in index:
                continue
            try:
                x, y, w, h = (float(v) for v in a["bbox"])
            except (KeyError, TypeError, ValueError):
                raise DataError(
                    f"{path}: annotation {a.get('id')} has no `bbox` [x, y, w, h]") from None
            if not all(np.isfinite([x, y, w, h])) or w <= 0 or h <= 0:
                continue
            hidden = float(a.get("visibility", 1.0)) < min_visibility
            small = (w if name == "person_down" else h) < min_height and h < min_height
            boxes.append([x, y, w, h])
            labels.append(index[name])
            ignore.append(bool(a.get("iscrowd", 0)) or hidden or small)
        image = os.path.join(base, file_name)
        if not os.path.exists(image) and os.path.isfile(os.path.join(base, "images", file_name)):
            image = os.path.join(base, "images", file_name)  # COCO's own layout
        samples.append(Sample(
            image=image,
            boxes=np.array(boxes, dtype=np.float32).reshape(-1, 4),
            labels=np.array(labels, dtype=np.int64),
            ignore=np.array(ignore, dtype=bool),
            camera=_camera_folder(file_name) or str(im.get("camera", "")),
            frame=int(im.get("frame", n_or(iid))),
            source=path,
            real=real,
            extra={"width": im.get("width"), "height": im.get("height"), "id": iid,
                   "camera_name": str(im.get("camera", "")),
                   "camera_id": str(im.get("camera_id", ""))},
        ))
    return samples, classes


def _camera_folder(file_name: str) -> str:
    """`images/cam2-carrefour-est-mat/000001.png` → `cam2-carrefour-est-mat`."""
    parts = file_name.replace("\\", "/").split("/")
    return parts[-2] if len(parts) >= 3 and parts[-3] == "images" else ""


def n_or(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def load_dataset_dir(d: str, classes, **kw) -> tuple[list[Sample], list[str]]:
    """A `twincity render` dataset folder (its coco.json)."""
    coco = os.path.join(d, "coco.json")
    if not os.path.isdir(d):
        raise DataError(f"{d}: not a folder; give a dataset written by `twincity render --out`")
    if not os.path.exists(coco):
        raise DataError(f"{coco}: missing; {d} is not a finished `twincity render` dataset "
                        "(render it, or `twincity dataset merge` its shards)")
    return load_coco(coco, d, classes, real=False, **kw)


def split(samples: list[Sample], val_camera: str | None, val_fraction: float,
          seed: int) -> tuple[list[Sample], list[Sample]]:
    """Held-out samples: every image of the cameras named in `val_camera` (comma-separated:
    a camera's folder such as `cam2-carrefour-est-mat`, its name, or its id `2`), or a seeded `val_fraction` of the
    frames (all cameras of a frame go to the same side, so no view of a held-out moment is
    trained on)."""
    if val_camera is not None:
        wanted = {c.strip() for c in val_camera.split(",") if c.strip()}

        def held(s: Sample) -> bool:
            names = {s.camera, s.extra.get("camera_name", ""), s.extra.get("camera_id", "")}
            return bool(names & wanted)

        val = [s for s in samples if held(s)]
        if not val:
            cams = sorted({s.camera or s.extra.get("camera_name", "") for s in samples})
            raise DataError(f"--val-camera {val_camera}: no such camera in the datasets "
                            f"(they have {', '.join(cams)})")
        train = [s for s in samples if not held(s)]
        if not train:
            raise DataError(f"--val-camera {val_camera} holds out every image; "
                            "keep at least one camera for training")
        return train, val
    keys = sorted({(s.source, s.frame) for s in samples})
    random.Random(seed).shuffle(keys)
    n_val = int(round(len(keys) * val_fraction))
    if val_fraction > 0 and len(keys) > 1:
        n_val = min(max(n_val, 1), len(keys) - 1)
    held = set(keys[:n_val])
    return ([s for s in samples if (s.source, s.frame) not in held],
            [s for s in samples if (s.source, s.frame) in held])
