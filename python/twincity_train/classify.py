"""`python -m twincity_train --task classify`: trains a small image classifier on the crops
that `twincity render --crops vehicles` (or `twincity dataset crops`) writes, from scratch
(no pretrained weights: nothing is downloaded), and exports it to ONNX.

Normally run by `twincity train --task classify`, which writes the model card from
`result.json`. The network's input is the crop letterboxed (aspect kept, centred, grey 114
around it) into a square of `--input-size` pixels, RGB, values 0..255, as the card's
`Letterbox` resize gives it in the product; the network normalises by itself."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import shlex
import sys
import time

import numpy as np
import torch
from torch import nn
from torchvision.transforms import v2

from . import report
from .augment import jpeg, motion_blur, read_rgb
from .data import DataError, Sample, split
from .train import Progress, prepare_run, run_and_report

PAD = 114.0
EXPORT_TOLERANCE = 1e-3
CSV_NAME = "crops.csv"


def parse(argv=None):
    p = argparse.ArgumentParser(prog="twincity train --task classify", description=__doc__)
    p.add_argument("--dataset", action="append", required=True, metavar="DIR",
                   help="a crops folder (holding crops.csv), or a dataset holding crops/")
    p.add_argument("--out", required=True)
    p.add_argument("--classes", default=None, help="comma-separated labels to learn")
    p.add_argument("--val-camera", default=None)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--input-size", type=int, default=96)
    p.add_argument("--arch", default="cnn", choices=["cnn", "mobilenet_v3_small"])
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0: no limit)")
    p.add_argument("--augment", type=float, default=1.0, help="augmentation strength, 0: none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--resume", action="store_true")
    p.add_argument("--progress", default="bar", choices=["bar", "json", "none"])
    p.add_argument("--command", default=None, help="the command line to record")
    return p.parse_args(argv)


# --- data --------------------------------------------------------------------------------

def crops_csv(d: str) -> str:
    """The crops.csv of `d`: `d/crops.csv`, or `d/crops/crops.csv` for a dataset folder."""
    for path in (os.path.join(d, CSV_NAME), os.path.join(d, "crops", CSV_NAME)):
        if os.path.isfile(path):
            return path
    if not os.path.isdir(d):
        raise DataError(f"{d}: not a folder; give the crops folder of a dataset (DIR/crops)")
    raise DataError(f"{d}: no {CSV_NAME} there nor in {os.path.join(d, 'crops')}; cut the "
                    "crops with `twincity dataset crops DATASET --class vehicle` (or render "
                    "with --crops vehicles)")


def _plain(rel: str) -> bool:
    """A relative path of plain names inside the folder (no `..`, no root, no backslash)."""
    parts = rel.split("/")
    return bool(rel) and "\\" not in rel and not os.path.isabs(rel) and \
        all(p not in ("", ".", "..") for p in parts)


def load_crops(d: str) -> list[Sample]:
    """The crops listed in a crops.csv, as samples (`extra["label"]` is the crop's label;
    `camera` its camera folder, `frame` its frame)."""
    path = crops_csv(d)
    base = os.path.dirname(os.path.abspath(path))
    samples = []
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{path}: cannot be read as a crops list ({e})") from None
    for n, row in enumerate(rows, start=2):
        try:
            rel, label = row["file"], row["label"]
            frame = int(row["frame"])
        except (KeyError, TypeError, ValueError):
            raise DataError(f"{path}: line {n} has no `file`, `label` and whole `frame`; "
                            "it is not a crops.csv written by TwinCity Studio") from None
        if not _plain(rel):
            raise DataError(f"{path}: line {n}: `file` {rel!r} is not a path inside the "
                            "crops folder (relative, without `..`)")
        samples.append(Sample(
            image=os.path.join(base, rel), boxes=np.zeros((0, 4), np.float32),
            labels=np.zeros(0, np.int64), ignore=np.zeros(0, bool),
            camera=row.get("camera", ""), frame=frame, source=path,
            extra={"label": label, "camera_name": row.get("camera_name", ""),
                   "camera_id": row.get("camera_id", ""), "time_s": row.get("time_s", "")}))
    return samples


def letterbox(img: torch.Tensor, size: int) -> torch.Tensor:
    """Float [3, H, W] into [3, size, size]: scaled to fit (aspect kept), centred, grey 114
    around it, as the product's `Letterbox` resize does."""
    h, w = img.shape[-2:]
    k = min(size / w, size / h)
    nw = min(size, max(1, math.floor(w * k + 0.5)))
    nh = min(size, max(1, math.floor(h * k + 0.5)))
    if (nh, nw) != (h, w):
        img = torch.nn.functional.interpolate(img[None], size=(nh, nw), mode="bilinear",
                                              align_corners=False, antialias=True)[0]
    out = torch.full((3, size, size), PAD)
    ox, oy = (size - nw) // 2, (size - nh) // 2
    out[:, oy:oy + nh, ox:ox + nw] = img
    return out


