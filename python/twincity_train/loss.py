"""YOLOX's training loss with its SimOTA label assignment (Ge et al., "YOLOX: Exceeding YOLO
Series in 2021", section 2.1): IoU loss on the boxes, binary cross-entropy on objectness and
on the classes (their targets the IoU of the assigned box), normalised by the number of
assigned anchors. Ignored boxes (too small, too hidden) are neither positives nor negatives:
anchors whose centre falls in one take no objectness loss."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision.ops import box_iou

from .model import decode_boxes

CENTRE_RADIUS = 2.5
REG_WEIGHT = 5.0


def xywh_c_to_xyxy(b: torch.Tensor) -> torch.Tensor:
    return torch.cat([b[..., :2] - b[..., 2:] / 2, b[..., :2] + b[..., 2:] / 2], -1)


def xywh_to_xyxy(b: torch.Tensor) -> torch.Tensor:
    return torch.cat([b[..., :2], b[..., :2] + b[..., 2:]], -1)


@torch.no_grad()
def simota(pred_xyxy, obj_logit, cls_logit, anchors, strides, gt_xyxy, gt_labels, n_classes):
    """Assigns anchors to ground-truth boxes. Returns (foreground mask [N], assigned box
    index for the foreground anchors, their IoU with it)."""
    n = anchors.shape[0]
    fg_mask = torch.zeros(n, dtype=torch.bool, device=anchors.device)
    if gt_xyxy.shape[0] == 0:
        return fg_mask, gt_labels.new_zeros(0), anchors.new_zeros(0)
    # Candidates: anchor centres inside a box, or within 2.5 strides of its centre.
    c = anchors
    inside_box = ((c[None, :, 0] > gt_xyxy[:, None, 0]) & (c[None, :, 0] < gt_xyxy[:, None, 2])
                  & (c[None, :, 1] > gt_xyxy[:, None, 1]) & (c[None, :, 1] < gt_xyxy[:, None, 3]))
    gc = (gt_xyxy[:, :2] + gt_xyxy[:, 2:]) / 2
    r = CENTRE_RADIUS * strides[None, :]
    inside_ctr = ((c[None, :, 0] - gc[:, None, 0]).abs() < r) & \
                 ((c[None, :, 1] - gc[:, None, 1]).abs() < r)
    candidate = (inside_box | inside_ctr).any(0)
    both = (inside_box & inside_ctr)[:, candidate]
    if not candidate.any():
        return fg_mask, gt_labels.new_zeros(0), anchors.new_zeros(0)
    ious = box_iou(gt_xyxy, pred_xyxy[candidate])
    onehot = F.one_hot(gt_labels, n_classes).float()
    p = (cls_logit[candidate].sigmoid() * obj_logit[candidate, None].sigmoid()).sqrt()
    cls_cost = F.binary_cross_entropy(
        p[None].expand(len(gt_labels), -1, -1).clamp(1e-6, 1 - 1e-6),
        onehot[:, None].expand(-1, p.shape[0], -1), reduction="none").sum(-1)
    cost = cls_cost + 3.0 * -torch.log(ious + 1e-8) + 1e5 * (~both)
    # Dynamic k: each box takes as many anchors as its 10 best IoUs add up to.
    k = min(10, ious.shape[1])
    dyn = torch.topk(ious, k, dim=1).values.sum(1).int().clamp(min=1)
    matching = torch.zeros_like(cost, dtype=torch.bool)
    for g in range(cost.shape[0]):
        idx = torch.topk(cost[g], int(min(dyn[g], cost.shape[1])), largest=False).indices
        matching[g, idx] = True
    multi = matching.sum(0) > 1
    if multi.any():
        best = cost[:, multi].argmin(0)
        matching[:, multi] = False
        matching[best, multi.nonzero().squeeze(1)] = True
    taken = matching.any(0)
    cand_idx = candidate.nonzero().squeeze(1)
    fg_mask[cand_idx[taken]] = True
    gt_idx = matching[:, taken].int().argmax(0)
    iou_fg = (matching.float() * ious).sum(0)[taken]
    return fg_mask, gt_idx, iou_fg


def yolox_loss(out, cells, strides, boxes, labels, ignore, n_classes):
    """Loss of a batch: `out` [B, N, 5 + K] from the logits model; `boxes` per image [M, 4]
    XYWH pixels of the input, `labels` [M], `ignore` [M]. Returns (total, parts)."""
    pred = decode_boxes(out, cells, strides)
    pred_xyxy = xywh_c_to_xyxy(pred)
    anchors = (cells + 0.5) * strides[:, None]
    obj_t = torch.zeros(out.shape[:2], device=out.device)
    obj_w = torch.ones(out.shape[:2], device=out.device)
    iou_losses, cls_losses, n_fg = [], [], 0
    for b in range(out.shape[0]):
        gt = xywh_to_xyxy(boxes[b].to(out.device)).float()
        keep = (~ignore[b]).to(out.device) & (boxes[b][:, 2] > 1).to(out.device) \
            & (boxes[b][:, 3] > 1).to(out.device)
        for g in gt[~keep]:  # anchors inside an ignored box: no objectness loss
            inside = ((anchors[:, 0] > g[0]) & (anchors[:, 0] < g[2])
                      & (anchors[:, 1] > g[1]) & (anchors[:, 1] < g[3]))
            obj_w[b, inside] = 0.0
        gt, lab = gt[keep], labels[b].to(out.device)[keep]
        fg, gt_idx, iou_fg = simota(pred_xyxy[b].detach(), out[b, :, 4].detach(),
                                    out[b, :, 5:].detach(), anchors, strides, gt, lab, n_classes)
        if fg.any():
            n_fg += int(fg.sum())
            obj_t[b, fg] = 1.0
            obj_w[b, fg] = 1.0
            iou = box_iou(pred_xyxy[b, fg], gt[gt_idx]).diagonal()
            iou_losses.append((1 - iou ** 2).sum())
            cls_t = F.one_hot(lab[gt_idx], n_classes).float() * iou_fg[:, None]
            cls_losses.append(F.binary_cross_entropy_with_logits(
                out[b, fg, 5:], cls_t, reduction="sum"))
    denom = max(n_fg, 1)
    l_obj = (F.binary_cross_entropy_with_logits(out[..., 4], obj_t, reduction="none")
             * obj_w).sum() / denom
    zero = out.sum() * 0.0
    l_iou = (torch.stack(iou_losses).sum() if iou_losses else zero) / denom
    l_cls = (torch.stack(cls_losses).sum() if cls_losses else zero) / denom
    total = REG_WEIGHT * l_iou + l_obj + l_cls
    return total, {"iou": float(l_iou.detach()), "obj": float(l_obj.detach()),
                   "cls": float(l_cls.detach()),
                   "foreground": n_fg}
