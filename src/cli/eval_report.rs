//! The HTML page of an evaluation report: the protocol (subset, thresholds), the numbers of
//! `report.json` as tables, and plots (precision–recall at IoU 0.5 and miss rate against false
//! positives per image per class, predicted against true counts, recall by DORI class and by
//! occlusion) drawn as inline SVG with plotters.

use plotters::prelude::*;
use serde_json::Value;

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // egui's bundled Hack font: plotters measures text with it.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            epaint_default_fonts::HACK_REGULAR,
        );
    });
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if v.is_f64() => format!("{f:.3}"),
        Some(f) => format!("{f}"),
        None => v.as_str().map_or("–".into(), esc),
    }
}

fn table(rows: &Value, columns: &[(&str, &str)]) -> String {
    let mut s = String::from("<table><tr>");
    for (_, title) in columns {
        s += &format!("<th>{}</th>", esc(title));
    }
    s += "</tr>";
    for row in rows.as_array().into_iter().flatten() {
        s += "<tr>";
        for (key, _) in columns {
            s += &format!("<td>{}</td>", num(&row[*key]));
        }
        s += "</tr>";
    }
    s + "</table>"
}

fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>)) -> String {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (520, 360)).into_drawing_area();
        let _ = root.fill(&WHITE);
        draw(&root);
        let _ = root.present();
    }
    out
}

fn pr_plot(classes: &Value) -> String {
    svg(|root| {
        let Ok(mut chart) = ChartBuilder::on(root)
            .caption("Precision–recall, IoU 0.5", (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .x_desc("recall")
            .y_desc("precision")
            .label_style((FONT, 12))
            .draw();
        for (k, c) in classes.as_array().into_iter().flatten().enumerate() {
            let curve: Vec<(f64, f64)> = c["pr_curve50"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, p)| (i as f64 / 100.0, p.as_f64().unwrap_or(0.0)))
                .collect();
            let colour = Palette99::pick(k).to_rgba();
            let name = c["category"].as_str().unwrap_or("?").to_string();
            if let Ok(series) = chart.draw_series(LineSeries::new(curve, colour.stroke_width(2))) {
                series
                    .label(name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour));
            }
        }
        let _ = chart
            .configure_series_labels()
            .label_font((FONT, 12))
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw();
    })
}

/// Miss rate against false positives per image at the nine points MR⁻² averages, per class,
/// both axes logarithmic.
fn miss_rate_plot(classes: &Value) -> String {
    svg(|root| {
        let Ok(mut chart) = ChartBuilder::on(root)
            .caption("Miss rate against FPPI, IoU 0.5", (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d((0.01f64..1f64).log_scale(), (0.01f64..1.05f64).log_scale())
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .x_desc("false positives per image")
            .y_desc("miss rate")
            .label_style((FONT, 12))
            .draw();
        for (k, c) in classes.as_array().into_iter().flatten().enumerate() {
            let curve: Vec<(f64, f64)> = c["miss_rate_at_fppi"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?.max(0.01))))
                .collect();
            if curve.is_empty() {
                continue;
            }
            let colour = Palette99::pick(k).to_rgba();
            let name = format!(
                "{} (MR⁻² {})",
                c["category"].as_str().unwrap_or("?"),
                num(&c["mr2"])
            );
            if let Ok(series) = chart.draw_series(LineSeries::new(curve, colour.stroke_width(2))) {
                series
                    .label(name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour));
            }
        }
        let _ = chart
            .configure_series_labels()
            .label_font((FONT, 12))
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw();
    })
}

/// Predicted against true count, one point per image (`pairs`: (predicted, true)).
fn count_plot(pairs: &[(f64, f64)]) -> String {
    let pts: Vec<(f64, f64)> = pairs.iter().map(|(p, t)| (*t, *p)).collect();
    let top = pts.iter().map(|(t, p)| t.max(*p)).fold(1.0f64, f64::max) * 1.05;
    svg(|root| {
        let Ok(mut chart) = ChartBuilder::on(root)
            .caption("Predicted against true count, per image", (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..top, 0f64..top)
        else {
            return;
        };
        let _ = chart
            .configure_mesh()
            .x_desc("true count")
            .y_desc("predicted count")
            .label_style((FONT, 12))
            .draw();
        let _ = chart.draw_series(LineSeries::new([(0.0, 0.0), (top, top)], BLACK.mix(0.4)));
        let _ = chart.draw_series(
            pts.iter()
                .map(|p| Circle::new(*p, 3, BLUE.mix(0.6).filled())),
        );
    })
}

fn recall_plot(title: &str, groups: &Value) -> String {
    let rows: Vec<(String, f64, u64)> = groups
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            (
                g["name"].as_str().unwrap_or("?").to_string(),
                g["recall50"].as_f64().unwrap_or(0.0),
                g["ground_truth"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let n = rows.len().max(1);
    svg(|root| {
        let Ok(mut chart) = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..n as f64, 0f64..1.02f64)
        else {
            return;
        };
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.floor() as usize;
                labels
                    .get(i)
                    .filter(|_| (x - i as f64 - 0.5).abs() < 0.26)
                    .map(|l| l.split(' ').next().unwrap_or("").to_string())
                    .unwrap_or_default()
            })
            .y_desc("recall at IoU 0.5")
            .label_style((FONT, 11))
            .draw();
        let _ = chart.draw_series(rows.iter().enumerate().filter(|r| r.1.2 > 0).map(|(i, r)| {
            Rectangle::new(
                [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, r.1)],
                BLUE.mix(0.6).filled(),
            )
        }));
    })
}

