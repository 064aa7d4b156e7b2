//! The scenario timeline panel: events as bars on tracks (drag a bar to move it, its right
//! edge to resize it, click to edit it), play / pause / step, a ruler to scrub and shift-drag
//! to loop a range, and the selected event's fields (places picked in the 3D view).
//! It only reads the [`ScenarioPlayer`] and returns commands.

use bevy_egui::egui;
use twincity_i18n::{number, tr, tr_args};
use twincity_scenario::{
    Draw, Dumper, Incident, Lights, Num, ObjectKind, Scenario, ScenarioEvent, Start, TimedEvent,
    VehicleKind, VehicleSpec,
};

use crate::render::scenario::{ScenarioCommand, ScenarioPlayer};

/// What the panel asks for.
#[derive(Default)]
pub struct TimelineOut {
    pub commands: Vec<ScenarioCommand>,
    /// Open the file prompt to load a scenario.
    pub load: bool,
    pub save_as: bool,
    /// Pick a place in the 3D view: (event, field).
    pub placing: Option<Option<(usize, &'static str)>>,
    pub select: Option<Option<usize>>,
}

const LABELS_W: f32 = 150.0;
const ROW_H: f32 = 20.0;
const RULER_H: f32 = 20.0;

fn kind_colour(incident: &Incident) -> egui::Color32 {
    match incident {
        Incident::Dumping { .. } => egui::Color32::from_rgb(190, 140, 60),
        Incident::Collapse { .. } => egui::Color32::from_rgb(200, 70, 70),
        Incident::Gathering { .. } => egui::Color32::from_rgb(70, 170, 190),
        Incident::Dispersal { .. } => egui::Color32::from_rgb(190, 80, 190),
        Incident::Vehicle { .. } => egui::Color32::from_rgb(90, 120, 200),
    }
}

/// The message of an incident kind, lower case (hover texts, new events' ids).
fn kind_label(incident: &Incident) -> String {
    tr(match incident {
        Incident::Dumping { .. } => "timeline-kind-dumping",
        Incident::Collapse { .. } => "timeline-kind-collapse",
        Incident::Gathering { .. } => "timeline-kind-gathering",
        Incident::Dispersal { .. } => "timeline-kind-dispersal",
        Incident::Vehicle { .. } => "timeline-kind-vehicle",
    })
}

fn vehicle_kind_label(kind: VehicleKind) -> String {
    tr(match kind {
        VehicleKind::Car => "timeline-vehicle-car",
        VehicleKind::Van => "timeline-vehicle-van",
        VehicleKind::Truck => "timeline-vehicle-truck",
        VehicleKind::Bicycle => "timeline-vehicle-bicycle",
    })
}

fn object_label(kind: ObjectKind) -> String {
    tr(match kind {
        ObjectKind::Bag => "timeline-object-bag",
        ObjectKind::Box => "timeline-object-box",
        ObjectKind::Mattress => "timeline-object-mattress",
        ObjectKind::Appliance => "timeline-object-appliance",
        ObjectKind::Tyre => "timeline-object-tyre",
    })
}

/// `v` as the language writes numbers, with as many decimals as it has.
fn plain_number(v: f64) -> String {
    let text = format!("{v}");
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    number(v, decimals)
}

/// A list's items joined as the language does (`, ` in English, ` ; ` in French, where the
/// comma is the decimal separator).
fn join_list(items: &[String]) -> String {
    items.join(&tr("timeline-list-separator"))
}

/// A tick step giving about one label per 80 pixels.
fn tick_step(px_per_s: f32) -> f64 {
    [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ]
    .into_iter()
    .find(|s| *s as f32 * px_per_s >= 80.0)
    .unwrap_or(3600.0)
}

/// Moves an event's start by `dt` seconds (its own number for `At`, its delay otherwise;
/// a drawn range moves as a whole).
pub fn shift_start(e: &mut ScenarioEvent, dt: f64) {
    let n = match &mut e.start {
        Start::At(n) => n,
        Start::After { delay_s, .. } | Start::AfterEnd { delay_s, .. } => delay_s,
    };
    let low = n.bounds().0;
    let dt = dt.max(-low);
    match n {
        Num::Fixed(v) => *v += dt,
        Num::Drawn(Draw::Range(a, b)) => {
            *a += dt;
            *b += dt;
        }
        Num::Drawn(Draw::Choice(values)) => values.iter_mut().for_each(|v| *v += dt),
    }
}

/// Lengthens an event by `dt` seconds through the field that sets its length (what drops
/// take, how long people stay, a vehicle's stop or speed); `false` when nothing does (a
/// collapse lasts to the end).
pub fn resize(e: &mut ScenarioEvent, planned: f64, dt: f64) -> bool {
    let stretch = |n: &mut Num| {
        let v = (n.bounds().0 + dt).max(0.0);
        *n = Num::Fixed((v * 10.0).round() / 10.0);
    };
    match &mut e.incident {
        Incident::Dumping { drop_s, .. } => stretch(drop_s),
        Incident::Gathering { stay_s, .. } | Incident::Dispersal { stay_s, .. } => stretch(stay_s),
        Incident::Vehicle { park: Some(p), .. } => stretch(&mut p.stay_s),
        Incident::Vehicle {
            speed_kmh, route, ..
        } => {
            // Same route in a different time: the speed changes.
            let len = twincity_scenario::route_length(route);
            let new = (planned + dt).max(1.0);
            *speed_kmh = Num::Fixed(((len / new * 3.6) * 10.0).round() / 10.0);
        }
        Incident::Collapse { .. } => return false,
    }
    true
}

/// The panel: header, tracks and the selected event's fields.
pub fn timeline_panel(ui: &mut egui::Ui, player: &ScenarioPlayer) -> TimelineOut {
    let mut out = TimelineOut::default();
    let (Some(scenario), Some(path)) = (&player.scenario, Some(&player.path)) else {
        return out;
    };
    let duration = scenario.duration_s.max(1.0);
    let now = player.time();
    ui.horizontal_wrapped(|ui| {
        ui.strong(&scenario.name);
        ui.weak(
            path.as_ref()
                .map_or(tr("timeline-not-saved"), |p| p.display().to_string()),
        );
        if player.dirty {
            ui.colored_label(
                egui::Color32::YELLOW,
                format!("● {}", tr("timeline-unsaved")),
            );
        }
        ui.separator();
        // Pause is the same word in French: left in code, not a message.
        let play = if player.playing {
            "⏸ Pause".to_string()
        } else {
            format!("▶ {}", tr("timeline-play"))
        };
        if ui.button(play).clicked() {
            out.commands.push(ScenarioCommand::TogglePlay);
        }
        if ui
            .button(tr_args("timeline-step", &[("step", number(0.1, 1).into())]))
            .clicked()
        {
            out.commands.push(ScenarioCommand::Step);
        }
        ui.label(format!("{:>6} / {} s", number(now, 1), number(duration, 0)));
        ui.separator();
        let mut looping = player.loop_range.is_some();
        if ui
            .checkbox(&mut looping, tr("timeline-loop"))
            .on_hover_text(tr("timeline-loop-tip"))
            .changed()
        {
            out.commands
                .push(ScenarioCommand::Loop(looping.then_some((0.0, duration))));
        }
        if let Some((mut a, mut b)) = player.loop_range {
            let ra = ui.add(
                crate::editor::widgets::drag(&mut a)
                    .range(0.0..=duration)
                    .suffix(" s"),
            );
            ui.label(tr("timeline-to"));
            let rb = ui.add(
                crate::editor::widgets::drag(&mut b)
                    .range(0.0..=duration)
                    .suffix(" s"),
            );
            if ra.changed() || rb.changed() {
                out.commands.push(ScenarioCommand::Loop(Some((a, b))));
            }
        }
        ui.separator();
        use crate::editor::widgets::FileButton;
        match crate::editor::widgets::undo_save_buttons(
            ui,
            player.history.as_ref(),
            player.path.is_some(),
        ) {
            Some(FileButton::Undo) => out.commands.push(ScenarioCommand::Undo),
            Some(FileButton::Redo) => out.commands.push(ScenarioCommand::Redo),
            Some(FileButton::Save) => out.commands.push(ScenarioCommand::Save(None)),
            Some(FileButton::SaveAs) => out.save_as = true,
            None => {}
        }
        if ui.button(tr("timeline-close")).clicked() {
            out.commands.push(ScenarioCommand::Close);
        }
    });
    for (msg, colour) in [
        (&player.error, egui::Color32::LIGHT_RED),
        (&player.problem, egui::Color32::LIGHT_RED),
        (&player.saved, egui::Color32::LIGHT_GRAY),
    ] {
        if let Some(m) = msg {
            ui.colored_label(colour, m);
        }
    }
    ui.separator();
    let full = ui.available_rect_before_wrap();
    let editor_w = (full.width() * 0.36).clamp(260.0, 460.0);
    ui.horizontal_top(|ui| {
        let tracks_w = (ui.available_width() - editor_w - 12.0).max(200.0);
        ui.vertical(|ui| {
            ui.set_width(tracks_w);
            egui::ScrollArea::vertical()
                .id_salt("timeline tracks")
                .show(ui, |ui| tracks(ui, player, scenario, duration, &mut out));
        });
        ui.separator();
        ui.vertical(|ui| {
            egui::ScrollArea::vertical()
                .id_salt("timeline editor")
                .show(ui, |ui| {
                    let mut s = scenario.clone();
                    match player.selected.filter(|&i| i < s.events.len()) {
                        Some(i) => event_editor(ui, &mut s, i, player, &mut out),
                        None => scenario_editor(ui, &mut s, &mut out, now),
                    }
                    if s != *scenario {
                        out.commands.push(ScenarioCommand::Replace(Box::new(s)));
                    }
                });
        });
    });
    out
}

fn tracks(
    ui: &mut egui::Ui,
    player: &ScenarioPlayer,
    scenario: &Scenario,
    duration: f64,
    out: &mut TimelineOut,
) {
    let n = scenario.events.len();
    let width = ui.available_width();
    let height = RULER_H + ROW_H * n.max(1) as f32 + 4.0;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let x0 = rect.left() + LABELS_W;
    let area = TrackArea {
        painter: ui.painter_at(rect),
        rect,
        axis: TimeAxis {
            x0,
            px_per_s: ((rect.right() - x0 - 6.0) / duration as f32).max(0.01),
            duration,
        },
        player,
        scenario,
    };
    area.ruler(ui, out);
    for i in 0..n {
        area.track(ui, i, out);
    }
    if n == 0 {
        area.painter.text(
            egui::pos2(x0 + 8.0, rect.top() + RULER_H + ROW_H / 2.0),
            egui::Align2::LEFT_CENTER,
            tr("timeline-no-events"),
            egui::FontId::proportional(12.0),
            ui.visuals().weak_text_color(),
        );
    }
    let x = area.axis.x_of(player.time());
    area.painter.line_segment(
        [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
        egui::Stroke::new(2.0, egui::Color32::from_rgb(255, 90, 60)),
    );
}

/// Where times fall across the tracks: seconds to pixels and back.
#[derive(Clone, Copy)]
struct TimeAxis {
    /// Where time 0 is.
    x0: f32,
    px_per_s: f32,
    duration: f64,
}

impl TimeAxis {
    /// The x of time `t` (clamped to the scenario).
    fn x_of(&self, t: f64) -> f32 {
        self.x0 + (t.clamp(0.0, self.duration) as f32) * self.px_per_s
    }

    /// The time at `x` (clamped to the scenario).
    fn t_of(&self, x: f32) -> f64 {
        (((x - self.x0) / self.px_per_s) as f64).clamp(0.0, self.duration)
    }
}

/// The tracks' area as allocated: what the ruler and the rows are drawn with and from.
struct TrackArea<'a> {
    painter: egui::Painter,
    rect: egui::Rect,
    axis: TimeAxis,
    player: &'a ScenarioPlayer,
    scenario: &'a Scenario,
}

impl TrackArea<'_> {
    /// The ruler: ticks, the loop range; click or drag to scrub, shift-drag to choose the loop
    /// range.
    fn ruler(&self, ui: &mut egui::Ui, out: &mut TimelineOut) {
        let (rect, axis, painter) = (self.rect, self.axis, &self.painter);
        let weak = ui.visuals().weak_text_color();
        let ruler = egui::Rect::from_min_max(
            egui::pos2(axis.x0, rect.top()),
            egui::pos2(rect.right(), rect.top() + RULER_H),
        );
        painter.rect_filled(ruler, 2.0, ui.visuals().extreme_bg_color);
        let step = tick_step(axis.px_per_s);
        let mut t = 0.0;
        while t <= axis.duration + 1e-9 {
            let x = axis.x_of(t);
            painter.line_segment(
                [
                    egui::pos2(x, ruler.bottom() - 6.0),
                    egui::pos2(x, ruler.bottom()),
                ],
                egui::Stroke::new(1.0, weak),
            );
            painter.text(
                egui::pos2(x + 2.0, ruler.top() + 2.0),
                egui::Align2::LEFT_TOP,
                if t >= 60.0 && step >= 60.0 {
                    format!("{}:{:02}", (t / 60.0).floor(), (t % 60.0) as u32)
                } else {
                    number(t, 0)
                },
                egui::FontId::proportional(11.0),
                weak,
            );
            t += step;
        }
        if let Some((a, b)) = self.player.loop_range {
            painter.rect_filled(
                egui::Rect::from_min_max(
                    egui::pos2(axis.x_of(a), rect.top()),
                    egui::pos2(axis.x_of(b), rect.bottom()),
                ),
                0.0,
                egui::Color32::from_rgba_unmultiplied(120, 200, 120, 28),
            );
        }
        let ruler_resp = ui.interact(ruler, ui.id().with("ruler"), egui::Sense::click_and_drag());
        let shift = ui.input(|i| i.modifiers.shift);
        if let Some(p) = ruler_resp.interact_pointer_pos() {
            if shift {
                let origin = ruler_resp
                    .interact_pointer_pos()
                    .map(|_| ui.input(|i| i.pointer.press_origin()).unwrap_or(p));
                if let Some(o) = origin {
                    let (a, b) = (axis.t_of(o.x.min(p.x)), axis.t_of(o.x.max(p.x)));
                    if b - a >= 0.5 {
                        out.commands.push(ScenarioCommand::Loop(Some((a, b))));
                    }
                }
            } else if ruler_resp.clicked() || ruler_resp.dragged() {
                out.commands.push(ScenarioCommand::Seek(axis.t_of(p.x)));
            }
        }
    }

