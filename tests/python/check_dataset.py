"""Checks a TwinCity dataset with the reference readers: pycocotools for coco.json, NumPy for
the .npy maps. Prints one JSON object; exits 1 on the first inconsistency.

Usage: check_dataset.py DATASET_DIR
"""
import contextlib
import io
import json
import os
import sys

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


root = sys.argv[1]
with contextlib.redirect_stdout(io.StringIO()):
    coco = COCO(os.path.join(root, "coco.json"))
image_ids = coco.getImgIds()
cat_ids = set(coco.getCatIds())
if not image_ids:
    fail("no images")
areas_checked = 0
for img in coco.loadImgs(image_ids):
    if not os.path.isfile(os.path.join(root, img["file_name"])):
        fail(f"missing image {img['file_name']}")
    for ann in coco.loadAnns(coco.getAnnIds(imgIds=img["id"])):
        if ann["image_id"] != img["id"] or ann["category_id"] not in cat_ids:
            fail(f"annotation {ann['id']}: bad image or category id")
        x, y, w, h = ann["bbox"]
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > img["width"] or y + h > img["height"]:
            fail(f"annotation {ann['id']}: box {ann['bbox']} outside {img['width']}x{img['height']}")
        m = coco.annToMask(ann)
        if int(m.sum()) != ann["area"]:
            fail(f"annotation {ann['id']}: area {ann['area']} but mask {int(m.sum())}")
        ys, xs = np.nonzero(m)
        if len(xs) and (xs.min() != x or ys.min() != y or xs.max() != x + w - 1 or ys.max() != y + h - 1):
            fail(f"annotation {ann['id']}: box {ann['bbox']} is not the mask's box")
        if abs(float(mask_utils.area(coco.annToRLE(ann))) - ann["area"]) > 0:
            fail(f"annotation {ann['id']}: RLE area differs")
        areas_checked += 1

# The ground truth scored as detections scores perfectly.
dets = [
    {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
    for a in coco.loadAnns(coco.getAnnIds())
]
ap = None
if dets:
    with contextlib.redirect_stdout(io.StringIO()):
        results = coco.loadRes(dets)
    ev = COCOeval(coco, results, "bbox")
    ev.params.maxDets = [1, 10, 100000]
    with contextlib.redirect_stdout(io.StringIO()):
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    ap = float(ev.stats[1])

# Density maps sum to the visible heads; depth maps have the image's shape.
density_ok = 0
for img in coco.loadImgs(image_ids):
    stem = os.path.splitext(img["file_name"])[0].replace("images/", "", 1)
    points = json.load(open(os.path.join(root, "points", stem + ".json")))
    dpath = os.path.join(root, "density", stem + ".npy")
    if os.path.exists(dpath):
        d = np.load(dpath)
        if d.shape != (img["height"], img["width"]) or d.dtype != np.float32:
            fail(f"{dpath}: shape {d.shape} {d.dtype}")
        if abs(float(d.sum()) - points["count"]) > 1e-3 * max(1, points["count"]):
            fail(f"{dpath}: sums to {d.sum()}, {points['count']} heads")
        density_ok += 1
    zpath = os.path.join(root, "depth", stem + ".npy")
    if os.path.exists(zpath):
        z = np.load(zpath)
        if z.shape != (img["height"], img["width"]):
            fail(f"{zpath}: shape {z.shape}")

print(json.dumps({
    "ok": True,
    "images": len(image_ids),
    "annotations": areas_checked,
    "ap50_of_ground_truth": ap,
    "density_maps": density_ok,
}))
