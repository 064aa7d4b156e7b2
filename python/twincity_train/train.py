"""`python -m twincity_train`: fine-tunes a YOLOX detector on `twincity render` datasets.

Normally run by `twincity train`, which reads the base model card, passes its ONNX file and
class names here, and writes the new card from `result.json`."""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shlex
import sys
import time
import warnings

import numpy as np
import torch

from . import evaluate, report
from .augment import Augment, TrainSet, collate
from .data import DataError, load_coco, load_dataset_dir, split
from .model import (Exported, blend_weights, export_onnx, freeze_first, freeze_stem, grids,
                    load_logits_model)
from .loss import yolox_loss

# Which class of a COCO-trained base model starts each dataset category (docs/training.md).
WARM_START = {
    "person": "person", "person_down": "person", "bag": "handbag", "box": "suitcase",
    "mattress": "bed", "appliance": "refrigerator", "tyre": "sports ball", "car": "car",
    "van": "truck", "truck": "truck", "bicycle": "bicycle",
}
EXPORT_TOLERANCE = 1e-3


def parse(argv=None):
    p = argparse.ArgumentParser(prog="twincity train", description=__doc__)
    p.add_argument("--dataset", action="append", required=True, metavar="DIR")
    p.add_argument("--base-onnx", required=True)
    p.add_argument("--base-classes", required=True, help="JSON list of the base model's classes")
    p.add_argument("--base-name", default="base model")
    p.add_argument("--out", required=True)
    p.add_argument("--classes", default=None, help="comma-separated dataset categories")
    p.add_argument("--val-camera", default=None)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--real-train", action="append", default=[], metavar="COCO_JSON")
    p.add_argument("--real-weight", type=int, default=4)
    p.add_argument("--real-eval", action="append", default=[], metavar="COCO_JSON")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--max-side", type=int, default=640)
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0: no limit)")
    p.add_argument("--min-height", type=float, default=8.0)
    p.add_argument("--min-visibility", type=float, default=0.3)
    p.add_argument("--augment", type=float, default=1.0, help="augmentation strength, 0: none")
    p.add_argument("--freeze", type=float, default=0.0,
                   help="share of the convolutions, from the input on, kept as they are")
    p.add_argument("--blend-base", type=float, default=0.0,
                   help="after training, this share of the starting weights blended back "
                        "in (WiSE-FT), 0: none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--resume", action="store_true")
    p.add_argument("--skip-before", action="store_true", help="do not score the base model")
    p.add_argument("--progress", default="bar", choices=["bar", "json", "none"])
    p.add_argument("--command", default=None, help="the command line to record")
    return p.parse_args(argv)