/// The report page.
/// The `--real` sets beside the dataset: AP, AP50 and, per class, AP50 and recall.
fn real_beside(report: &Value) -> String {
    let Some(real) = report["real"].as_array().filter(|r| !r.is_empty()) else {
        return String::new();
    };
    let mut s = String::from(
        "<h2>Twin and real footage</h2><table><tr><th>set</th><th>images</th>\
         <th>AP</th><th>AP50</th><th>MR⁻²</th><th>per class: AP50 / recall</th></tr>",
    );
    let row = |name: &str, images: &Value, ap: &Value, ap50: &Value, mr2: &Value, per: &Value| {
        let classes: Vec<String> = per
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{} {} / {}",
                    esc(c["category"].as_str().unwrap_or("?")),
                    num(&c["ap50"]),
                    num(&c["recall50"])
                )
            })
            .collect();
        format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            num(images),
            num(ap),
            num(ap50),
            num(mr2),
            classes.join("; ")
        )
    };
    let o = &report["overall"];
    s += &row(
        report["dataset"]["path"].as_str().unwrap_or("dataset"),
        &report["dataset"]["images"],
        &o["ap"],
        &o["ap50"],
        &o["mr2"],
        &o["per_class"],
    );
    for r in real {
        s += &row(
            &format!("real: {}", r["path"].as_str().unwrap_or("")),
            &r["images"],
            &r["ap"],
            &r["ap50"],
            &r["mr2"],
            &r["per_class"],
        );
    }
    s + "</table>"
}

/// The protocol: which ground truth is scored, at which thresholds, and how.
fn protocol(report: &Value) -> String {
    let st = &report["settings"];
    let sub = &st["subset"];
    let range = |lo: &Value, hi: &Value, unit: &str| match hi.as_f64() {
        Some(_) => format!("{}–{}{unit}", num(lo), num(hi)),
        None => format!("at least {}{unit}", num(lo)),
    };
    let decode = match st["decode_threshold"].as_f64() {
        Some(t) => format!(
            "The model's boxes were decoded down to a score of {t} (after the same non-maximum \
             suppression), below the card's display threshold, so that AP and MR⁻² see the \
             whole precision–recall curve."
        ),
        None => "The predictions were read from a file, every one scored.".to_string(),
    };
    format!(
        "<h2>Protocol</h2><p>Subset <b>{}</b> (CityPersons' evaluation setups): ground-truth \
         boxes whose full-body height is {} and that are {} visible are scored; the others, and \
         crowd regions, are ignore regions — a prediction on one is neither a hit nor a false \
         positive. {decode} Precision, recall, the breakdowns' recall and the counts use the \
         predictions scoring at least <b>{}</b> (the operating point); AP and MR⁻² use every \
         prediction, at most {} per image and class. MR⁻²: {}.</p>",
        esc(sub["name"].as_str().unwrap_or("")),
        range(&sub["min_height"], &sub["max_height"], " px"),
        range(&sub["min_visibility"], &sub["max_visibility"], ""),
        num(&st["operating_score"]),
        num(&st["max_dets"]),
        esc(st["mr2"].as_str().unwrap_or("")),
    )
}

