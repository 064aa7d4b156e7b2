"""Unit tests of the training package (run by tests/train_cli.rs with the project's Python)."""

import json
import os
import tempfile
import unittest

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

from twincity_train.augment import Augment, collate, motion_blur
from twincity_train.data import DataError, load_coco, split
from twincity_train.loss import yolox_loss
from twincity_train.model import (Exported, blend_weights, export_onnx, freeze_stem, grids,
                                  load_logits_model)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.path.join(ROOT, "assets", "models", "yolox_nano.onnx")


def person_scene(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A 3×128×192 image with two dark upright figures on a grey street, and their boxes."""
    g = torch.Generator().manual_seed(seed)
    img = torch.full((3, 128, 192), 150.0) + torch.randn(3, 128, 192, generator=g) * 5
    boxes = torch.tensor([[30.0, 30.0, 16.0, 48.0], [120.0, 50.0, 18.0, 54.0]])
    for x, y, w, h in boxes.tolist():
        img[:, int(y):int(y + h), int(x):int(x + w)] = 40.0
        img[:, int(y):int(y + h / 6), int(x + w / 4):int(x + 3 * w / 4)] = 190.0  # a head
    return img, boxes


class ModelTest(unittest.TestCase):
    def test_logits_model_matches_the_base_model(self):
        """Cut to `person` and without its sigmoids, the model still computes the base one."""
        x = torch.from_numpy(np.random.RandomState(0).uniform(0, 255, (1, 3, 64, 96))
                             .astype(np.float32))
        base = ort.InferenceSession(BASE).run(None, {"images": x.numpy()})[0]
        ours = Exported(load_logits_model(BASE, [0]))(x).detach().numpy()
        self.assertEqual(ours.shape, (1, base.shape[1], 6))
        np.testing.assert_allclose(ours[..., :6], base[..., :6], atol=1e-4)

    def test_export_gives_the_training_frameworks_outputs(self):
        """The ONNX file agrees with PyTorch to 1e-3 (ONNX Runtime, another image size)."""
        model = load_logits_model(BASE, [0, 0])
        with torch.no_grad():  # move the weights away from the base model's
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 1e-3)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export_onnx(model, path)
            x = torch.from_numpy(np.random.RandomState(1).uniform(0, 255, (1, 3, 96, 160))
                                 .astype(np.float32))
            got = ort.InferenceSession(path).run(None, {"images": x.numpy()})[0]
            ref = Exported(model)(x).detach().numpy()
        self.assertEqual(got.shape, ref.shape)
        self.assertLess(float(np.abs(got - ref).max()), 1e-3)


    def test_blending_moves_every_weight_part_of_the_way_back_to_the_start(self):
        """WiSE-FT: a share of 0.25 leaves each weight a quarter of the way from its fine-tuned
        value back to its starting one; the outputs follow, between the two models'."""
        model = load_logits_model(BASE, [0])
        start = {k: v.detach().clone() for k, v in model.state_dict().items()}
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 1e-2)
        tuned = {k: v.detach().clone() for k, v in model.state_dict().items()}
        x = torch.from_numpy(np.random.RandomState(2).uniform(0, 255, (1, 3, 64, 96))
                             .astype(np.float32))
        with torch.no_grad():
            out_tuned = model(x)
        blend_weights(model, start, 0.25)
        moved = 0
        for name, value in model.state_dict().items():
            if value.is_floating_point():
                expected = 0.75 * tuned[name] + 0.25 * start[name]
                torch.testing.assert_close(value, expected, rtol=1e-5, atol=1e-6)
                moved += int(not torch.equal(tuned[name], start[name]))
        self.assertGreater(moved, 10)
        blend_weights(model, start, 1.0)
        with torch.no_grad():
            back = model(x)
            model.load_state_dict(start)
            out_start = model(x)
        torch.testing.assert_close(back, out_start, rtol=1e-4, atol=1e-3)
        self.assertGreater(float((out_tuned - out_start).abs().max()), 1e-2)
        with self.assertRaises(ValueError):
            blend_weights(model, start, 1.5)