class Progress:
    def __init__(self, kind: str):
        self.kind = kind
        self.bar = None

    def start(self, phase: str, total: int, epochs: int = 0):
        self.phase, self.total, self.t0, self.epochs = phase, total, time.time(), epochs
        if self.kind == "bar":
            from tqdm import tqdm
            self.close()
            self.bar = tqdm(total=total, desc=phase, unit="step" if phase == "train" else "img",
                            file=sys.stderr, dynamic_ncols=True)

    def update(self, done: int, **info):
        if self.kind == "bar" and self.bar is not None:
            self.bar.update(done - self.bar.n)
            if info:
                self.bar.set_postfix({k: (f"{v:.3f}" if isinstance(v, float) else v)
                                      for k, v in info.items()}, refresh=False)
        elif self.kind == "json":
            rate = (time.time() - self.t0) / max(done, 1)
            line = {"phase": self.phase, "step": done, "steps": self.total,
                    "eta_s": round(rate * (self.total - done), 1), **info}
            if self.epochs:
                line["epochs"] = self.epochs
            print(json.dumps(line), flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def class_rows(classes: list[str], base_classes: list[str]) -> tuple[list[int], dict]:
    rows, used = [], {}
    for c in classes:
        src = c if c in base_classes else WARM_START.get(c, base_classes[0])
        if src not in base_classes:
            src = base_classes[0]
        rows.append(base_classes.index(src))
        used[c] = src
    return rows, used


def prepare_run(a) -> None:
    """Seeds every random source with --seed, uses every core, and refuses --device cuda
    where PyTorch sees no GPU (both tasks start so)."""
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if a.device == "cuda" and not torch.cuda.is_available():
        raise DataError("--device cuda: PyTorch sees no CUDA GPU here; use --device cpu")


def run(a) -> dict:
    t_start = time.time()
    prepare_run(a)
    device = torch.device(a.device)
    os.makedirs(a.out, exist_ok=True)
    kw = dict(min_height=a.min_height, min_visibility=a.min_visibility)
    wanted = [c.strip() for c in a.classes.split(",")] if a.classes else None
    samples, classes = [], wanted
    for d in a.dataset:
        got, found = load_dataset_dir(d, wanted, **kw)
        samples += got
        if classes is None:
            classes = found
        elif wanted is None:
            classes = sorted(set(classes) | set(found), key=list(WARM_START).index
                             if set(classes) | set(found) <= set(WARM_START) else str)
    if not samples:
        raise DataError("the datasets hold no images")
    if not classes:
        raise DataError("the datasets hold no annotated objects to learn from")
    # Reload with the final class list, so every dataset uses the same indices.
    samples = [s for d in a.dataset for s in load_dataset_dir(d, classes, **kw)[0]]
    train, val = split(samples, a.val_camera, a.val_fraction, a.seed)
    real_train = [s for f in a.real_train for s in load_coco(f, None, classes, real=True, **kw)[0]]
    real_eval = {f: load_coco(f, None, classes, real=True, **kw)[0] for f in a.real_eval}
    base_classes = json.loads(a.base_classes)
    rows, class_map = class_rows(classes, base_classes)
    model = load_logits_model(a.base_onnx, rows).to(device)
    start = {k: v.detach().clone() for k, v in model.state_dict().items()}
    scale_of = lambda hw: min(1.0, a.max_side / max(hw))  # noqa: E731
    progress = Progress(a.progress)

    def score(samples_, name):
        progress.start(f"eval {name}", len(samples_))
        res = evaluate.predict(model, samples_, scale_of, device,
                               on_image=lambda i: progress.update(i + 1))
        progress.close()
        return evaluate.ap50(samples_, classes, res)

    ckpt_path = os.path.join(a.out, "checkpoint.pt")
    state = torch.load(ckpt_path, weights_only=False) if a.resume and os.path.exists(ckpt_path) else None
    before = {}
    if state is not None:
        before = state["before"]
    elif not a.skip_before:
        if val:
            before["twin"] = score(val, "held-out (base)")
        for f, s in real_eval.items():
            before[f] = score(s, "real (base)")

    pool = train + real_train * max(1, a.real_weight)
    data = TrainSet(pool, a.max_side, Augment(a.augment) if a.augment > 0 else None, a.seed)
    per_epoch = math.ceil(len(pool) / a.batch)
    total = per_epoch * a.epochs
    if a.max_steps:
        total = min(total, a.max_steps)
    freeze_stem(model)
    frozen = freeze_first(model, a.freeze)
    # AdamW, not YOLOX's SGD: with the batch norms folded into the convolutions, gradient
    # scales differ by orders of magnitude between layers, and SGD steps small enough for one
    # layer do nothing to the others (docs/training.md).
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.lr,
                            weight_decay=1e-4)
    warm = min(100, max(5, total // 5))
    lr_at = lambda s: a.lr * (s + 1) / warm if s < warm else \
        a.lr * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm)))  # noqa: E731
    step, curve, trained_s = 0, [], 0.0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, curve = state["step"], state["curve"]
        trained_s = state.get("seconds", 0.0)
    progress.start("train", total, a.epochs)
    progress.update(step)
    model.train()
    t_train = time.time()
    while step < total:
        epoch = step // per_epoch
        data.epoch = epoch
        order = torch.randperm(len(pool), generator=torch.Generator().manual_seed(a.seed + epoch))
        batches = [order[i:i + a.batch].tolist() for i in range(0, len(pool), a.batch)]
        for bi in range(step % per_epoch, len(batches)):
            if step >= total:
                break
            x, boxes, labels, ignore = collate([data[i] for i in batches[bi]])
            x = x.to(device)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            out = model(x)
            cells, strides = grids(x.shape[2], x.shape[3], device)
            loss, parts = yolox_loss(out, cells, strides, boxes, labels, ignore, len(classes))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            step += 1
            value = float(loss.detach())
            curve.append({"step": step, "epoch": epoch + 1, "loss": value, **parts})
            progress.update(step, epoch=epoch + 1, loss=value)
            if step % per_epoch == 0 or step == total or step % 50 == 0:
                tmp = ckpt_path + ".part"
                torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                            "step": step, "curve": curve, "before": before,
                            "seconds": trained_s + time.time() - t_train}, tmp)
                os.replace(tmp, ckpt_path)
    progress.close()
    # Every session of a resumed training counted, not only the last.
    train_s = trained_s + time.time() - t_train

    fine_tuned = {}
    if a.blend_base > 0:
        if val:
            fine_tuned["twin"] = score(val, "held-out (fine-tuned)")
        for f, s in real_eval.items():
            fine_tuned[f] = score(s, "real (fine-tuned)")
        blend_weights(model, start, a.blend_base)
    after = {}
    if val:
        after["twin"] = score(val, "held-out (trained)")
    for f, s in real_eval.items():
        after[f] = score(s, "real (trained)")

    onnx_path = os.path.join(a.out, "model.onnx")
    tmp = onnx_path + ".part.onnx"
    export_onnx(model.cpu(), tmp)
    os.replace(tmp, onnx_path)
    diff = export_difference(model, onnx_path, (val or train)[0], scale_of)

    evaluations = {"twin": [], "real": []}
    if val and "twin" in after:
        evaluations["twin"].append({"name": "held-out split", "images": len(val),
                                    "before": before.get("twin", after["twin"] and
                                                         _unscored(after["twin"])),
                                    "after": after["twin"],
                                    "fine_tuned": fine_tuned.get("twin")})
    for f, s in real_eval.items():
        evaluations["real"].append({"name": f, "images": len(s),
                                    "before": before.get(f, _unscored(after[f])),
                                    "after": after[f], "fine_tuned": fine_tuned.get(f)})
    rep = {
        "name": os.path.basename(os.path.abspath(a.out)),
        "command": a.command or " ".join(shlex.quote(x) for x in sys.argv),
        "classes": classes,
        "class_map": class_map,
        "provenance": {"base_model": a.base_name, "base_onnx": a.base_onnx,
                       "datasets": [os.path.abspath(d) for d in a.dataset],
                       "real_train": a.real_train, "seed": a.seed},
        "training": {"train_images": len(train), "real_train_images": len(real_train),
                     "real_weight": a.real_weight, "val_images": len(val),
                     "split": f"cameras {a.val_camera}" if a.val_camera else
                     f"{a.val_fraction:.0%} of frames, seed {a.seed}",
                     "epochs": a.epochs, "steps": step, "batch": a.batch, "lr": a.lr,
                     "max_side": a.max_side, "augment": a.augment, "device": a.device,
                     "frozen_convolutions": frozen, "blend_base": a.blend_base,
                     "min_height": a.min_height, "min_visibility": a.min_visibility,
                     "seconds": train_s, "total_seconds": time.time() - t_start,
                     "torch": torch.__version__},
        "evaluations": evaluations,
        "loss_curve": curve,
        "export": {"model": "model.onnx", "max_abs_diff": diff, "tolerance": EXPORT_TOLERANCE},
    }
    json_path, html_path = report.write(a.out, rep)
    result = {"onnx": os.path.abspath(onnx_path), "classes": classes,
              "report": os.path.abspath(html_path), "report_json": os.path.abspath(json_path)}
    with open(os.path.join(a.out, "result.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return result


def _unscored(after: dict) -> dict:
    return {"per_class": {k: None for k in after["per_class"]}, "mean": None,
            "ground_truth": after["ground_truth"]}


def export_difference(model, onnx_path, sample, scale_of) -> float:
    """Largest difference between ONNX Runtime on the exported file and PyTorch, on one image."""
    import onnxruntime as ort
    from .augment import read_rgb, to_input
    img = torch.from_numpy(np.asarray(read_rgb(sample.image)).copy()).permute(2, 0, 1).float()
    x, *_ = collate([(to_input(img, scale_of(img.shape[-2:])), None, None, None)])
    with torch.no_grad():
        ref = Exported(model.cpu())(x).numpy()
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    got = sess.run(None, {"images": x.numpy()})[0]
    diff = float(np.abs(got - ref).max())
    if diff > EXPORT_TOLERANCE:
        raise RuntimeError(f"{onnx_path}: the exported model differs from the trained one by "
                           f"{diff:.2e} (> {EXPORT_TOLERANCE:.0e}); please report this")
    return diff


def run_and_report(a, run_task) -> int:
    """Runs a training task on parsed arguments `a`; says where its model and report are (a
    JSON line with --progress json), or why its data was refused (exit status 2)."""
    try:
        result = run_task(a)
    except DataError as e:
        print(f"twincity train: {e}", file=sys.stderr)
        return 2
    if a.progress == "json":
        print(json.dumps({"done": True, **result}), flush=True)
    else:
        print(f"model: {result['onnx']}\nreport: {result['report']}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    a = parse(argv)
    # onnx2torch's Slice indexes with a list, which PyTorch warns about at every call.
    warnings.filterwarnings("ignore", message="Using a non-tuple sequence", category=UserWarning)
    return run_and_report(a, run)