    /// Event `i`'s track: its name, and its bar once the scenario is compiled.
    fn track(&self, ui: &mut egui::Ui, i: usize, out: &mut TimelineOut) {
        let rect = self.rect;
        let e = &self.scenario.events[i];
        let top = rect.top() + RULER_H + 2.0 + ROW_H * i as f32;
        let row = egui::Rect::from_min_max(
            egui::pos2(rect.left(), top),
            egui::pos2(rect.right(), top + ROW_H),
        );
        if i % 2 == 1 {
            self.painter
                .rect_filled(row, 0.0, ui.visuals().faint_bg_color);
        }
        let selected = self.player.selected == Some(i);
        self.painter.text(
            egui::pos2(rect.left() + 4.0, top + ROW_H / 2.0),
            egui::Align2::LEFT_CENTER,
            &e.id,
            egui::FontId::proportional(12.0),
            if selected {
                ui.visuals().strong_text_color()
            } else {
                ui.visuals().text_color()
            },
        );
        let compiled = self.player.compiled.as_ref();
        if let Some(timed) = compiled.and_then(|c| c.events.get(i)) {
            self.bar(ui, i, timed, top, out);
        }
    }

    /// Event `i`'s bar from its start to its end: click to select, drag to move, drag the
    /// right edge to resize (one undo step each, when released).
    fn bar(
        &self,
        ui: &mut egui::Ui,
        i: usize,
        timed: &TimedEvent,
        top: f32,
        out: &mut TimelineOut,
    ) {
        let (axis, painter) = (self.axis, &self.painter);
        let e = &self.scenario.events[i];
        let selected = self.player.selected == Some(i);
        let drag_id = ui.id().with(("bar", i));
        let offset: f32 = ui.data(|d| d.get_temp(drag_id).unwrap_or(0.0));
        let resize_id = ui.id().with(("edge", i));
        let stretch: f32 = ui.data(|d| d.get_temp(resize_id).unwrap_or(0.0));
        let open_ended = !timed.end_s.is_finite();
        let (a, b) = (
            axis.x_of(timed.start_s) + offset,
            if open_ended {
                axis.x_of(axis.duration)
            } else {
                axis.x_of(timed.end_s)
            } + offset
                + stretch,
        );
        let bar = egui::Rect::from_min_max(
            egui::pos2(a, top + 3.0),
            egui::pos2(b.max(a + 4.0), top + ROW_H - 3.0),
        );
        let mut colour = kind_colour(&e.incident);
        if selected {
            colour = colour.gamma_multiply(1.3);
        }
        painter.rect_filled(bar, 3.0, colour);
        if open_ended {
            painter.text(
                egui::pos2(bar.right() - 4.0, bar.center().y),
                egui::Align2::RIGHT_CENTER,
                tr("timeline-to-the-end"),
                egui::FontId::proportional(10.0),
                egui::Color32::WHITE,
            );
        }
        if selected {
            painter.line_segment(
                [bar.left_bottom(), bar.right_bottom()],
                egui::Stroke::new(2.0, egui::Color32::WHITE),
            );
        }
        // Body: click to select, drag to move (one undo step when released).
        let body = egui::Rect::from_min_max(
            bar.min,
            egui::pos2((bar.right() - 6.0).max(bar.left() + 2.0), bar.bottom()),
        );
        let resp = ui
            .interact(body, drag_id, egui::Sense::click_and_drag())
            .on_hover_text(format!(
                "{} → {}\n{}",
                tr_args(
                    "timeline-bar-start",
                    &[
                        ("kind", kind_label(&e.incident).into()),
                        ("id", e.id.as_str().into()),
                        ("start", number(timed.start_s, 1).into()),
                    ],
                ),
                if open_ended {
                    tr("timeline-bar-end")
                } else {
                    format!("{} s", number(timed.end_s, 1))
                },
                tr("timeline-bar-hint"),
            ));
        if resp.clicked() || resp.drag_started() {
            out.select = Some(Some(i));
        }
        if resp.dragged() {
            ui.data_mut(|d| d.insert_temp(drag_id, offset + resp.drag_delta().x));
        }
        if resp.drag_stopped() {
            ui.data_mut(|d| d.remove::<f32>(drag_id));
            let mut s = self.scenario.clone();
            shift_start(
                &mut s.events[i],
                ((offset / axis.px_per_s) as f64 * 10.0).round() / 10.0,
            );
            out.commands.push(ScenarioCommand::Replace(Box::new(s)));
        }
        if !open_ended {
            self.resize_edge(ui, i, timed, bar, stretch, out);
        }
    }