class CropAugment:
    """Random augmentation of one crop: the box's place and size jittered (a sub-rectangle),
    horizontal flip, a lower resolution now and then (distant or low-resolution cameras),
    colour jitter, and the twin's sensor effects as the detection path draws them (motion
    blur up to 3 px, Gaussian noise up to sigma 6 levels, JPEG at quality 35-90)."""

    def __init__(self, strength: float = 1.0):
        self.s = strength
        self.colour = v2.ColorJitter(brightness=0.3 * strength, contrast=0.3 * strength,
                                     saturation=0.4 * strength, hue=0.03 * strength)

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        """`img` uint8 [3, H, W] RGB; returns float [3, H', W'] 0..255."""
        h, w = img.shape[-2:]
        keep = 1.0 - 0.2 * self.s
        cw = max(1, round(w * random.uniform(keep, 1.0)))
        ch = max(1, round(h * random.uniform(keep, 1.0)))
        x0, y0 = random.randint(0, w - cw), random.randint(0, h - ch)
        img = img[:, y0:y0 + ch, x0:x0 + cw]
        if random.random() < 0.5:
            img = img.flip(-1)
        img = self.colour(img).float()
        if random.random() < 0.3 * min(1.0, self.s):
            f = random.uniform(0.4, 1.0)
            small = (max(1, round(ch * f)), max(1, round(cw * f)))
            img = torch.nn.functional.interpolate(img[None], size=small, mode="bilinear",
                                                  align_corners=False, antialias=True)
            img = torch.nn.functional.interpolate(img, size=(ch, cw), mode="bilinear",
                                                  align_corners=False)[0]
        if random.random() < 0.5:
            img = motion_blur(img, random.uniform(0.0, 3.0 * self.s), random.uniform(0.0, math.pi))
        if random.random() < 0.5:
            img = img + torch.randn_like(img) * random.uniform(0.0, 6.0 * self.s)
        if random.random() < 0.5:
            img = jpeg(img, random.randint(35, 90))
        return img.clamp(0, 255)


class CropSet(torch.utils.data.Dataset):
    """Samples as (input [3, S, S] RGB 0..255, class index)."""

    def __init__(self, samples: list[Sample], index: dict[str, int], size: int,
                 augment: CropAugment | None, seed: int):
        self.samples, self.index, self.size = samples, index, size
        self.augment, self.seed, self.epoch = augment, seed, 0

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        s = self.samples[i]
        img = torch.from_numpy(np.asarray(read_rgb(s.image)).copy()).permute(2, 0, 1)
        if self.augment is not None:
            random.seed(hash((self.seed, self.epoch, i)) & 0xFFFFFFFF)
            torch.manual_seed(hash((self.seed, self.epoch, i, 1)) & 0xFFFFFFFF)
            x = self.augment(img.contiguous())
        else:
            x = img.float()
        return letterbox(x, self.size), self.index[s.extra["label"]]


# --- model -------------------------------------------------------------------------------

class Normalise(nn.Module):
    """0..255 RGB to roughly zero mean and unit spread, inside the network (the card then
    feeds raw pixel values)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x / 255.0 - 0.5) / 0.25


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.MaxPool2d(2))


def build_model(arch: str, classes: int) -> nn.Module:
    """`cnn`: a stride-2 convolution, then four stages of two 3 × 3 convolutions and a
    max-pool (16 → 256 channels, a 96 px crop down to 3 × 3), global average pooling,
    dropout, one linear layer: about 1.2 M weights, trained from scratch in a couple of
    minutes on two CPU cores. `mobilenet_v3_small`: torchvision's, untrained (weights=None)."""
    if arch == "mobilenet_v3_small":
        from torchvision.models import mobilenet_v3_small
        return nn.Sequential(Normalise(), mobilenet_v3_small(weights=None, num_classes=classes))
    return nn.Sequential(
        Normalise(),
        nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16),
        nn.ReLU(inplace=True),
        _block(16, 32), _block(32, 64), _block(64, 128), _block(128, 256),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(256, classes))