class TrainingTest(unittest.TestCase):
    def test_a_few_steps_lower_the_loss(self):
        torch.manual_seed(0)
        model = load_logits_model(BASE, [0])
        freeze_stem(model)
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        scenes = [person_scene(s) for s in range(2)]
        x, boxes, labels, ignore = collate([(img.flip(0), b, torch.zeros(2, dtype=torch.long),
                                             torch.zeros(2, dtype=torch.bool))
                                            for img, b in scenes])
        cells, strides = grids(x.shape[2], x.shape[3])

        def loss():
            return yolox_loss(model(x), cells, strides, boxes, labels, ignore, 1)

        with torch.no_grad():
            first, parts = loss()
        self.assertGreater(parts["foreground"], 0)
        for _ in range(6):
            total, _ = loss()
            opt.zero_grad()
            total.backward()
            opt.step()
        with torch.no_grad():
            last, _ = loss()
        self.assertLess(float(last), 0.9 * float(first))

    def test_ignored_boxes_take_no_objectness_loss(self):
        model = load_logits_model(BASE, [0])
        img, b = person_scene(3)
        x, *_ = collate([(img.flip(0), None, None, None)])
        cells, strides = grids(x.shape[2], x.shape[3])
        out = model(x).detach()
        lab = [torch.zeros(2, dtype=torch.long)]
        _, counted = yolox_loss(out, cells, strides, [b], lab, [torch.tensor([False, False])], 1)
        _, ignored = yolox_loss(out, cells, strides, [b], lab, [torch.tensor([True, True])], 1)
        self.assertGreater(counted["foreground"], 0)
        self.assertEqual(ignored["foreground"], 0)

    def test_augmentation_keeps_boxes_on_their_figures(self):
        img, boxes = person_scene(4)
        torch.manual_seed(5)
        out, moved = Augment(1.0)(img.round().byte(), boxes)
        self.assertEqual(out.shape[0], 3)
        for x, y, w, h in moved.tolist():
            if w < 4 or h < 4:
                continue
            cx, cy = int(x + w / 2), int(y + h * 0.6)
            # The body is dark whatever the colour jitter does to the grey street.
            self.assertLess(float(out[:, cy, cx].mean()), float(out.mean()))

    def test_motion_blur_spreads_a_point_along_its_direction(self):
        img = torch.zeros(3, 21, 21)
        img[:, 10, 10] = 255.0
        out = motion_blur(img, 6.0, 0.0)  # horizontal
        self.assertAlmostEqual(float(out.sum()), float(img.sum()), delta=1e-2)
        self.assertGreater(float(out[0, 10, 13]), 0.0)
        self.assertEqual(float(out[0, 13, 10]), 0.0)


class DataTest(unittest.TestCase):
    def write_coco(self, d, coco):
        path = os.path.join(d, "instances.json")
        with open(path, "w") as f:
            json.dump(coco, f)
        return path

    def test_real_coco_file_reads_with_ignore_rules(self):
        with tempfile.TemporaryDirectory() as d:
            Image.new("RGB", (64, 48)).save(os.path.join(d, "a.jpg"))
            path = self.write_coco(d, {
                "images": [{"id": 7, "file_name": "a.jpg", "width": 64, "height": 48}],
                "annotations": [
                    {"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 2, 10, 30]},
                    {"id": 2, "image_id": 7, "category_id": 1, "bbox": [1, 2, 3, 4]},
                    {"id": 3, "image_id": 7, "category_id": 3, "bbox": [5, 5, 10, 10]},
                ],
                "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}]})
            samples, classes = load_coco(path, None, ["person"], real=True, min_height=8,
                                         min_visibility=0.3)
        self.assertEqual(classes, ["person"])
        self.assertEqual(len(samples), 1)
        self.assertEqual(samples[0].boxes.tolist(), [[1, 2, 10, 30], [1, 2, 3, 4]])
        self.assertEqual(samples[0].ignore.tolist(), [False, True])

    def test_a_broken_file_names_itself(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "instances.json")
            with open(path, "w") as f:
                f.write("{not json")
            with self.assertRaises(DataError) as e:
                load_coco(path, None, None, real=True, min_height=0, min_visibility=0)
        self.assertIn(path, str(e.exception))

    def test_split_by_frame_keeps_a_moments_cameras_together(self):
        from twincity_train.data import Sample
        mk = lambda cam, frame: Sample("x", np.zeros((0, 4)), np.zeros(0), np.zeros(0, bool),
                                       cam, frame, "ds")  # noqa: E731
        samples = [mk(c, f) for f in range(10) for c in ("cam1-a", "cam2-b")]
        train, val = split(samples, None, 0.3, seed=1)
        self.assertEqual(len(val), 6)
        self.assertFalse({s.frame for s in train} & {s.frame for s in val})
        self.assertEqual(split(samples, None, 0.3, seed=1)[1], val)  # seeded
        train, val = split(samples, "cam2-b", 0.0, seed=1)
        self.assertEqual({s.camera for s in val}, {"cam2-b"})
        with self.assertRaises(DataError):
            split(samples, "cam9", 0.0, seed=1)


if __name__ == "__main__":
    unittest.main()