    /// The right edge of event `i`'s bar, dragged by `stretch` pixels so far: released, it
    /// lengthens the event.
    fn resize_edge(
        &self,
        ui: &mut egui::Ui,
        i: usize,
        timed: &TimedEvent,
        bar: egui::Rect,
        stretch: f32,
        out: &mut TimelineOut,
    ) {
        let resize_id = ui.id().with(("edge", i));
        let edge =
            egui::Rect::from_min_max(egui::pos2(bar.right() - 6.0, bar.top()), bar.right_bottom());
        let er = ui
            .interact(edge, resize_id, egui::Sense::drag())
            .on_hover_cursor(egui::CursorIcon::ResizeHorizontal);
        if er.dragged() {
            ui.data_mut(|d| d.insert_temp(resize_id, stretch + er.drag_delta().x));
        }
        if er.drag_stopped() {
            ui.data_mut(|d| d.remove::<f32>(resize_id));
            let mut s = self.scenario.clone();
            if resize(
                &mut s.events[i],
                timed.end_s - timed.start_s,
                (stretch / self.axis.px_per_s) as f64,
            ) {
                out.commands.push(ScenarioCommand::Replace(Box::new(s)));
            }
        }
    }
}

/// A number: fixed, or a range drawn from the seed.
fn num_field(
    ui: &mut egui::Ui,
    label: &str,
    n: &mut Num,
    suffix: &str,
    range: std::ops::RangeInclusive<f64>,
) {
    ui.label(label);
    ui.horizontal(|ui| match n {
        Num::Fixed(v) => {
            ui.add(
                crate::editor::widgets::drag(v)
                    .range(range.clone())
                    .speed(0.1)
                    .suffix(suffix),
            );
            if ui
                .small_button("±")
                .on_hover_text(tr("timeline-draw-tip"))
                .clicked()
            {
                *n = Num::Drawn(Draw::Range(*v, *v));
            }
        }
        Num::Drawn(Draw::Range(a, b)) => {
            ui.add(
                crate::editor::widgets::drag(a)
                    .range(range.clone())
                    .speed(0.1),
            );
            ui.label(tr("timeline-to"));
            ui.add(
                crate::editor::widgets::drag(b)
                    .range(range.clone())
                    .speed(0.1)
                    .suffix(suffix),
            );
            if *b < *a {
                *b = *a;
            }
            if ui
                .small_button("=")
                .on_hover_text(tr("timeline-fixed-tip"))
                .clicked()
            {
                *n = Num::Fixed(*a);
            }
        }
        Num::Drawn(Draw::Choice(values)) => {
            let shown: Vec<String> = values.iter().map(|v| plain_number(*v)).collect();
            ui.label(tr_args(
                "timeline-one-of",
                &[("values", join_list(&shown).into())],
            ));
            if ui
                .small_button("=")
                .on_hover_text(tr("timeline-fixed-tip"))
                .clicked()
            {
                *n = Num::Fixed(values.first().copied().unwrap_or(0.0));
            }
        }
    });
    ui.end_row();
}

