"""The detector being trained: a YOLOX model read from the base card's ONNX file.

The ONNX graph is the source of the architecture and the weights: it is edited (the head's
sigmoids removed, so the network gives logits; the class convolutions cut down to the
training classes; the final reshapes made batch-independent) and converted to a PyTorch
module with onnx2torch. Exporting wraps it back into the card's contract: `images`
[1, 3, H, W] BGR 0..255 in, `output` [1, N, 5 + K] out, with sigmoid objectness and class
scores, so the product runs it exactly like the base model.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from onnx2torch import convert

STRIDES = (8, 16, 32)


@dataclass
class Head:
    """Where a YOLOX head's prediction convolutions sit in the ONNX graph."""

    cls: list[str]  # weight initialiser names of the class convolutions, one per stride
    obj: list[str]


def _find_head(graph: onnx.GraphProto) -> Head:
    names = {t.name for t in graph.initializer}
    cls = [f"head.cls_preds.{i}.weight" for i in range(3)]
    obj = [f"head.obj_preds.{i}.weight" for i in range(3)]
    missing = [n for n in cls + obj if n not in names]
    if missing:
        raise ValueError(
            "the base model is not a YOLOX export with named head weights "
            f"(missing {', '.join(missing)}); use a card whose decoder is Yolox, such as "
            "assets/models/yolox_nano.ron"
        )
    return Head(cls=cls, obj=obj)


def _strip_head_sigmoids(graph: onnx.GraphProto, head: Head) -> None:
    """Removes the Sigmoid after each objectness and class convolution (logits out)."""
    conv_out = {}
    for node in graph.node:
        if node.op_type == "Conv" and len(node.input) > 1 and node.input[1] in head.cls + head.obj:
            conv_out[node.output[0]] = node.input[1]
    removed = {}
    keep = []
    for node in graph.node:
        if node.op_type == "Sigmoid" and node.input[0] in conv_out:
            removed[node.output[0]] = node.input[0]
        else:
            keep.append(node)
    if len(removed) != 6:
        raise ValueError(f"expected 6 head sigmoids in the base model, found {len(removed)}")
    for node in keep:
        for i, name in enumerate(node.input):
            if name in removed:
                node.input[i] = removed[name]
    del graph.node[:]
    graph.node.extend(keep)


def _cut_classes(graph: onnx.GraphProto, head: Head, rows: list[int]) -> None:
    """Keeps the class rows `rows` of each class convolution (in that order)."""
    inits = {t.name: t for t in graph.initializer}
    for w_name in head.cls:
        b_name = w_name.replace(".weight", ".bias")
        for name in (w_name, b_name):
            t = inits[name]
            a = numpy_helper.to_array(t)[rows].copy()
            t.CopyFrom(numpy_helper.from_array(a, name))