def export_onnx(model: nn.Module, path: str, size: int) -> None:
    """`images` [1, 3, size, size] RGB 0..255 in, `logits` [1, K] out."""
    import onnx
    model = model.cpu().eval()
    torch.onnx.export(model, (torch.zeros(1, 3, size, size),), path, input_names=["images"],
                      output_names=["logits"], opset_version=13, dynamo=False)
    onnx.checker.check_model(onnx.load(path))


def export_difference(model: nn.Module, onnx_path: str, x: torch.Tensor) -> float:
    """Largest difference between ONNX Runtime on the exported file and PyTorch on `x`
    ([1, 3, S, S]); over the tolerance, the run fails."""
    import onnxruntime as ort
    with torch.no_grad():
        ref = model.cpu().eval()(x).numpy()
    got = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"]).run(
        None, {"images": x.numpy()})[0]
    diff = float(np.abs(got - ref).max())
    if diff > EXPORT_TOLERANCE:
        raise RuntimeError(f"{onnx_path}: the exported model differs from the trained one by "
                           f"{diff:.2e} (> {EXPORT_TOLERANCE:.0e}); please report this")
    return diff


# --- evaluation --------------------------------------------------------------------------

def predict(model: nn.Module, data: CropSet, device, batch: int = 64) -> list[int]:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(data), batch):
            xs = torch.stack([data[k][0] for k in range(i, min(len(data), i + batch))])
            out += model(xs.to(device)).argmax(1).cpu().tolist()
    return out


def scores(truth: list[int], pred: list[int], classes: list[str]) -> dict:
    """Accuracy, per-class accuracy (the share of each true class predicted right) and the
    confusion matrix (rows: true class, columns: predicted)."""
    k = len(classes)
    confusion = [[0] * k for _ in range(k)]
    for t, p in zip(truth, pred):
        confusion[t][p] += 1
    per_class = {}
    for i, c in enumerate(classes):
        n = sum(confusion[i])
        per_class[c] = {"crops": n, "accuracy": confusion[i][i] / n if n else None}
    right = sum(confusion[i][i] for i in range(k))
    return {"crops": len(truth), "accuracy": right / len(truth) if truth else None,
            "per_class": per_class, "confusion": confusion}


# --- training ----------------------------------------------------------------------------

def _labels(samples: list[Sample], wanted: list[str] | None) -> list[str]:
    found = sorted({s.extra["label"] for s in samples})
    if wanted is None:
        return found
    missing = [c for c in wanted if c not in found]
    if missing:
        raise DataError(f"--classes: no crop is labelled {', '.join(missing)} (the crops have "
                        f"{', '.join(found)})")
    return wanted