/// A place of event `event`: `key` is its field (what the 3D view's pick fills in), `label`
/// what the row shows.
fn point_field(
    ui: &mut egui::Ui,
    key: &'static str,
    label: &str,
    p: &mut (f64, f64),
    event: usize,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    ui.label(label);
    ui.horizontal(|ui| {
        ui.add(
            crate::editor::widgets::drag(&mut p.0)
                .speed(0.2)
                .prefix("E "),
        );
        ui.add(
            crate::editor::widgets::drag(&mut p.1)
                .speed(0.2)
                .prefix("N "),
        );
        let picking = player.placing == Some((event, key));
        if ui
            .selectable_label(picking, tr("timeline-pick"))
            .on_hover_text(tr("timeline-pick-tip"))
            .clicked()
        {
            out.placing = Some((!picking).then_some((event, key)));
        }
    });
    ui.end_row();
}

fn vehicle_fields(ui: &mut egui::Ui, id: &str, v: &mut VehicleSpec) {
    ui.label(tr("timeline-vehicle"));
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt(("kind", id))
            .selected_text(vehicle_kind_label(v.kind))
            .show_ui(ui, |ui| {
                for kind in VehicleKind::ALL {
                    if ui
                        .selectable_value(&mut v.kind, kind, vehicle_kind_label(kind))
                        .changed()
                    {
                        if v.body().model().kind != kind {
                            v.body = None;
                        }
                        // A bicycle carries no plate; other vehicles need one.
                        if !kind.has_plate() {
                            v.plate.clear();
                        } else if v.plate.trim().is_empty() {
                            v.plate = "AA-000-AA".into();
                        }
                    }
                }
            });
        let body = v.body();
        egui::ComboBox::from_id_salt(("body", id))
            .selected_text(body.name())
            .show_ui(ui, |ui| {
                for b in twincity_scenario::vehicles::VehicleBody::ALL {
                    if b.model().kind == v.kind {
                        let mut chosen = v.body();
                        if ui.selectable_value(&mut chosen, b, b.name()).changed() {
                            v.body = Some(chosen);
                        }
                    }
                }
            })
            .response
            .on_hover_text(tr("timeline-body-tip"));
        ui.add(
            egui::TextEdit::singleline(&mut v.make)
                .desired_width(70.0)
                .hint_text(tr("timeline-make")),
        );
        ui.add(
            egui::TextEdit::singleline(&mut v.model)
                .desired_width(70.0)
                .hint_text(tr("timeline-model")),
        );
    });
    ui.end_row();
    if v.kind.has_plate() {
        ui.label(tr("timeline-plate"));
        ui.add(egui::TextEdit::singleline(&mut v.plate).desired_width(100.0));
        ui.end_row();
    }
}

