"""Cross-checks a `twincity eval` report against pycocotools on the same predictions.

Usage:
  check_eval.py perturb DATASET_DIR OUT.json SEED   -- write predictions made by perturbing the
                                                       ground truth (shifts, misses, duplicates,
                                                       false positives, random scores)
  check_eval.py compare DATASET_DIR REPORT_DIR      -- score REPORT_DIR/predictions.json with
                                                       COCOeval and compare with report.json
                                                       (AP, AP50, per class AP, AP50, recall;
                                                       precision and recall at the operating
                                                       score; MR-2 computed here from
                                                       COCOeval's matches)
Prints one JSON object; exits 1 on the first disagreement.
"""
import contextlib
import io
import json
import math
import os
import random
import sys

import numpy as np

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def load(root):
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(os.path.join(root, "coco.json"))


def perturb(root, out, seed):
    rng = random.Random(seed)
    coco = load(root)
    preds = []
    for ann in coco.dataset["annotations"]:
        if rng.random() < 0.2:
            continue  # a miss
        x, y, w, h = ann["bbox"]
        k = rng.choice([0.0, 0.05, 0.15, 0.3, 0.5])
        box = [x + rng.uniform(-k, k) * w, y + rng.uniform(-k, k) * h,
               w * rng.uniform(1 - k, 1 + k), h * rng.uniform(1 - k, 1 + k)]
        box = [round(v, 2) for v in box]
        preds.append({"image_id": ann["image_id"], "category_id": ann["category_id"],
                      "bbox": box, "score": round(rng.random(), 5)})
        if rng.random() < 0.1:  # a duplicate
            preds.append(dict(preds[-1], score=round(rng.random(), 5)))
    for img in coco.dataset["images"]:
        for _ in range(rng.randint(0, 5)):  # false positives
            w, h = rng.uniform(5, 60), rng.uniform(10, 120)
            preds.append({"image_id": img["id"], "category_id": 1,
                          "bbox": [round(rng.uniform(0, img["width"] - w), 2),
                                   round(rng.uniform(0, img["height"] - h), 2),
                                   round(w, 2), round(h, 2)],
                          "score": round(rng.random(), 5)})
    with open(out, "w") as f:
        json.dump(preds, f)
    print(json.dumps({"ok": True, "predictions": len(preds)}))


def close(a, b, what):
    if a is None or b is None:
        if a != b:
            fail(f"{what}: report {a}, pycocotools {b}")
    elif abs(a - b) > 1e-9:
        fail(f"{what}: report {a}, pycocotools {b}")


def ignore_subset(coco, subset):
    """The report's ignore regions as COCO crowd boxes: crowd regions, and boxes whose
    full-body (amodal) height or visible share is outside the subset's ranges."""
    lo_h, hi_h = subset["min_height"], subset["max_height"]
    hi_h = math.inf if hi_h is None else hi_h
    lo_v, hi_v = subset["min_visibility"], subset["max_visibility"]
    for ann in coco.dataset["annotations"]:
        h = ann.get("amodal_bbox", ann["bbox"])[3]
        v = ann.get("visibility", 1.0)
        if ann.get("iscrowd", 0) or h < lo_h or h > hi_h or v < lo_v or v > hi_v:
            ann["iscrowd"] = 1
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()


def evaluate(coco, preds, cats, max_dets, iou_thrs=None):
    with contextlib.redirect_stdout(io.StringIO()):
        dt = coco.loadRes(preds)
        e = COCOeval(coco, dt, "bbox")
        e.params.catIds = cats
        e.params.maxDets = [1, 10, max_dets]
        if iou_thrs is not None:
            e.params.iouThrs = np.array(iou_thrs)
        e.evaluate()
        e.accumulate()
        if iou_thrs is None:
            e.summarize()
    return e


def image_evals(e, cat):
    return [ev for ev in e.evalImgs
            if ev is not None and ev["category_id"] == cat and ev["aRng"] == [0, 1e10]]


