//! The properties panel (right): the project, a building, a part of an imported file or a
//! camera, whichever is selected.

use bevy::prelude::*;
use bevy_egui::egui;
use twincity_i18n::{Arg, number, tr, tr_args};
use twincity_model::VirtualCamera;
use twincity_model::camera::{DoriClass, LensPreset};
use twincity_model::project::GeoOrigin;
use twincity_scene::coverage_export::{GeorefKind, LocalWhy};

use super::{Actions, PanelRoot};
use crate::render::city::DemoLayout;
use crate::render::document::{Document, Selection};
use crate::render::raycast::SceneRaycast;

/// The properties panel along the right side of the window, scrolling.
pub(super) fn properties_panel(
    mut root: PanelRoot,
    mut doc: ResMut<Document>,
    selection: Res<Selection>,
    layout: Res<DemoLayout>,
    raycast: Res<SceneRaycast>,
) -> Result {
    root.show("properties", |ui, actions| {
        egui::Panel::right("properties_panel")
            .default_size(300.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    properties_of(ui, &mut doc, *selection, &layout, raycast.parts(), actions);
                });
            });
    })
}

/// The properties of the selection (the project's when nothing is selected).
fn properties_of(
    ui: &mut egui::Ui,
    doc: &mut Document,
    selection: Selection,
    layout: &DemoLayout,
    parts: &[twincity_scene::coverage::ScenePart],
    a: &mut Actions,
) {
    ui.heading(tr("prop-heading"));
    ui.separator();
    match selection {
        Selection::None => {
            ui.label(tr("prop-project"));
            ui.horizontal(|ui| {
                ui.label(tr("prop-name"));
                ui.text_edit_singleline(&mut doc.project.name);
            });
            ui.add_space(8.0);
            georeference(ui, &mut doc.project);
            ui.add_space(8.0);
            ui.weak(tr("prop-hint"));
        }
        Selection::Building(id) => {
            if let Some(b) = layout.0.buildings.iter().find(|b| b.id == id) {
                egui::Grid::new("building").num_columns(2).show(ui, |ui| {
                    ui.label(tr("prop-name"));
                    ui.strong(&b.name);
                    ui.end_row();
                    ui.label(tr("prop-use"));
                    ui.label(b.usage);
                    ui.end_row();
                    ui.label(tr("prop-height"));
                    ui.label(tr_args(
                        "prop-height-storeys",
                        &[
                            (
                                "height",
                                twincity_i18n::number(f64::from(b.height), 1).into(),
                            ),
                            ("n", Arg::Count(i64::from(b.storeys()))),
                        ],
                    ));
                    ui.end_row();
                    let s = b.footprint.size();
                    ui.label(tr("prop-footprint"));
                    ui.label(tr_args(
                        "prop-footprint-size",
                        &[
                            ("width", twincity_i18n::number(f64::from(s.x), 0).into()),
                            ("depth", twincity_i18n::number(f64::from(s.y), 0).into()),
                            (
                                "area",
                                twincity_i18n::number(f64::from(b.footprint.area()), 0).into(),
                            ),
                        ],
                    ));
                    ui.end_row();
                    let c = b.footprint.center();
                    ui.label(tr("prop-centre"));
                    ui.label(format!("{:.1} m, {:.1} m", c.x, c.y));
                    ui.end_row();
                });
                if ui.button(tr("prop-frame")).clicked() {
                    a.frame = true;
                }
            }
        }
        Selection::Part(i) => {
            if let Some(p) = parts.get(i as usize) {
                part_properties(ui, p, doc.project.origin.as_ref());
                if ui.button(tr("prop-frame")).clicked() {
                    a.frame = true;
                }
            }
        }
        Selection::Camera(id) => {
            let origin = doc.project.origin.clone();
            if let Some(cam) = doc.project.camera_mut(id) {
                camera_properties(ui, cam, origin.as_ref(), a);
            }
        }
    }
}