fn event_editor(
    ui: &mut egui::Ui,
    s: &mut Scenario,
    i: usize,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    let ids: Vec<String> = s.events.iter().map(|e| e.id.clone()).collect();
    event_buttons(ui, s, i, player, out);
    if i >= s.events.len() {
        return;
    }
    let e = &mut s.events[i];
    egui::Grid::new(("event", i)).num_columns(2).show(ui, |ui| {
        ui.label(tr("timeline-id"));
        ui.text_edit_singleline(&mut e.id);
        ui.end_row();
        start_fields(ui, i, e, &ids, player);
        let own = e.id.clone();
        incident_fields(ui, i, &own, &mut e.incident, player, out);
    });
    if let Some(t) = player.compiled.as_ref().and_then(|c| c.events.get(i)) {
        let drawn: Vec<String> = t
            .drawn
            .iter()
            .map(|(k, v)| format!("{k} = {}", number(*v, 2)))
            .collect();
        ui.weak(tr_args(
            "timeline-drawn",
            &[
                ("seed", s.seed.to_string().into()),
                ("start", number(t.start_s, 1).into()),
                (
                    "end",
                    if t.end_s.is_finite() {
                        format!("{} s", number(t.end_s, 1))
                    } else {
                        tr("timeline-at-the-end")
                    }
                    .into(),
                ),
                ("drawn", join_list(&drawn).into()),
            ],
        ));
    }
}

/// Back to all events, and Delete (events timed from the deleted one keep their time).
fn event_buttons(
    ui: &mut egui::Ui,
    s: &mut Scenario,
    i: usize,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    ui.horizontal(|ui| {
        if ui
            .button(format!("← {}", tr("timeline-all-events")))
            .clicked()
        {
            out.select = Some(None);
        }
        if ui.button(tr("timeline-delete")).clicked() {
            // Events timed from this one are timed from its start instead.
            let removed = s.events.remove(i);
            let start = player
                .compiled
                .as_ref()
                .and_then(|c| c.events.get(i))
                .map_or(0.0, |t| t.start_s);
            for e in &mut s.events {
                if matches!(&e.start, Start::After { event, .. } | Start::AfterEnd { event, .. } if *event == removed.id)
                {
                    e.start = Start::At(Num::Fixed((start * 10.0).round() / 10.0));
                }
            }
            out.select = Some(None);
        }
    });
}

/// When event `i` starts: at a time, or after another event starts or ends (with a delay).
/// Rows of the event's grid.
fn start_fields(
    ui: &mut egui::Ui,
    i: usize,
    e: &mut ScenarioEvent,
    ids: &[String],
    player: &ScenarioPlayer,
) {
    ui.label(tr("timeline-starts"));
    let kind = match &e.start {
        Start::At(_) => 0,
        Start::After { .. } => 1,
        Start::AfterEnd { .. } => 2,
    };
    let mut new_kind = kind;
    let other = ids.iter().find(|o| **o != e.id).cloned();
    egui::ComboBox::from_id_salt(("start", i))
        .selected_text(start_label(kind))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut new_kind, 0, start_label(0));
            if other.is_some() {
                ui.selectable_value(&mut new_kind, 1, start_label(1));
                ui.selectable_value(&mut new_kind, 2, start_label(2));
            }
        });
    ui.end_row();
    if new_kind != kind {
        let delay = Num::Fixed(0.0);
        let event = other.clone().unwrap_or_default();
        e.start = match new_kind {
            0 => Start::At(Num::Fixed(player.time())),
            1 => Start::After {
                event,
                delay_s: delay,
            },
            _ => Start::AfterEnd {
                event,
                delay_s: delay,
            },
        };
    }
    let own = e.id.clone();
    match &mut e.start {
        Start::At(n) => num_field(ui, &tr("timeline-at"), n, " s", 0.0..=86_400.0),
        Start::After { event, delay_s } | Start::AfterEnd { event, delay_s } => {
            ui.label(tr("timeline-event"));
            egui::ComboBox::from_id_salt(("after", i))
                .selected_text(event.as_str())
                .show_ui(ui, |ui| {
                    for o in ids.iter().filter(|o| **o != own) {
                        ui.selectable_value(event, o.clone(), o);
                    }
                });
            ui.end_row();
            num_field(ui, &tr("timeline-delay"), delay_s, " s", 0.0..=86_400.0);
        }
    }
}