def run(a) -> dict:
    t_start = time.time()
    prepare_run(a)
    if not 16 <= a.input_size <= 512:
        raise DataError(f"--input-size {a.input_size}: must be 16 to 512 pixels")
    device = torch.device(a.device)
    os.makedirs(a.out, exist_ok=True)
    samples = [s for d in a.dataset for s in load_crops(d)]
    wanted = [c.strip() for c in a.classes.split(",") if c.strip()] if a.classes else None
    classes = _labels(samples, wanted)
    samples = [s for s in samples if s.extra["label"] in classes]
    if len(classes) < 2:
        raise DataError(f"the crops have {len(classes)} label(s) ({', '.join(classes)}); a "
                        "classifier needs at least two")
    train, val = split(samples, a.val_camera, a.val_fraction, a.seed)
    if not train:
        raise DataError("no crop is left for training")
    index = {c: i for i, c in enumerate(classes)}
    model = build_model(a.arch, len(classes)).to(device)
    data = CropSet(train, index, a.input_size, CropAugment(a.augment) if a.augment > 0 else None,
                   a.seed)
    per_epoch = math.ceil(len(train) / a.batch)
    total = per_epoch * a.epochs
    if a.max_steps:
        total = min(total, a.max_steps)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.05)
    warm = min(50, max(1, total // 10))
    lr_at = lambda s: a.lr * (s + 1) / warm if s < warm else \
        a.lr * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))  # noqa: E731
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    ckpt_path = os.path.join(a.out, "checkpoint.pt")
    step, curve = 0, []
    if a.resume and os.path.exists(ckpt_path):
        state = torch.load(ckpt_path, weights_only=False)
        if state.get("classes") != classes:
            raise DataError(f"{ckpt_path}: trained on labels {state.get('classes')}, the crops "
                            f"now have {classes}; train into another --out")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, curve = state["step"], state["curve"]
    progress = Progress(a.progress)
    progress.start("train", total, a.epochs)
    progress.update(step)
    t_train = time.time()
    while step < total:
        epoch = step // per_epoch
        data.epoch = epoch
        model.train()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(a.seed + epoch))
        batches = [order[i:i + a.batch].tolist() for i in range(0, len(train), a.batch)]
        for bi in range(step % per_epoch, len(batches)):
            if step >= total:
                break
            items = [data[i] for i in batches[bi]]
            x = torch.stack([t[0] for t in items]).to(device)
            y = torch.tensor([t[1] for t in items], device=device)
            if len(items) == 1:  # batch norm needs two samples in training mode
                x, y = torch.cat([x, x.flip(-1)]), torch.cat([y, y])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(x)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            value = float(loss.detach())
            acc = float((logits.argmax(1) == y).float().mean())
            curve.append({"step": step, "epoch": epoch + 1, "loss": value, "batch_accuracy": acc})
            progress.update(step, epoch=epoch + 1, loss=value)
            if step % per_epoch == 0 or step == total:
                tmp = ckpt_path + ".part"
                torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                            "step": step, "curve": curve, "classes": classes}, tmp)
                os.replace(tmp, ckpt_path)
    progress.close()
    train_s = time.time() - t_train

    held = None
    if val:
        progress.start("eval held-out", len(val))
        val_set = CropSet(val, index, a.input_size, None, a.seed)
        held = scores([index[s.extra["label"]] for s in val], predict(model, val_set, device),
                      classes)
        progress.close()
    train_counts = {c: sum(1 for s in train if s.extra["label"] == c) for c in classes}

    onnx_path = os.path.join(a.out, "model.onnx")
    tmp = onnx_path + ".part.onnx"
    export_onnx(model, tmp, a.input_size)
    os.replace(tmp, onnx_path)
    first = CropSet((val or train)[:1], index, a.input_size, None, a.seed)[0][0][None]
    diff = export_difference(model, onnx_path, first)

    rep = {
        "task": "classify",
        "name": os.path.basename(os.path.abspath(a.out)),
        "command": a.command or " ".join(shlex.quote(x) for x in sys.argv),
        "classes": classes,
        "provenance": {"datasets": [os.path.abspath(d) for d in a.dataset], "seed": a.seed,
                       "weights": "trained from scratch (no pretrained weights)"},
        "training": {"train_crops": len(train), "val_crops": len(val),
                     "train_crops_per_class": train_counts,
                     "split": f"cameras {a.val_camera}" if a.val_camera else
                     f"{a.val_fraction:.0%} of frames, seed {a.seed}",
                     "arch": a.arch, "input_size": a.input_size, "epochs": a.epochs,
                     "steps": step, "batch": a.batch, "lr": a.lr, "augment": a.augment,
                     "device": a.device, "seconds": train_s,
                     "total_seconds": time.time() - t_start, "torch": torch.__version__},
        "held_out": held,
        "loss_curve": curve,
        "export": {"model": "model.onnx", "max_abs_diff": diff, "tolerance": EXPORT_TOLERANCE},
    }
    json_path, html_path = report.write_classification(a.out, rep)
    result = {"task": "classify", "onnx": os.path.abspath(onnx_path), "classes": classes,
              "input_size": a.input_size, "report": os.path.abspath(html_path),
              "report_json": os.path.abspath(json_path)}
    with open(os.path.join(a.out, "result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return result


def main(argv=None) -> int:
    return run_and_report(parse(argv), run)