def _batch_free_reshapes(graph: onnx.GraphProto) -> None:
    """The export fixed the batch at 1 in the head's reshapes: copy batch and channels instead."""
    inits = {t.name: t for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Reshape" and node.input[1] in inits:
            t = inits[node.input[1]]
            shape = numpy_helper.to_array(t)
            if shape.shape == (3,):
                t.CopyFrom(numpy_helper.from_array(np.array([0, 0, -1], dtype=np.int64), t.name))


def load_logits_model(onnx_path: str, class_rows: list[int]) -> torch.nn.Module:
    """The base model as a trainable module giving `[B, N, 5 + K]`: box offsets, objectness
    logit, class logits (K = len(class_rows), each row copied from that base class)."""
    m = onnx.load(onnx_path)
    g = m.graph
    head = _find_head(g)
    n_base = numpy_helper.to_array(next(t for t in g.initializer if t.name == head.cls[0])).shape[0]
    bad = [r for r in class_rows if not 0 <= r < n_base]
    if bad:
        raise ValueError(f"class rows {bad} are outside the base model's {n_base} classes")
    _strip_head_sigmoids(g, head)
    _cut_classes(g, head, class_rows)
    _batch_free_reshapes(g)
    del g.value_info[:]
    for o in g.output:
        o.type.tensor_type.shape.Clear()
    return convert(m)


def freeze_first(model: torch.nn.Module, fraction: float) -> int:
    """Freezes the first `fraction` of the convolutions, in the order the graph runs them
    (the backbone first): what was learnt from real photos stays. Returns how many."""
    convs = [model.get_submodule(n.target) for n in model.graph.nodes
             if n.op == "call_module"
             and isinstance(model.get_submodule(n.target), torch.nn.Conv2d)]
    k = int(round(len(convs) * fraction))
    for m in convs[:k]:
        for p in m.parameters():
            p.requires_grad_(False)
    return k


def freeze_stem(model: torch.nn.Module) -> str:
    """Freezes the first convolution (the stem after YOLOX's Focus slicing). Its input is raw
    0..255 pixels and the export folded its batch norm into it, so its gradients are hundreds
    of times those of the other layers: one SGD step at a fine-tuning learning rate wrecks it
    (measured: gradient norm 7500 against under 70 elsewhere). Returns its name."""
    for node in model.graph.nodes:
        if node.op == "call_module":
            m = model.get_submodule(node.target)
            if isinstance(m, torch.nn.Conv2d):
                for p in m.parameters():
                    p.requires_grad_(False)
                return str(node.target)
    raise ValueError("the base model has no convolution")


def blend_weights(model: torch.nn.Module, start: dict, share: float) -> None:
    """Weight-space ensembling (WiSE-FT, Wortsman et al., CVPR 2022): every floating-point
    weight and buffer becomes `share` × its value at the start of fine-tuning + (1 − `share`)
    × its fine-tuned value. 0 keeps the fine-tuned model, 1 gives the start back. The start is
    the base model cut to the training classes, so the blend keeps part of what the base learnt
    from real photos while keeping most of the new domain (docs/training.md)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"the blend share {share} is outside 0..1")
    state = model.state_dict()
    missing = sorted(set(state) ^ set(start))
    if missing:
        raise ValueError(f"the start weights do not match the model: {missing[:3]}")
    with torch.no_grad():
        for name, value in state.items():
            if value.is_floating_point():
                value.mul_(1.0 - share).add_(start[name].to(value.device, value.dtype),
                                             alpha=share)


class Exported(torch.nn.Module):
    """The card's contract: sigmoid objectness and class scores, raw box offsets."""

    def __init__(self, logits: torch.nn.Module):
        super().__init__()
        self.logits = copy.deepcopy(logits).eval()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        out = self.logits(images)
        return torch.cat([out[..., :4], torch.sigmoid(out[..., 4:])], dim=-1)


def export_onnx(logits: torch.nn.Module, path: str, size: tuple[int, int] = (384, 640)) -> None:
    """Writes the model as ONNX with symbolic H and W (multiples of 32)."""
    model = Exported(logits).cpu()
    dummy = torch.zeros(1, 3, size[0], size[1])
    torch.onnx.export(
        model,
        (dummy,),
        path,
        input_names=["images"],
        output_names=["output"],
        dynamic_axes={"images": {2: "H", 3: "W"}, "output": {1: "N"}},
        opset_version=13,
        dynamo=False,
    )
    checked = onnx.load(path)
    onnx.checker.check_model(checked)


def grids(h: int, w: int, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Anchor centres' grid cells `[N, 2]` and strides `[N]` for an `h`×`w` input, in the
    order the head concatenates them (strides 8, 16, 32; rows then columns)."""
    cells, strides = [], []
    for s in STRIDES:
        gh, gw = h // s, w // s
        yy, xx = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
        cells.append(torch.stack([xx, yy], -1).reshape(-1, 2))
        strides.append(torch.full((gh * gw,), float(s)))
    return torch.cat(cells).float().to(device), torch.cat(strides).to(device)


def decode_boxes(out: torch.Tensor, cells: torch.Tensor, strides: torch.Tensor) -> torch.Tensor:
    """Box offsets to `[.., N, 4]` centre x, centre y, width, height in input pixels."""
    xy = (out[..., :2] + cells) * strides[:, None]
    wh = torch.exp(out[..., 2:4].clamp(max=10.0)) * strides[:, None]
    return torch.cat([xy, wh], -1)