/// How an event starts (0: at a time, 1: after another starts, 2: after another ends).
fn start_label(kind: usize) -> String {
    tr(match kind {
        0 => "timeline-start-at",
        1 => "timeline-start-after",
        _ => "timeline-start-after-end",
    })
}

/// The fields of event `i`'s incident (`own` is the event's id), as rows of its grid.
fn incident_fields(
    ui: &mut egui::Ui,
    i: usize,
    own: &str,
    incident: &mut Incident,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    match incident {
        Incident::Dumping {
            by,
            from,
            spot,
            objects,
            drop_s,
            leave_to,
        } => {
            dumper_field(ui, own, by);
            point_field(ui, "from", &tr("timeline-from"), from, i, player, out);
            point_field(ui, "spot", &tr("timeline-spot"), spot, i, player, out);
            if matches!(by, Dumper::Van(_)) {
                leave_to_field(ui, leave_to, *from, i, player, out);
            }
            num_field(ui, &tr("timeline-drop-time"), drop_s, " s", 0.0..=3600.0);
            objects_field(ui, i, objects);
        }
        Incident::Collapse {
            from,
            towards,
            walk_before_s,
            within,
            share,
            stay_s,
        } => {
            point_field(ui, "from", &tr("timeline-from"), from, i, player, out);
            point_field(
                ui,
                "towards",
                &tr("timeline-towards"),
                towards,
                i,
                player,
                out,
            );
            ui.label(tr("timeline-walk-before"));
            ui.add(
                crate::editor::widgets::drag(walk_before_s)
                    .range(0.0..=600.0)
                    .suffix(" s"),
            );
            ui.end_row();
            ui.label(tr("timeline-bystanders-within"));
            ui.add(
                crate::editor::widgets::drag(within)
                    .range(0.0..=100.0)
                    .suffix(" m"),
            );
            ui.end_row();
            num_field(ui, &tr("timeline-share-stop"), share, "", 0.0..=1.0);
            num_field(ui, &tr("timeline-they-stay"), stay_s, " s", 0.0..=86_400.0);
        }
        Incident::Gathering {
            at,
            radius,
            within,
            share,
            stay_s,
        } => {
            point_field(ui, "at", &tr("timeline-point-at"), at, i, player, out);
            ui.label(tr("timeline-first-ring"));
            ui.add(
                crate::editor::widgets::drag(radius)
                    .range(0.3..=50.0)
                    .speed(0.05)
                    .suffix(" m"),
            );
            ui.end_row();
            ui.label(tr("timeline-people-within"));
            ui.add(
                crate::editor::widgets::drag(within)
                    .range(0.1..=500.0)
                    .suffix(" m"),
            );
            ui.end_row();
            num_field(ui, &tr("timeline-share-come"), share, "", 0.0..=1.0);
            num_field(ui, &tr("timeline-they-stay"), stay_s, " s", 0.0..=86_400.0);
        }
        Incident::Dispersal {
            from,
            radius,
            speed_factor,
            stay_s,
        } => {
            point_field(ui, "from", &tr("timeline-from"), from, i, player, out);
            ui.label(tr("timeline-radius"));
            ui.add(
                crate::editor::widgets::drag(radius)
                    .range(0.5..=200.0)
                    .suffix(" m"),
            );
            ui.end_row();
            ui.label(tr("timeline-running-speed"));
            ui.add(
                crate::editor::widgets::slider(speed_factor, 1.0..=3.0)
                    .suffix(format!(" × {}", tr("timeline-walking"))),
            );
            ui.end_row();
            num_field(ui, &tr("timeline-look-back"), stay_s, " s", 0.0..=3600.0);
        }
        Incident::Vehicle {
            vehicle,
            route,
            speed_kmh,
            park,
        } => {
            vehicle_fields(ui, own, vehicle);
            num_field(ui, &tr("timeline-speed"), speed_kmh, " km/h", 1.0..=250.0);
            route_field(ui, i, route, player, out);
            park_fields(ui, park, route);
        }
    }
}

/// Who dumps: someone on foot, or a van (with its make, model and plate).
fn dumper_field(ui: &mut egui::Ui, own: &str, by: &mut Dumper) {
    ui.label(tr("timeline-by"));
    let mut van = matches!(by, Dumper::Van(_));
    ui.horizontal(|ui| {
        ui.radio_value(&mut van, false, tr("timeline-on-foot"));
        ui.radio_value(&mut van, true, tr("timeline-by-van"));
    });
    ui.end_row();
    if van != matches!(by, Dumper::Van(_)) {
        *by = if van {
            Dumper::Van(VehicleSpec {
                kind: VehicleKind::Van,
                make: "Renault".into(),
                model: "Master".into(),
                plate: "AA-000-AA".into(),
                body: None,
                colour: None,
            })
        } else {
            Dumper::OnFoot
        };
    }
    if let Dumper::Van(v) = by {
        vehicle_fields(ui, own, v);
    }
}

/// Where a dumping van leaves to, when not back where it came `from`.
fn leave_to_field(
    ui: &mut egui::Ui,
    leave_to: &mut Option<(f64, f64)>,
    from: (f64, f64),
    i: usize,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    let mut has = leave_to.is_some();
    ui.label(tr("timeline-leaves-to"));
    ui.checkbox(&mut has, tr("timeline-elsewhere"));
    ui.end_row();
    if has && leave_to.is_none() {
        *leave_to = Some(from);
    } else if !has {
        *leave_to = None;
    }
    if let Some(l) = leave_to {
        point_field(ui, "leave_to", &tr("timeline-leave-to"), l, i, player, out);
    }
}