pub fn html(report: &Value, pairs: &[(f64, f64)]) -> String {
    let m = &report["model"];
    let d = &report["dataset"];
    let o = &report["overall"];
    let c = &report["counting"];
    let slice_cols = [
        ("name", "slice"),
        ("images", "images"),
        ("ground_truth", "boxes"),
        ("predictions", "predictions"),
        ("ap", "AP"),
        ("ap50", "AP50"),
        ("mr2", "MR⁻²"),
        ("precision50", "precision"),
        ("recall50", "recall"),
        ("count_mae", "count MAE"),
        ("count_rmse", "count RMSE"),
    ];
    let group_cols = [
        ("name", "group"),
        ("ground_truth", "boxes"),
        ("matched50", "found"),
        ("recall50", "recall"),
    ];
    let mut s = String::new();
    s += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">";
    s += &format!(
        "<title>{} on {}</title>",
        esc(m["name"].as_str().unwrap_or("")),
        esc(d["scenario"].as_str().unwrap_or(""))
    );
    s += "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;color:#222}\
          table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;\
          padding:.2em .6em;text-align:right}th{background:#eee}td:first-child{text-align:left}\
          .plots{display:flex;flex-wrap:wrap;gap:1em}</style></head><body>";
    s += &format!(
        "<h1>{}</h1><p>Dataset: {} images of scenario <b>{}</b> (seed {}, status {}). \
         Card's score threshold {}, tiling {}. Synthetic images: these numbers say how the \
         model does on the twin, not on real footage.</p>",
        esc(m["name"].as_str().unwrap_or("")),
        num(&d["images"]),
        esc(d["scenario"].as_str().unwrap_or("")),
        num(&d["seed"]),
        num(&d["status"]),
        num(&m["score_threshold"]),
        num(&report["settings"]["tiling"]).replace('–', "none"),
    );
    s += &protocol(report);
    s += &format!(
        "<h2>Detection (subset {})</h2><p>COCO box AP (IoU 0.50:0.95) <b>{}</b>, AP50 <b>{}</b>, \
         AP75 {}; log-average miss rate MR⁻² <b>{}</b> (lower is better).</p>",
        esc(report["settings"]["subset"]["name"].as_str().unwrap_or("")),
        num(&o["ap"]),
        num(&o["ap50"]),
        num(&o["ap75"]),
        num(&o["mr2"])
    );
    s += &table(
        &o["per_class"],
        &[
            ("category", "class"),
            ("ground_truth", "boxes"),
            ("predictions", "predictions"),
            ("matched50", "matched"),
            ("false_positives50", "false positives"),
            ("precision50", "precision"),
            ("recall50", "recall"),
            ("max_recall50", "recall, all scores"),
            ("ap", "AP"),
            ("ap50", "AP50"),
            ("ap75", "AP75"),
            ("mr2", "MR⁻²"),
        ],
    );
    s += "<h2>Every subset</h2><p>The same predictions scored on each of CityPersons' \
          subsets (heights are full-body, in pixels; visibility the visible share), and on every \
          box.</p>";
    s += &table(
        &report["subsets"],
        &[
            ("name", "subset"),
            ("min_height", "min height"),
            ("max_height", "max height"),
            ("min_visibility", "min visible"),
            ("max_visibility", "max visible"),
            ("ground_truth", "boxes"),
            ("ap", "AP"),
            ("ap50", "AP50"),
            ("mr2", "MR⁻²"),
            ("precision50", "precision"),
            ("recall50", "recall"),
        ],
    );
    s += &real_beside(report);
    s += &format!(
        "<h2>Counting</h2><p>Over {} images: MAE <b>{}</b>, RMSE <b>{}</b> (true total {}, \
         predicted {}). True count: {}; predicted: {}.</p>",
        num(&c["images"]),
        num(&c["mae"]),
        num(&c["rmse"]),
        num(&c["true_total"]),
        num(&c["predicted_total"]),
        num(&c["truth"]),
        num(&c["predicted"]),
    );
    s += "<div class=\"plots\">";
    s += &pr_plot(&o["per_class"]);
    s += &miss_rate_plot(&o["per_class"]);
    s += &count_plot(pairs);
    s += &recall_plot("Recall by DORI class", &report["by_dori_class"]);
    s += &recall_plot("Recall by occlusion", &report["by_occlusion"]);
    s += "</div>";
    for (key, title) in [
        ("by_camera", "By camera"),
        ("by_lighting", "By lighting"),
        ("by_weather", "By weather"),
    ] {
        s += &format!("<h2>{title}</h2>");
        s += &table(&report[key], &slice_cols);
    }
    for (key, title) in [
        (
            "by_dori_class",
            "By DORI class (pixels per metre of a 1.75 m person)",
        ),
        (
            "by_distance",
            "By estimated distance (focal length × 1.75 m / box height)",
        ),
        ("by_occlusion", "By occlusion (visible share of the person)"),
    ] {
        s += &format!("<h2>{}</h2>", esc(title));
        s += &table(&report[key], &group_cols);
    }
    let l = &report["latency_ms_per_image"];
    s += &format!(
        "<h2>Time</h2><p>Per image: pre-processing {} ms, ONNX Runtime {} ms, decoding {} ms.</p>",
        num(&l["preprocess"]),
        num(&l["run"]),
        num(&l["decode"])
    );
    s += "</body></html>\n";
    s
}