def miss_rate(coco, preds, cat, max_dets, subset):
    """MR-2 as Dollar et al. define it, from COCOeval's matches at IoU 0.5: predictions outside
    the subset's height range widened by 1.25 left out; then by score, a point (FPPI, recall)
    after each prediction not on an ignore region; the recall at each of 9 FPPI points in
    log space from 1e-2 to 1 is the last point's at or below it; the geometric mean of the
    miss rates."""
    lo = subset["min_height"] / 1.25
    hi = math.inf if subset["max_height"] is None else subset["max_height"] * 1.25
    kept = [p for p in preds if p["category_id"] == cat and lo <= p["bbox"][3] < hi]
    npig = sum(1 for a in coco.dataset["annotations"]
               if a["category_id"] == cat and not a.get("iscrowd", 0))
    if npig == 0:
        return None
    n_images = len(coco.getImgIds())
    scores, matched = [], []
    if kept:
        e = evaluate(coco, kept, [cat], max_dets, [0.5])
        for ev in image_evals(e, cat):
            counted = ~ev["dtIgnore"][0].astype(bool)
            scores += list(np.array(ev["dtScores"])[counted])
            matched += list((ev["dtMatches"][0] > 0)[counted])
    order = np.argsort(-np.array(scores, dtype=float), kind="mergesort")
    tp = np.cumsum([bool(matched[i]) for i in order])
    fp = np.cumsum([not matched[i] for i in order])
    fppi, recall = fp / n_images, tp / npig
    mrs = []
    for ref in np.logspace(-2.0, 0.0, 9):
        at = np.nonzero(fppi <= ref)[0]
        mrs.append(1.0 - (recall[at[-1]] if len(at) else 0.0))
    return float(np.exp(np.mean(np.log(np.maximum(1e-10, mrs)))))


def compare(root, report_dir):
    coco = load(root)
    report = json.load(open(os.path.join(report_dir, "report.json")))
    settings = report["settings"]
    subset = settings["subset"]
    ignore_subset(coco, subset)
    preds = json.load(open(os.path.join(report_dir, "predictions.json")))
    max_dets = settings["max_dets"]
    operating = settings["operating_score"]
    classes = report["overall"]["per_class"]
    cat_ids = [c["category_id"] for c in classes]
    if not preds:
        fail("no predictions to compare")

    e = evaluate(coco, preds, cat_ids, max_dets)
    ap = None if e.stats[0] < 0 else e.stats[0]
    ap50 = None if e.stats[1] < 0 else e.stats[1]
    close(report["overall"]["ap"], ap, "AP")
    close(report["overall"]["ap50"], ap50, "AP50")
    mrs = []
    for k, c in enumerate(classes):
        name = c["category"]
        one = evaluate(coco, preds, [c["category_id"]], max_dets)
        close(c["ap"], None if one.stats[0] < 0 else one.stats[0], f"AP of {name}")
        close(c["ap50"], None if one.stats[1] < 0 else one.stats[1], f"AP50 of {name}")
        recall = e.eval["recall"][0, k, 0, 2]
        close(c["max_recall50"], None if recall < 0 else float(recall), f"recall of {name}")
        # Precision and recall at the operating point: the kept predictions scoring at least
        # the operating score, matched at IoU 0.5.
        tp = fp = nd = npig = 0
        for ev in image_evals(e, c["category_id"]):
            counted = ~ev["dtIgnore"][0].astype(bool)
            shown = np.array(ev["dtScores"]) >= operating
            hit = ev["dtMatches"][0] > 0
            tp += int((hit & counted & shown).sum())
            fp += int((~hit & counted & shown).sum())
            nd += len(ev["dtIds"])
            npig += int((~np.array(ev["gtIgnore"], dtype=bool)).sum())
        if nd != c["predictions"]:
            fail(f"{name}: {c['predictions']} predictions in the report, {nd} kept by pycocotools")
        close(c["precision50"], tp / (tp + fp) if tp + fp else None, f"precision of {name}")
        close(c["recall50"], tp / npig if npig else None, f"recall at the operating score of {name}")
        mr = miss_rate(coco, preds, c["category_id"], max_dets, subset)
        close(c["mr2"], mr, f"MR-2 of {name}")
        if mr is not None:
            mrs.append(mr)
    close(report["overall"]["mr2"], sum(mrs) / len(mrs) if mrs else None, "MR-2")
    print(json.dumps({"ok": True, "ap": ap, "ap50": ap50, "mr2": report["overall"]["mr2"],
                      "classes": len(classes), "predictions": len(preds),
                      "below_operating": sum(1 for p in preds if p["score"] < operating)}))


if sys.argv[1] == "perturb":
    perturb(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif sys.argv[1] == "compare":
    compare(sys.argv[2], sys.argv[3])
else:
    fail("unknown command " + sys.argv[1])