/// The objects dumped: each with a remove button (one stays), and a menu to add one.
fn objects_field(ui: &mut egui::Ui, i: usize, objects: &mut Vec<ObjectKind>) {
    ui.label(tr("timeline-objects"));
    ui.horizontal_wrapped(|ui| {
        let mut remove = None;
        for (k, o) in objects.iter().enumerate() {
            if ui.small_button(format!("{} ×", object_label(*o))).clicked() && objects.len() > 1 {
                remove = Some(k);
            }
        }
        if let Some(k) = remove {
            objects.remove(k);
        }
        egui::ComboBox::from_id_salt(("add object", i))
            .selected_text(tr("timeline-add-object"))
            .show_ui(ui, |ui| {
                for kind in ObjectKind::ALL {
                    if ui.selectable_label(false, object_label(kind)).clicked()
                        && objects.len() < 50
                    {
                        objects.push(kind);
                    }
                }
            });
    });
    ui.end_row();
}

/// A vehicle's route: its corners (a corner can go while two remain), and adding corners by
/// clicking in the view.
fn route_field(
    ui: &mut egui::Ui,
    i: usize,
    route: &mut Vec<(f64, f64)>,
    player: &ScenarioPlayer,
    out: &mut TimelineOut,
) {
    ui.label(tr("timeline-route"));
    ui.vertical(|ui| {
        let mut remove = None;
        for (k, p) in route.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{k}"));
                ui.add(
                    crate::editor::widgets::drag(&mut p.0)
                        .speed(0.2)
                        .prefix("E "),
                );
                ui.add(
                    crate::editor::widgets::drag(&mut p.1)
                        .speed(0.2)
                        .prefix("N "),
                );
                if ui.small_button("×").clicked() {
                    remove = Some(k);
                }
            });
        }
        if let Some(k) = remove
            && route.len() > 2
        {
            route.remove(k);
        }
        let picking = player.placing == Some((i, "route"));
        if ui
            .selectable_label(
                picking,
                tr(if picking {
                    "timeline-corners-done"
                } else {
                    "timeline-corners-add"
                }),
            )
            .clicked()
        {
            out.placing = Some((!picking).then_some((i, "route")));
        }
    });
    ui.end_row();
}

/// Whether a vehicle stops on its `route`, at which corner and for how long.
fn park_fields(
    ui: &mut egui::Ui,
    park: &mut Option<twincity_scenario::Park>,
    route: &[(f64, f64)],
) {
    let mut parks = park.is_some();
    ui.label(tr("timeline-stops"));
    ui.checkbox(&mut parks, tr("timeline-parks"));
    ui.end_row();
    if parks && park.is_none() {
        *park = Some(twincity_scenario::Park {
            at: 1.min(route.len() - 1),
            stay_s: Num::Fixed(20.0),
        });
    } else if !parks {
        *park = None;
    }
    if let Some(p) = park {
        ui.label(tr("timeline-at-corner"));
        ui.add(crate::editor::widgets::drag(&mut p.at).range(0..=route.len().saturating_sub(1)));
        ui.end_row();
        num_field(ui, &tr("timeline-for"), &mut p.stay_s, " s", 0.0..=86_400.0);
    }
}

fn new_event(kind: &str, id: String, at: f64) -> ScenarioEvent {
    let start = Start::At(Num::Fixed((at * 10.0).round() / 10.0));
    let incident = match kind {
        "Dumping" => Incident::Dumping {
            by: Dumper::OnFoot,
            from: (0.0, -20.0),
            spot: (0.0, 0.0),
            objects: vec![ObjectKind::Bag, ObjectKind::Bag],
            drop_s: Num::Fixed(12.0),
            leave_to: None,
        },
        "Collapse" => Incident::Collapse {
            from: (-10.0, 0.0),
            towards: (10.0, 0.0),
            walk_before_s: 8.0,
            within: 8.0,
            share: Num::Fixed(0.3),
            stay_s: Num::Fixed(0.0),
        },
        "Gathering" => Incident::Gathering {
            at: (0.0, 0.0),
            radius: 1.5,
            within: 20.0,
            share: Num::Fixed(0.5),
            stay_s: Num::Fixed(60.0),
        },
        "Dispersal" => Incident::Dispersal {
            from: (0.0, 0.0),
            radius: 10.0,
            speed_factor: 1.6,
            stay_s: Num::Fixed(10.0),
        },
        _ => Incident::Vehicle {
            vehicle: VehicleSpec {
                kind: VehicleKind::Car,
                make: "Renault".into(),
                model: "Clio".into(),
                plate: "AA-000-AA".into(),
                body: Some(twincity_scenario::vehicles::VehicleBody::Hatchback),
                colour: None,
            },
            route: vec![(-110.0, -34.0), (110.0, -34.0)],
            speed_kmh: Num::Fixed(50.0),
            park: None,
        },
    };
    ScenarioEvent {
        id,
        start,
        incident,
    }
}

/// With no event selected: the list, adding events, the environment, the registry and speed
/// cameras.
fn scenario_editor(ui: &mut egui::Ui, s: &mut Scenario, out: &mut TimelineOut, now: f64) {
    add_buttons(ui, s, out, now);
    scenario_fields(ui, s);
    plate_registry(ui, s);
    speed_cameras(ui, s);
}

/// A button per kind of event, adding one at `now` and selecting it.
fn add_buttons(ui: &mut egui::Ui, s: &mut Scenario, out: &mut TimelineOut, now: f64) {
    ui.horizontal_wrapped(|ui| {
        ui.label(tr("timeline-add"));
        // The kind, its button and the name of its new events.
        for (kind, label, name) in [
            ("Dumping", "timeline-add-dumping", "timeline-kind-dumping"),
            (
                "Collapse",
                "timeline-add-collapse",
                "timeline-kind-collapse",
            ),
            (
                "Gathering",
                "timeline-add-gathering",
                "timeline-kind-gathering",
            ),
            (
                "Dispersal",
                "timeline-add-dispersal",
                "timeline-kind-dispersal",
            ),
            ("Vehicle", "timeline-add-vehicle", "timeline-kind-vehicle"),
        ] {
            if ui
                .button(tr(label))
                .on_hover_text(tr("timeline-add-tip"))
                .clicked()
            {
                let base = tr(name);
                let id = (1..)
                    .map(|k| format!("{base} {k}"))
                    .find(|id| !s.events.iter().any(|e| &e.id == id))
                    .unwrap_or(base);
                s.events.push(new_event(kind, id, now));
                out.select = Some(Some(s.events.len() - 1));
            }
        }
    });
}

