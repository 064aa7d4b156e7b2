"""Scoring a model on held-out samples: COCO AP at IoU 0.5 per class with pycocotools, the
ignored boxes (too small, too hidden) as ignore regions, as `twincity eval` does."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from torchvision.ops import batched_nms

from .augment import collate, read_rgb, to_input
from .data import Sample
from .model import decode_boxes, grids

SCORE_FLOOR = 0.001  # keep low-score predictions: AP needs the whole ranking
NMS_IOU = 0.45


@torch.no_grad()
def predict(model, samples: list[Sample], scale_of, device, on_image=None):
    """COCO results (image id = index in `samples`, category id = class + 1)."""
    model.eval()
    results = []
    for i, s in enumerate(samples):
        pil = read_rgb(s.image)
        img = torch.from_numpy(np.asarray(pil).copy()).permute(2, 0, 1).float()
        scale = scale_of(img.shape[-2:])
        x, *_ = collate([(to_input(img, scale), None, None, None)])
        out = model(x.to(device))[0]
        cells, strides = grids(x.shape[2], x.shape[3], device)
        box = decode_boxes(out, cells, strides)
        score = out[:, 4:5].sigmoid() * out[:, 5:].sigmoid()
        n, k = score.shape
        flat = score.reshape(-1)
        keep = flat > SCORE_FLOOR
        idx = keep.nonzero().squeeze(1)
        a, c = idx // k, idx % k
        b = box[a]
        xyxy = torch.cat([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], 1) / scale
        sc = flat[idx]
        sel = batched_nms(xyxy, sc, c, NMS_IOU)[:300]
        for j in sel.tolist():
            x0, y0, x1, y1 = xyxy[j].tolist()
            results.append({"image_id": i, "category_id": int(c[j]) + 1,
                            "bbox": [x0, y0, x1 - x0, y1 - y0], "score": float(sc[j])})
        if on_image:
            on_image(i)
    return results


def ground_truth(samples: list[Sample], classes: list[str]) -> dict:
    images, anns = [], []
    for i, s in enumerate(samples):
        w, h = s.extra.get("width"), s.extra.get("height")
        if not w or not h:
            w, h = read_rgb(s.image).size
        images.append({"id": i, "width": int(w), "height": int(h), "file_name": s.image})
        for (x, y, bw, bh), lab, ign in zip(s.boxes.tolist(), s.labels.tolist(),
                                            s.ignore.tolist()):
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": lab + 1,
                         "bbox": [x, y, bw, bh], "area": bw * bh, "iscrowd": int(ign)})
    return {"images": images, "annotations": anns,
            "categories": [{"id": k + 1, "name": n} for k, n in enumerate(classes)]}


def ap50(samples: list[Sample], classes: list[str], results: list[dict]) -> dict:
    """AP at IoU 0.5 per class (None where the class has no ground truth) and their mean."""
    gt = COCO()
    gt.dataset = ground_truth(samples, classes)
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
    per = {}
    counted = {}
    for a in gt.dataset["annotations"]:
        if not a["iscrowd"]:
            counted[a["category_id"]] = counted.get(a["category_id"], 0) + 1
    for k, name in enumerate(classes):
        if counted.get(k + 1, 0) == 0:
            per[name] = None
            continue
        mine = [r for r in results if r["category_id"] == k + 1]
        if not mine:
            per[name] = 0.0
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            dt = gt.loadRes(mine)
            e = COCOeval(gt, dt, "bbox")
            e.params.catIds = [k + 1]
            e.params.maxDets = [1, 10, 300]
            e.evaluate()
            e.accumulate()
            e.summarize()
        per[name] = max(float(e.stats[1]), 0.0)
    scored = [v for v in per.values() if v is not None]
    return {"per_class": per, "mean": float(np.mean(scored)) if scored else None,
            "ground_truth": {n: counted.get(k + 1, 0) for k, n in enumerate(classes)}}
