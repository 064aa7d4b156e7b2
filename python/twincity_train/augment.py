"""Images into network inputs, with augmentation.

Geometry and colour come from torchvision's transforms (boxes follow): horizontal flip,
scale and shift, colour jitter. The sensor effects are the twin's own (docs/dataset-format.md,
"Domain randomisation"): Gaussian noise up to sigma 6 levels, linear motion blur up to 3 px in
a random direction, and JPEG compression at quality 35–90; applied to real and twin frames
alike, so the model does not learn to tell them apart by their sensor.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
import torch
from PIL import Image
from torchvision import tv_tensors
from torchvision.transforms import v2

from .data import DataError, Sample

PAD = 114.0


def read_rgb(path: str) -> Image.Image:
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except FileNotFoundError:
        raise DataError(f"{path}: image listed in the dataset is missing; re-render or "
                        "remove the dataset") from None
    except (OSError, Image.DecompressionBombError) as e:
        raise DataError(f"{path}: cannot be read as an image ({e})") from None


def motion_blur(img: torch.Tensor, length: float, angle: float) -> torch.Tensor:
    """Linear blur of `length` pixels along `angle` (radians) on a float [3, H, W] image."""
    n = int(math.ceil(length))
    if n < 1:
        return img
    size = 2 * n + 1
    k = torch.zeros(size, size)
    for t in np.linspace(-length / 2, length / 2, 4 * n + 1):
        x = int(round(n + t * math.cos(angle)))
        y = int(round(n + t * math.sin(angle)))
        k[y, x] += 1.0
    k /= k.sum()
    w = k.expand(3, 1, size, size)
    out = torch.nn.functional.conv2d(img[None], w, padding=n, groups=3)
    return out[0]


def jpeg(img: torch.Tensor, quality: int) -> torch.Tensor:
    """JPEG round trip of a float [3, H, W] 0..255 image."""
    arr = img.clamp(0, 255).round().byte().permute(1, 2, 0).numpy()
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    back = np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32)
    return torch.from_numpy(back).permute(2, 0, 1).contiguous()


class Augment:
    """Random augmentation of one image and its boxes (seeded per call by the caller)."""

    def __init__(self, strength: float = 1.0):
        self.strength = strength
        self.geometry = v2.Compose([
            v2.RandomHorizontalFlip(0.5),
            v2.RandomAffine(degrees=0, translate=(0.1 * strength, 0.1 * strength),
                            scale=(1 - 0.4 * strength, 1 + 0.4 * strength), fill=int(PAD)),
        ])
        self.colour = v2.ColorJitter(brightness=0.3 * strength, contrast=0.3 * strength,
                                     saturation=0.4 * strength, hue=0.03 * strength)

    def __call__(self, img: torch.Tensor, boxes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`img` uint8 [3, H, W] RGB, `boxes` [M, 4] XYWH. Returns the float image and the
        boxes (clipped to the image; a box pushed out entirely has zero width)."""
        h, w = img.shape[-2:]
        bb = tv_tensors.BoundingBoxes(boxes, format="XYWH", canvas_size=(h, w))
        img, bb = self.geometry(img, bb)
        img = self.colour(img).float()
        if random.random() < 0.5:
            img = motion_blur(img, random.uniform(0.0, 3.0 * self.strength),
                              random.uniform(0.0, math.pi))
        if random.random() < 0.5:
            img = img + torch.randn_like(img) * random.uniform(0.0, 6.0 * self.strength)
        if random.random() < 0.5:
            img = jpeg(img, random.randint(35, 90))
        return img.clamp(0, 255), bb.as_subclass(torch.Tensor)


def to_input(img: torch.Tensor, scale: float) -> torch.Tensor:
    """RGB float [3, H, W] into the model's input: resized by `scale`, BGR, 0..255."""
    if scale != 1.0:
        h, w = img.shape[-2:]
        size = (max(1, round(h * scale)), max(1, round(w * scale)))
        img = torch.nn.functional.interpolate(img[None], size=size, mode="bilinear",
                                              align_corners=False, antialias=True)[0]
    return img.flip(0)


class TrainSet(torch.utils.data.Dataset):
    """Samples as (input [3, H, W] BGR, boxes [M, 4] XYWH, labels [M], ignore [M])."""

    def __init__(self, samples: list[Sample], img_size: int, augment: Augment | None, seed: int):
        self.samples = samples
        self.img_size = img_size
        self.augment = augment
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int):
        s = self.samples[i]
        random.seed(hash((self.seed, self.epoch, i)) & 0xFFFFFFFF)
        torch.manual_seed(hash((self.seed, self.epoch, i, 1)) & 0xFFFFFFFF)
        pil = read_rgb(s.image)
        img = torch.from_numpy(np.asarray(pil).copy()).permute(2, 0, 1).contiguous()
        boxes = torch.from_numpy(s.boxes.copy())
        if self.augment is not None:
            imgf, boxes = self.augment(img, boxes)
        else:
            imgf = img.float()
        scale = self.img_size / max(imgf.shape[-2:])
        x = to_input(imgf, scale)
        return (x, boxes * scale, torch.from_numpy(s.labels.copy()),
                torch.from_numpy(s.ignore.copy()))


def collate(batch):
    """Pads the inputs to one size, a multiple of 32, at the top-left (as the product
    letterboxes), with the value 114."""
    h = max(x.shape[1] for x, *_ in batch)
    w = max(x.shape[2] for x, *_ in batch)
    h, w = -(-h // 32) * 32, -(-w // 32) * 32
    out = torch.full((len(batch), 3, h, w), PAD)
    for k, (x, *_rest) in enumerate(batch):
        out[k, :, : x.shape[1], : x.shape[2]] = x
    return out, [b[1] for b in batch], [b[2] for b in batch], [b[3] for b in batch]
