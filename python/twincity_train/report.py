"""The training report: report.json (everything measured) and report.html (the same, readable,
with the loss curve drawn as SVG; no script, no external file)."""

from __future__ import annotations

import html
import json
import os


def _svg_curve(points: list[tuple[float, float]], width=640, height=220) -> str:
    if len(points) < 2:
        return "<p>Too few steps to draw a curve.</p>"
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = 0.0, max(ys) * 1.05 or 1.0
    pad = 40

    def sx(x):
        return pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad)

    def sy(y):
        return height - pad + (y0 - y) / ((y1 - y0) or 1) * (height - 2 * pad)

    line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
    ticks = "".join(
        f'<text x="{pad - 6}" y="{sy(v):.1f}" text-anchor="end" font-size="10">{v:.2f}</text>'
        for v in (y0, (y0 + y1) / 2, y1))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="training loss per step">'
            f'<rect x="{pad}" y="{pad}" width="{width - 2 * pad}" height="{height - 2 * pad}" '
            f'fill="none" stroke="#ccc"/>{ticks}'
            f'<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="{line}"/>'
            f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle" font-size="11">'
            f'step (1 … {int(x1)})</text></svg>')


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def _ap_rows(before: dict, after: dict, fine_tuned: dict | None) -> str:
    rows = []
    for name in before["per_class"]:
        b, a = before["per_class"][name], after["per_class"][name]
        delta = "–" if a is None or b is None else f"{a - b:+.3f}"
        ft = f"<td>{_fmt(fine_tuned['per_class'][name])}</td>" if fine_tuned else ""
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{before['ground_truth'][name]}</td>"
                    f"<td>{_fmt(b)}</td>{ft}<td>{_fmt(a)}</td><td>{delta}</td></tr>")
    return "".join(rows)


def _ap_table(ev: dict) -> str:
    """Before and after; with --blend-base, the fine-tuned model before blending between."""
    ft = ev.get("fine_tuned")
    ft_head = "<th>AP50 fine-tuned, not blended</th>" if ft else ""
    ft_mean = f"<td>{_fmt(ft['mean'])}</td>" if ft else ""
    return ("<table><tr><th>class</th><th>boxes counted</th><th>AP50 before</th>"
            f"{ft_head}<th>AP50 after</th><th>change</th></tr>"
            f"{_ap_rows(ev['before'], ev['after'], ft)}"
            f"<tr><th>mean</th><td></td><td>{_fmt(ev['before']['mean'])}</td>{ft_mean}"
            f"<td>{_fmt(ev['after']['mean'])}</td><td></td></tr></table>")


def _blend_note(t: dict) -> str:
    share = t.get("blend_base") or 0
    if not share:
        return ""
    return (f" Then {share:.0%} of the starting weights were blended back in (weight-space "
            "ensembling, WiSE-FT): \"after\" is the blended model, the one exported.")