/// The scenario's name, seed, duration and environment.
fn scenario_fields(ui: &mut egui::Ui, s: &mut Scenario) {
    egui::Grid::new("scenario fields")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("timeline-name"));
            ui.text_edit_singleline(&mut s.name);
            ui.end_row();
            ui.label(tr("timeline-seed"));
            ui.add(crate::editor::widgets::drag(&mut s.seed));
            ui.end_row();
            ui.label(tr("timeline-duration"));
            ui.add(
                crate::editor::widgets::drag(&mut s.duration_s)
                    .range(1.0..=86_400.0)
                    .suffix(" s"),
            );
            ui.end_row();
            let env = &mut s.environment;
            num_field(
                ui,
                &tr("timeline-time-of-day"),
                &mut env.time_of_day_h,
                " h",
                0.0..=24.0,
            );
            ui.label(tr("timeline-day-of-year"));
            ui.horizontal(|ui| {
                ui.add(crate::editor::widgets::drag(&mut env.day_of_year).range(1..=366));
                // The day as a date, written as the interface's language writes dates.
                ui.label(twincity_i18n::day_of_year(env.day_of_year));
            });
            ui.end_row();
            num_field(ui, &tr("timeline-rain"), &mut env.rain, "", 0.0..=1.0);
            let mut foggy = env.fog_visibility_m.is_some();
            ui.label(tr("timeline-fog"));
            ui.checkbox(&mut foggy, "");
            ui.end_row();
            if foggy && env.fog_visibility_m.is_none() {
                env.fog_visibility_m = Some(Num::Fixed(200.0));
            } else if !foggy {
                env.fog_visibility_m = None;
            }
            if let Some(f) = env.fog_visibility_m.as_mut() {
                num_field(ui, &tr("timeline-visibility"), f, " m", 5.0..=10_000.0);
            }
            ui.label(tr("timeline-street-lights"));
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut env.street_lights,
                    Lights::Auto,
                    tr("timeline-lights-auto"),
                );
                ui.radio_value(&mut env.street_lights, Lights::On, tr("timeline-lights-on"));
                ui.radio_value(
                    &mut env.street_lights,
                    Lights::Off,
                    tr("timeline-lights-off"),
                );
            });
            ui.end_row();
        });
}

/// The plate registry: plate, make, model and body of each registered vehicle.
fn plate_registry(ui: &mut egui::Ui, s: &mut Scenario) {
    egui::CollapsingHeader::new(tr_args(
        "timeline-registry",
        &[("n", twincity_i18n::integer(s.registry.len() as i64).into())],
    ))
    .id_salt("plate_registry")
    .show(ui, |ui| {
        let mut remove = None;
        for (k, r) in s.registry.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut r.plate).desired_width(90.0));
                ui.add(egui::TextEdit::singleline(&mut r.make).desired_width(80.0));
                ui.add(egui::TextEdit::singleline(&mut r.model).desired_width(80.0));
                egui::ComboBox::from_id_salt(("registered body", k))
                    .selected_text(
                        r.body
                            .map_or(tr("timeline-body-unset"), |b| b.name().into()),
                    )
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut r.body, None, tr("timeline-body-unknown"));
                        for b in twincity_scenario::vehicles::VehicleBody::ALL {
                            ui.selectable_value(&mut r.body, Some(b), b.name());
                        }
                    })
                    .response
                    .on_hover_text(tr("timeline-registered-body-tip"));
                if ui.small_button("×").clicked() {
                    remove = Some(k);
                }
            });
        }
        if let Some(k) = remove {
            s.registry.remove(k);
        }
        if ui.button(tr("timeline-add-plate")).clicked() {
            s.registry.push(twincity_scenario::Registration {
                plate: format!("ZZ-{:03}-ZZ", s.registry.len() + 1),
                make: "Peugeot".into(),
                model: "208".into(),
                body: Some(twincity_scenario::vehicles::VehicleBody::Hatchback),
            });
        }
    });
}

/// The speed cameras: name, place and limit.
fn speed_cameras(ui: &mut egui::Ui, s: &mut Scenario) {
    egui::CollapsingHeader::new(tr_args(
        "timeline-speed-cameras",
        &[(
            "n",
            twincity_i18n::integer(s.speed_cameras.len() as i64).into(),
        )],
    ))
    .id_salt("speed_cameras")
    .show(ui, |ui| {
        let mut remove = None;
        for (k, c) in s.speed_cameras.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut c.name).desired_width(110.0));
                ui.add(
                    crate::editor::widgets::drag(&mut c.at.0)
                        .speed(0.2)
                        .prefix("E "),
                );
                ui.add(
                    crate::editor::widgets::drag(&mut c.at.1)
                        .speed(0.2)
                        .prefix("N "),
                );
                ui.add(
                    crate::editor::widgets::drag(&mut c.limit_kmh)
                        .range(5.0..=250.0)
                        .suffix(" km/h"),
                );
                if ui.small_button("×").clicked() {
                    remove = Some(k);
                }
            });
        }
        if let Some(k) = remove {
            s.speed_cameras.remove(k);
        }
        if ui.button(tr("timeline-add-speed-camera")).clicked() {
            s.speed_cameras.push(twincity_scenario::SpeedCamera {
                name: format!("Radar {}", s.speed_cameras.len() + 1),
                at: (0.0, -37.5),
                limit_kmh: 50.0,
                gate_m: 4.0,
            });
        }
    });
}
