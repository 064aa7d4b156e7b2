"""Unit tests of the classifier training (`--task classify`) on synthetic crops; run by
tests/train_cli.rs with the project's Python."""

import csv
import json
import os
import tempfile
import unittest

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

from twincity_train.classify import (CropAugment, CropSet, build_model, export_difference,
                                     export_onnx, letterbox, load_crops, main, scores)
from twincity_train.data import DataError, split

COLUMNS = ["file", "label", "category", "camera", "camera_name", "camera_id", "frame",
           "time_s", "instance", "plate", "make", "model", "body", "cloned_plate",
           "x", "y", "w", "h", "crop_x", "crop_y", "crop_w", "crop_h"]
LOOKS = {"saloon": (200, 40, 40), "van": (40, 60, 210), "taxi": (230, 210, 40)}


def vehicle_crop(label: str, seed: int) -> Image.Image:
    """A 48 × 32 (van: 40 × 40) crop: a coloured body on grey, two dark wheels, some noise."""
    rng = np.random.RandomState(seed)
    w, h = (40, 40) if label == "van" else (48, 32)
    img = np.full((h, w, 3), 120.0) + rng.normal(0, 8, (h, w, 3))
    img[h // 5:h - 6, 3:w - 3] = LOOKS[label]
    for cx in (10, w - 10):
        img[h - 8:h - 2, cx - 3:cx + 3] = 20
    return Image.fromarray(img.clip(0, 255).astype(np.uint8))


def write_crops(d: str, per_label: int = 6, cameras=("cam1-a", "cam2-b", "cam3-c")) -> None:
    """A crops folder as `twincity dataset crops` writes it."""
    rows = []
    for label in LOOKS:
        os.makedirs(os.path.join(d, label), exist_ok=True)
        for k in range(per_label):
            cam = cameras[k % len(cameras)]
            f = f"{label}/{cam}_{k:06d}_1.png"
            vehicle_crop(label, 100 * len(label) + k).save(os.path.join(d, f))
            rows.append({"file": f, "label": label, "category": "car", "camera": cam,
                         "camera_name": cam.split("-")[1], "camera_id": cam[3],
                         "frame": k, "time_s": k * 0.5, "instance": 1, "plate": "AB-123-CD",
                         "make": "", "model": "", "body": label, "cloned_plate": "false",
                         "x": 0, "y": 0, "w": 40, "h": 30, "crop_x": 0, "crop_y": 0,
                         "crop_w": 48, "crop_h": 32})
    with open(os.path.join(d, "crops.csv"), "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, COLUMNS)
        wr.writeheader()
        wr.writerows(rows)


class CropDataTest(unittest.TestCase):
    def test_crops_csv_reads_and_the_held_out_camera_is_not_trained_on(self):
        with tempfile.TemporaryDirectory() as d:
            write_crops(os.path.join(d, "crops"))
            # A dataset folder (holding crops/) or the crops folder itself.
            samples = load_crops(d)
            self.assertEqual(len(samples), load_crops(os.path.join(d, "crops")).__len__())
            self.assertEqual(len(samples), 18)
            self.assertEqual({s.extra["label"] for s in samples}, set(LOOKS))
            self.assertTrue(all(os.path.isfile(s.image) for s in samples))
            for held in ("cam2-b", "2", "b"):  # folder, id, name
                train, val = split(samples, held, 0.0, seed=0)
                self.assertEqual({s.camera for s in val}, {"cam2-b"}, held)
                self.assertNotIn("cam2-b", {s.camera for s in train}, held)
                self.assertEqual(len(train) + len(val), 18)
            train, val = split(samples, None, 0.3, seed=4)
            self.assertFalse({s.frame for s in train} & {s.frame for s in val})

    def test_a_missing_or_hostile_list_names_itself(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(DataError) as e:
                load_crops(d)
            self.assertIn("twincity dataset crops", str(e.exception))
            with open(os.path.join(d, "crops.csv"), "w") as f:
                f.write("file,label,frame\n../../etc/passwd,x,1\n")
            with self.assertRaises(DataError) as e:
                load_crops(d)
            self.assertIn("inside the crops folder", str(e.exception))

    def test_letterbox_keeps_the_aspect_and_pads_grey(self):
        img = torch.full((3, 20, 40), 10.0)
        out = letterbox(img, 16)
        self.assertEqual(tuple(out.shape), (3, 16, 16))
        self.assertEqual(float(out[0, 0, 0]), 114.0)  # padding above
        self.assertAlmostEqual(float(out[0, 8, 8]), 10.0, places=4)
        self.assertEqual(float(out[0, 15, 8]), 114.0)  # and below: 16 × 8 in the middle rows

    def test_augmentation_gives_a_valid_image(self):
        torch.manual_seed(0)
        img = torch.from_numpy(np.asarray(vehicle_crop("van", 1)).copy()).permute(2, 0, 1)
        out = CropAugment(1.0)(img.contiguous())
        self.assertEqual(out.shape[0], 3)
        self.assertGreaterEqual(out.shape[1], 32)
        self.assertTrue(float(out.min()) >= 0 and float(out.max()) <= 255)

    def test_scores_count_per_class_and_confusion(self):
        s = scores([0, 0, 1, 2], [0, 1, 1, 1], ["a", "b", "c"])
        self.assertEqual(s["accuracy"], 0.5)
        self.assertEqual(s["per_class"]["a"], {"crops": 2, "accuracy": 0.5})
        self.assertEqual(s["per_class"]["c"]["accuracy"], 0.0)
        self.assertEqual(s["confusion"], [[1, 1, 0], [0, 1, 0], [0, 1, 0]])


class ClassifierTest(unittest.TestCase):
    def test_a_few_steps_lower_the_loss(self):
        torch.manual_seed(0)
        with tempfile.TemporaryDirectory() as d:
            write_crops(d, per_label=4)
            samples = load_crops(d)
            index = {c: i for i, c in enumerate(sorted(LOOKS))}
            data = CropSet(samples, index, 48, None, 0)
            x = torch.stack([data[i][0] for i in range(len(data))])
            y = torch.tensor([data[i][1] for i in range(len(data))])
        model = build_model("cnn", len(index))
        opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        model.train()
        first = float(loss_fn(model(x), y))
        for _ in range(15):
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            last = float(loss_fn(model(x), y))
        self.assertLess(last, 0.7 * first)

    def test_export_gives_the_training_frameworks_outputs(self):
        for arch in ("cnn", "mobilenet_v3_small"):
            torch.manual_seed(1)
            model = build_model(arch, 3).eval()
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "m.onnx")
                export_onnx(model, path, 64)
                x = torch.from_numpy(np.random.RandomState(2).uniform(0, 255, (1, 3, 64, 64))
                                     .astype(np.float32))
                sess = ort.InferenceSession(path)
                self.assertEqual(sess.get_inputs()[0].name, "images")
                self.assertEqual(sess.get_inputs()[0].shape, [1, 3, 64, 64])
                got = sess.run(["logits"], {"images": x.numpy()})[0]
                with torch.no_grad():
                    ref = model(x).numpy()
                self.assertEqual(got.shape, (1, 3))
                self.assertLess(float(np.abs(got - ref).max()), 1e-3, arch)
                self.assertLess(export_difference(model, path, x), 1e-3)

    def test_a_short_run_writes_model_report_and_result(self):
        with tempfile.TemporaryDirectory() as d:
            crops = os.path.join(d, "crops")
            write_crops(crops)
            out = os.path.join(d, "model")
            code = main(["--dataset", crops, "--out", out, "--val-camera", "3",
                         "--epochs", "2", "--batch", "8", "--input-size", "48",
                         "--progress", "none", "--command", "twincity train --task classify"])
            self.assertEqual(code, 0)
            with open(os.path.join(out, "result.json")) as f:
                result = json.load(f)
            self.assertEqual(result["classes"], sorted(LOOKS))
            self.assertEqual(result["input_size"], 48)
            with open(os.path.join(out, "report.json")) as f:
                rep = json.load(f)
            self.assertEqual(rep["training"]["val_crops"], 6)  # camera 3: every third crop
            self.assertEqual(rep["held_out"]["crops"], 6)
            self.assertEqual(len(rep["held_out"]["confusion"]), 3)
            self.assertLessEqual(rep["export"]["max_abs_diff"], 1e-3)
            self.assertEqual(rep["command"], "twincity train --task classify")
            with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
                page = f.read()
            self.assertIn("Confusion matrix", page)
            self.assertTrue(os.path.isfile(os.path.join(out, "model.onnx")))
            # One label only is refused with exit code 2.
            self.assertEqual(main(["--dataset", crops, "--out", os.path.join(d, "m2"),
                                   "--classes", "van", "--progress", "none"]), 2)


if __name__ == "__main__":
    unittest.main()