def write(out_dir: str, report: dict) -> tuple[str, str]:
    json_path = os.path.join(out_dir, "report.json")
    tmp = json_path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, json_path)

    sections = []
    for key, title in (("twin", "Held-out twin images"), ("real", "Real footage")):
        for ev in report["evaluations"].get(key, []):
            sections.append(
                f"<h2>{title}: {html.escape(ev['name'])} ({ev['images']} images)</h2>"
                f"{_ap_table(ev)}")
    losses = [(s["step"], s["loss"]) for s in report["loss_curve"]]
    t = report["training"]
    prov = report["provenance"]
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training report: {html.escape(report['name'])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}code{{background:#f4f4f4}}</style></head><body>
<h1>Training report: {html.escape(report['name'])}</h1>
<p>Command: <code>{html.escape(report['command'])}</code></p>
<p>Base model: {html.escape(prov['base_model'])}. Datasets: {html.escape(', '.join(prov['datasets']))}.
Seed {prov['seed']}. {t['train_images']} training images, {t['val_images']} held out
({html.escape(t['split'])}); {t['epochs']} epochs, {t['steps']} steps of {t['batch']} images,
{t['seconds']:.0f} s on {html.escape(t['device'])}.{_blend_note(t)}</p>
<p>AP50: COCO average precision at IoU 0.5; boxes lower than {t['min_height']} px or less than
{t['min_visibility']:.0%} visible are ignore regions. "Before" is the base model with its
classes mapped to the dataset's ({html.escape(', '.join(f'{k} ← {v}' for k, v in report['class_map'].items()))}).</p>
{''.join(sections)}
<h2>Loss</h2>{_svg_curve(losses)}
<p>Exported ONNX against the training framework on one image: largest difference
{report['export']['max_abs_diff']:.2e} (tolerance {report['export']['tolerance']:.0e}).</p>
<p>Privacy: the images read are the datasets' own, with faces and plates blurred as exported;
nothing here identifies anyone.</p>
</body></html>
"""
    html_path = os.path.join(out_dir, "report.html")
    tmp = html_path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, html_path)
    return json_path, html_path


def _pct(v) -> str:
    return "–" if v is None else f"{v:.1%}"


def _confusion_table(classes: list[str], confusion: list[list[int]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in classes)
    rows = []
    for i, c in enumerate(classes):
        cells = "".join(
            f'<td style="background:{"#d9f2d9" if i == j and n else "#fbe3e3" if n else "#fff"}">'
            f"{n}</td>" for j, n in enumerate(confusion[i]))
        rows.append(f"<tr><th>{html.escape(c)}</th>{cells}</tr>")
    return (f"<table><tr><th>true ↓ / predicted →</th>{head}</tr>{''.join(rows)}</table>")


def write_classification(out_dir: str, report: dict) -> tuple[str, str]:
    """report.json and report.html of a classifier's training (`--task classify`)."""
    json_path = os.path.join(out_dir, "report.json")
    tmp = json_path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, json_path)

    t = report["training"]
    prov = report["provenance"]
    held = report["held_out"]
    if held is None:
        result = "<p>No crop was held out (<code>--val-fraction 0</code>): no accuracy measured.</p>"
    else:
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{t['train_crops_per_class'].get(c, 0)}</td>"
            f"<td>{v['crops']}</td><td>{_pct(v['accuracy'])}</td></tr>"
            for c, v in held["per_class"].items())
        result = (f"<h2>Held-out crops ({held['crops']}): accuracy {_pct(held['accuracy'])}</h2>"
                  "<table><tr><th>label</th><th>training crops</th><th>held-out crops</th>"
                  f"<th>accuracy</th></tr>{rows}</table>"
                  "<h2>Confusion matrix (held-out crops)</h2>"
                  f"{_confusion_table(report['classes'], held['confusion'])}")
    losses = [(s["step"], s["loss"]) for s in report["loss_curve"]]
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training report: {html.escape(report['name'])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}code{{background:#f4f4f4}}</style></head><body>
<h1>Training report: {html.escape(report['name'])} (classifier)</h1>
<p>Command: <code>{html.escape(report['command'])}</code></p>
<p>Crops: {html.escape(', '.join(prov['datasets']))}. Seed {prov['seed']}. {t['train_crops']}
training crops, {t['val_crops']} held out ({html.escape(t['split'])}); labels:
{html.escape(', '.join(report['classes']))}. Network: {html.escape(t['arch'])}, {t['input_size']} ×
{t['input_size']} px input, {html.escape(prov['weights'])}; {t['epochs']} epochs, {t['steps']}
steps of {t['batch']} crops, {t['seconds']:.0f} s on {html.escape(t['device'])}.</p>
<p>Accuracy: the share of held-out crops whose best-scored label is their true label; per
label, the share of that label's crops recognised.</p>
{result}
<h2>Loss</h2>{_svg_curve(losses)}
<p>Exported ONNX against the training framework on one crop: largest difference
{report['export']['max_abs_diff']:.2e} (tolerance {report['export']['tolerance']:.0e}).</p>
<p>Privacy: the crops are cut from the datasets' exported images, with plates blurred; the
classifier learns vehicle models, not plates or people.</p>
</body></html>
"""
    html_path = os.path.join(out_dir, "report.html")
    tmp = html_path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, html_path)
    return json_path, html_path