/// A part of an imported file: where it comes from, its size and its feature metadata (the
/// node's glTF `extras`), so the twin can be queried by clicking it.
fn part_properties(
    ui: &mut egui::Ui,
    p: &twincity_scene::coverage::ScenePart,
    origin: Option<&GeoOrigin>,
) {
    egui::Grid::new("part").num_columns(2).show(ui, |ui| {
        ui.label(tr("prop-name"));
        ui.strong(&p.name);
        ui.end_row();
        ui.label(tr("prop-file"));
        ui.label(tr_args(
            "prop-file-node",
            &[
                ("file", p.source.to_string().into()),
                ("node", p.node.to_string().into()),
            ],
        ));
        ui.end_row();
        if let Some(m) = &p.material {
            ui.label(tr("prop-material"));
            ui.label(m);
            ui.end_row();
        }
        ui.label(tr("prop-triangles"));
        ui.label(twincity_i18n::integer(p.triangles as i64));
        ui.end_row();
        let size = p.max - p.min;
        ui.label(tr("prop-size"));
        ui.label(tr_args(
            "prop-part-size",
            &[
                ("width", twincity_i18n::number(f64::from(size.x), 1).into()),
                ("depth", twincity_i18n::number(f64::from(size.z), 1).into()),
                ("height", twincity_i18n::number(f64::from(size.y), 1).into()),
            ],
        ));
        ui.end_row();
        let c = (p.min + p.max) * 0.5;
        ui.label(tr("prop-centre"));
        ui.label(format!("{:.1} m, {:.1} m", c.x, -c.z));
        ui.end_row();
        if let Some(o) = origin {
            ui.label(in_crs(o));
            ui.label(format!(
                "E {:.2}, N {:.2}",
                o.x + c.x as f64,
                o.y - c.z as f64
            ));
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    ui.strong(tr("prop-metadata"));
    match p
        .extras
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
    {
        Some(serde_json::Value::Object(map)) if !map.is_empty() => {
            egui::Grid::new("extras")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (k, v) in &map {
                        ui.label(k);
                        let text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        ui.label(text);
                        ui.end_row();
                    }
                });
        }
        Some(other) if !other.is_null() => {
            ui.monospace(other.to_string());
        }
        _ => {
            ui.weak(tr("prop-no-metadata"));
        }
    }
}

/// The project's origin in its CRS and the CRS itself (typed as an EPSG code when the
/// imported files do not say). Exports are placed on the map with these.
fn georeference(ui: &mut egui::Ui, project: &mut twincity_model::Project) {
    egui::CollapsingHeader::new(tr("prop-georeference"))
        .default_open(true)
        .show(ui, |ui| {
            let zero = GeoOrigin {
                x: 0.0,
                y: 0.0,
                z: 0.0,
                crs: None,
            };
            // Edited on a copy, written back only when it changed (no change detection noise).
            let mut edited = project.origin.clone().unwrap_or(zero.clone());
            let origin = &mut edited;
            // With imported files the origin is what they were moved by: shown, not edited
            // (editing it would move them away from the cameras).
            let locked = !project.imports.is_empty();
            let labels = if origin.is_geocentric() {
                [
                    "prop-origin-ecef-x",
                    "prop-origin-ecef-y",
                    "prop-origin-ecef-z",
                ]
            } else {
                [
                    "prop-origin-east",
                    "prop-origin-north",
                    "prop-origin-height",
                ]
            };
            egui::Grid::new("origin").num_columns(2).show(ui, |ui| {
                for (label, v, speed) in [
                    (labels[0], &mut origin.x, 1.0),
                    (labels[1], &mut origin.y, 1.0),
                    (labels[2], &mut origin.z, 0.1),
                ] {
                    ui.label(tr(label));
                    if locked {
                        ui.label(format!("{v:.3} m"));
                    } else {
                        ui.add(crate::editor::widgets::drag(v).speed(speed).suffix(" m"));
                    }
                    ui.end_row();
                }
                ui.label(tr("prop-crs"));
                let mut code = origin
                    .crs
                    .as_deref()
                    .and_then(|c| c.strip_prefix("EPSG:"))
                    .unwrap_or("")
                    .to_string();
                if ui
                    .add(egui::TextEdit::singleline(&mut code).hint_text(tr("prop-crs-example")))
                    .on_hover_text(tr("prop-crs-tip"))
                    .changed()
                {
                    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
                    origin.crs = (!digits.is_empty()).then(|| format!("EPSG:{digits}"));
                }
                ui.end_row();
            });
            let georef = twincity_scene::coverage_export::Georef::new(Some(origin));
            ui.weak(exports_text(&georef.kind, origin));
            let wanted = (edited != zero).then_some(edited);
            if wanted != project.origin {
                project.origin = wanted;
            }
        });
}

/// What coverage exports write, in the interface's language.
fn exports_text(kind: &GeorefKind, origin: &GeoOrigin) -> String {
    let crs_arg = |crs: &str| -> Arg { crs.to_string().into() };
    let how = match kind {
        GeorefKind::Wgs84 {
            crs,
            geocentric: true,
        } => tr_args("prop-georef-wgs84-ecef", &[("crs", crs_arg(crs))]),
        GeorefKind::Wgs84 { crs, .. } => tr_args("prop-georef-wgs84", &[("crs", crs_arg(crs))]),
        GeorefKind::Local(why) => {
            let why = match why {
                LocalWhy::NoOrigin => tr("prop-georef-no-origin"),
                LocalWhy::NoCrs => tr("prop-georef-no-crs"),
                LocalWhy::NotEpsg(crs) => tr_args("prop-georef-not-epsg", &[("crs", crs_arg(crs))]),
                LocalWhy::Geographic(crs) => {
                    tr_args("prop-georef-geographic", &[("crs", crs_arg(crs))])
                }
                LocalWhy::UnknownEpsg(crs) => {
                    tr_args("prop-georef-unknown-epsg", &[("crs", crs_arg(crs))])
                }
            };
            tr_args(
                "prop-georef-local",
                &[
                    ("x", number(origin.x, 3).into()),
                    ("y", number(origin.y, 3).into()),
                    ("why", why.into()),
                ],
            )
        }
    };
    tr_args("prop-exports", &[("how", how.into())])
}

/// A camera: name, placement, lens, image and the DORI reach of its lens.
fn camera_properties(
    ui: &mut egui::Ui,
    cam: &mut VirtualCamera,
    origin: Option<&GeoOrigin>,
    a: &mut Actions,
) {
    ui.horizontal(|ui| {
        ui.label(tr("prop-name"));
        ui.text_edit_singleline(&mut cam.name);
    });
    ui.label(tr_args("prop-id", &[("id", cam.id.0.to_string().into())]));
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tr("prop-placement"))
        .default_open(true)
        .show(ui, |ui| camera_placement(ui, cam, origin));
    egui::CollapsingHeader::new(tr("prop-lens"))
        .default_open(true)
        .show(ui, |ui| {
            camera_lens(ui, cam);
            camera_zoom(ui, cam);
        });
    egui::CollapsingHeader::new(tr("prop-image"))
        .default_open(true)
        .show(ui, |ui| camera_image(ui, cam));
    egui::CollapsingHeader::new(tr("prop-dori"))
        .default_open(true)
        .show(ui, |ui| camera_dori(ui, cam));
    ui.horizontal(|ui| {
        if ui.button(tr("prop-frame")).clicked() {
            a.frame = true;
        }
        if ui.button(tr("prop-delete")).clicked() {
            a.delete_selected = true;
        }
    });
}

