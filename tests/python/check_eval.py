"""Cross-checks a `twincity eval` report against pycocotools on the same predictions.

Usage:
  check_eval.py perturb DATASET_DIR OUT.json SEED   -- write predictions made by perturbing the
                                                       ground truth (shifts, misses, duplicates,
                                                       false positives, random scores)
  check_eval.py compare DATASET_DIR REPORT_DIR      -- score REPORT_DIR/predictions.json with
                                                       COCOeval and compare with report.json
Prints one JSON object; exits 1 on the first disagreement.
"""
import contextlib
import io
import json
import os
import random
import sys

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


def compare(root, report_dir):
    coco = load(root)
    report = json.load(open(os.path.join(report_dir, "report.json")))
    # The report's ignore regions are COCO crowd boxes: too small or too hidden to count.
    min_h = report["settings"].get("min_height", 0) or 0
    min_v = report["settings"].get("min_visibility", 0) or 0
    for ann in coco.dataset["annotations"]:
        if ann["bbox"][3] < min_h or ann.get("visibility", 1.0) < min_v:
            ann["iscrowd"] = 1
    preds = json.load(open(os.path.join(report_dir, "predictions.json")))
    max_dets = report["settings"]["max_dets"]
    classes = report["overall"]["per_class"]
    cat_ids = [c["category_id"] for c in classes]
    if not preds:
        fail("no predictions to compare")

    def evaluate(cats):
        with contextlib.redirect_stdout(io.StringIO()):
            dt = coco.loadRes(preds)
            e = COCOeval(coco, dt, "bbox")
            e.params.catIds = cats
            e.params.maxDets = [1, 10, max_dets]
            e.evaluate()
            e.accumulate()
            e.summarize()
        return e

    e = evaluate(cat_ids)
    ap = None if e.stats[0] < 0 else e.stats[0]
    ap50 = None if e.stats[1] < 0 else e.stats[1]
    close(report["overall"]["ap"], ap, "AP")
    close(report["overall"]["ap50"], ap50, "AP50")
    for k, c in enumerate(classes):
        one = evaluate([c["category_id"]])
        close(c["ap"], None if one.stats[0] < 0 else one.stats[0], f"AP of {c['category']}")
        close(c["ap50"], None if one.stats[1] < 0 else one.stats[1], f"AP50 of {c['category']}")
        recall = e.eval["recall"][0, k, 0, 2]
        close(c["recall50"], None if recall < 0 else float(recall), f"recall of {c['category']}")
        # Precision at the operating point: matches at IoU 0.5 among all kept predictions.
        tp = nd = nc = 0
        for ev in e.evalImgs:
            if ev is None or ev["category_id"] != c["category_id"] or ev["aRng"] != [0, 1e10]:
                continue
            counted = ~ev["dtIgnore"][0].astype(bool)
            tp += int(((ev["dtMatches"][0] > 0) & counted).sum())
            nd += len(ev["dtIds"])
            nc += int(counted.sum())
        if nd != c["predictions"]:
            fail(f"{c['category']}: {c['predictions']} predictions in the report, {nd} kept by pycocotools")
        close(c["precision50"], tp / nc if nc else None, f"precision of {c['category']}")
    print(json.dumps({"ok": True, "ap": ap, "ap50": ap50, "classes": len(classes),
                      "predictions": len(preds)}))


if sys.argv[1] == "perturb":
    perturb(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif sys.argv[1] == "compare":
    compare(sys.argv[2], sys.argv[3])
else:
    fail("unknown command " + sys.argv[1])