/// Position (east, north, height), pan, tilt and roll; the position in the project's CRS.
fn camera_placement(ui: &mut egui::Ui, cam: &mut VirtualCamera, origin: Option<&GeoOrigin>) {
    egui::Grid::new("placement").num_columns(2).show(ui, |ui| {
        ui.label(tr("prop-east"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.position.x)
                .speed(0.1)
                .suffix(" m"),
        );
        ui.end_row();
        ui.label(tr("prop-north"));
        let mut north = -cam.position.z;
        if ui
            .add(
                crate::editor::widgets::drag(&mut north)
                    .speed(0.1)
                    .suffix(" m"),
            )
            .changed()
        {
            cam.position.z = -north;
        }
        ui.end_row();
        ui.label(tr("prop-height-y"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.position.y)
                .speed(0.05)
                .suffix(" m"),
        );
        ui.end_row();
        ui.label(tr("prop-pan"));
        ui.add(crate::editor::widgets::slider(&mut cam.pan_deg, 0.0..=360.0).suffix("°"));
        ui.end_row();
        ui.label(tr("prop-tilt"));
        ui.add(crate::editor::widgets::slider(&mut cam.tilt_deg, -90.0..=90.0).suffix("°"));
        ui.end_row();
        ui.label(tr("prop-roll"));
        ui.add(crate::editor::widgets::slider(&mut cam.roll_deg, -180.0..=180.0).suffix("°"));
        ui.end_row();
        if let Some(o) = origin {
            let p = cam.position.as_dvec3();
            ui.label(in_crs(o));
            ui.label(format!(
                "E {:.2}, N {:.2}, H {:.2}",
                o.x + p.x,
                o.y - p.z,
                o.z + p.y
            ))
            .on_hover_text(tr("prop-centre-crs-tip"));
            ui.end_row();
        }
    });
}

/// The lens: a preset or its sensor size and focal length (or field of view).
fn camera_lens(ui: &mut egui::Ui, cam: &mut VirtualCamera) {
    let current = LensPreset::ALL.iter().find(|p| p.lens() == cam.lens);
    egui::ComboBox::from_label(tr("prop-preset"))
        .selected_text(current.map_or_else(|| tr("prop-custom"), |p| p.label().to_string()))
        .show_ui(ui, |ui| {
            for p in LensPreset::ALL {
                if ui
                    .selectable_label(current == Some(&p), p.label())
                    .clicked()
                {
                    cam.lens = p.lens();
                }
            }
        });
    egui::Grid::new("lens").num_columns(2).show(ui, |ui| {
        ui.label(tr("prop-sensor-width"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.lens.sensor_width_mm)
                .speed(0.01)
                .range(0.5..=50.0)
                .suffix(" mm"),
        );
        ui.end_row();
        ui.label(tr("prop-sensor-height"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.lens.sensor_height_mm)
                .speed(0.01)
                .range(0.5..=50.0)
                .suffix(" mm"),
        );
        ui.end_row();
        ui.label(tr("prop-focal"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.lens.focal_length_mm)
                .speed(0.05)
                .range(0.5..=300.0)
                .suffix(" mm"),
        );
        ui.end_row();
        ui.label(tr("prop-hfov"));
        let mut hfov = cam.lens.horizontal_fov().to_degrees();
        if ui
            .add(
                crate::editor::widgets::drag(&mut hfov)
                    .speed(0.2)
                    .range(1.0..=170.0)
                    .suffix("°"),
            )
            .changed()
        {
            cam.lens.focal_length_mm = cam.lens.focal_for_horizontal_fov(hfov.to_radians());
        }
        ui.end_row();
        ui.label(tr("prop-vfov"));
        ui.label(format!(
            "{}°",
            twincity_i18n::number(cam.render_vertical_fov().to_degrees() as f64, 1)
        ));
        ui.end_row();
    });
}

/// A varifocal or PTZ lens: its focal range and the zoom within it.
fn camera_zoom(ui: &mut egui::Ui, cam: &mut VirtualCamera) {
    let mut zoom = cam.zoom_mm.is_some();
    if ui
        .checkbox(&mut zoom, tr("prop-zoom"))
        .on_hover_text(tr("prop-zoom-tip"))
        .changed()
    {
        let f = cam.lens.focal_length_mm;
        cam.zoom_mm = zoom.then(|| (f.min(2.8), f.max(12.0)));
    }
    if let Some((wide, tele)) = cam.zoom_mm.as_mut() {
        egui::Grid::new("zoom").num_columns(2).show(ui, |ui| {
            ui.label(tr("prop-wide-end"));
            ui.add(
                crate::editor::widgets::drag(wide)
                    .speed(0.05)
                    .range(0.5..=300.0)
                    .suffix(" mm"),
            );
            ui.end_row();
            ui.label(tr("prop-tele-end"));
            ui.add(
                crate::editor::widgets::drag(tele)
                    .speed(0.05)
                    .range(0.5..=300.0)
                    .suffix(" mm"),
            );
            ui.end_row();
        });
        *tele = tele.max(*wide);
        let (w, t) = (*wide, *tele);
        cam.lens.focal_length_mm = cam.lens.focal_length_mm.clamp(w, t);
        ui.add(
            crate::editor::widgets::slider(&mut cam.lens.focal_length_mm, w..=t)
                .logarithmic(true)
                .text(tr("prop-zoom-slider"))
                .suffix(" mm"),
        );
    }
}

/// Resolution and frame rate.
fn camera_image(ui: &mut egui::Ui, cam: &mut VirtualCamera) {
    egui::Grid::new("image").num_columns(2).show(ui, |ui| {
        ui.label(tr("prop-resolution"));
        ui.horizontal(|ui| {
            ui.add(crate::editor::widgets::drag(&mut cam.resolution.0).range(16..=16384));
            ui.label("×");
            ui.add(crate::editor::widgets::drag(&mut cam.resolution.1).range(16..=16384));
        });
        ui.end_row();
        ui.label(tr("prop-frame-rate"));
        ui.add(
            crate::editor::widgets::drag(&mut cam.fps)
                .speed(0.5)
                .range(0.5..=240.0)
                .suffix(" fps"),
        );
        ui.end_row();
    });
}

/// How far each DORI class reaches with this lens (at both ends of a zoom lens).
fn camera_dori(ui: &mut egui::Ui, cam: &VirtualCamera) {
    egui::Grid::new("dori")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.strong(tr("prop-class"));
            ui.strong("px/m");
            ui.strong(tr("prop-up-to"));
            if cam.zoom_mm.is_some() {
                ui.strong(tr("prop-wide"));
                ui.strong(tr("prop-tele"));
            }
            ui.end_row();
            let reach = |focal: f32, ppm: f32| {
                let mut lens = cam.lens;
                lens.focal_length_mm = focal;
                format!(
                    "{:.1} m",
                    DoriClass::max_distance(&lens, cam.resolution.0, ppm)
                )
            };
            for (class, ppm) in DoriClass::THRESHOLDS.iter().rev().skip(1).take(4) {
                ui.label(format!("{class:?}"));
                ui.label(format!("{ppm}"));
                ui.label(reach(cam.lens.focal_length_mm, *ppm));
                if let Some((w, t)) = cam.zoom_mm {
                    ui.label(reach(w, *ppm));
                    ui.label(reach(t, *ppm));
                }
                ui.end_row();
            }
        });
}

/// "In EPSG:2154" (or in the source CRS, when unknown).
fn in_crs(o: &GeoOrigin) -> String {
    let crs = o.crs.clone().unwrap_or_else(|| tr("prop-source-crs"));
    tr_args("prop-in-crs", &[("crs", crs.into())])
}
