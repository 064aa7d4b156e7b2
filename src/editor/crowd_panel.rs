//! The Crowd section of the scene panel: playback (play, step, scrub, speed, heatmap) and the
//! scenario editor (drawing tools, every field of spawns, exits, waypoints, people and events,
//! undo, save). Edits go out as [`CrowdCommand`]s; nothing here changes the run directly.

use bevy_egui::egui;
use twincity_crowd::WalkableSpec;
use twincity_crowd::scenario::{
    Action, Area, CrowdScenario, Exit, NEAREST_EXIT, Person, Spawn, Wait, Waypoint,
};
use twincity_i18n::{Arg, tr, tr_args};
use twincity_model::project::{CityImport, GeoOrigin};

use crate::render::crowd::{CrowdCommand, CrowdPlayer, CrowdTool};

/// What the panel asks of the rest of the UI.
#[derive(Default)]
pub struct CrowdPanelOut {
    pub commands: Vec<CrowdCommand>,
    /// Open the file prompt to load a scenario.
    pub load: bool,
    /// Open the file prompt to save the scenario under a new name.
    pub save_as: bool,
}

const PROBLEM: egui::Color32 = egui::Color32::from_rgb(230, 80, 60);

/// `imports` are the project's imported city files: a new scenario can walk any of them,
/// placed against the project's `origin` as the city is drawn.
pub fn crowd_panel(
    ui: &mut egui::Ui,
    crowd: &mut CrowdPlayer,
    demo_city: bool,
    imports: &[CityImport],
    origin: Option<&GeoOrigin>,
) -> CrowdPanelOut {
    let mut out = CrowdPanelOut::default();
    egui::CollapsingHeader::new(tr("crowd-heading"))
        .id_salt("crowd_section")
        .default_open(true)
        .show(ui, |ui| {
            if crowd.scenario.is_some() {
                playback(ui, crowd, &mut out);
                ui.separator();
                editor(ui, crowd, &mut out);
            } else {
                ui.weak(tr("crowd-none-loaded"));
            }
            if let Some(e) = &crowd.error {
                ui.colored_label(PROBLEM, e);
            }
            ui.horizontal_wrapped(|ui| {
                if ui.button(tr("crowd-load")).clicked() {
                    out.load = true;
                }
                if demo_city && ui.button(tr("crowd-new-demo")).clicked() {
                    out.commands
                        .push(CrowdCommand::New(WalkableSpec::DemoDistrict));
                }
                for import in imports {
                    let name = import.path.file_name().map_or_else(
                        || import.path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    if ui
                        .button(tr_args("crowd-new-on", &[("name", name.into())]))
                        .on_hover_text(tr("crowd-new-on-tip"))
                        .clicked()
                    {
                        out.commands.push(CrowdCommand::New(WalkableSpec::Mesh {
                            file: import.path.clone(),
                            z_up: import.z_up,
                            origin: origin.map(|o| (o.x, o.y, o.z)),
                        }));
                    }
                }
                if ui
                    .button(tr("crowd-new-area"))
                    .on_hover_text(tr("crowd-new-area-tip"))
                    .clicked()
                {
                    out.commands.push(CrowdCommand::New(WalkableSpec::Polygon {
                        outer: vec![(-30.0, -20.0), (30.0, -20.0), (30.0, 20.0), (-30.0, 20.0)],
                        holes: Vec::new(),
                    }));
                }
            });
        });
    out
}

fn playback(ui: &mut egui::Ui, crowd: &mut CrowdPlayer, out: &mut CrowdPanelOut) {
    let name = crowd.scenario.as_ref().map_or("", |s| s.name.as_str());
    let file = crowd
        .path
        .as_ref()
        .map_or_else(|| tr("crowd-not-saved"), |p| p.display().to_string());
    ui.label(format!("{name}{}", if crowd.dirty { " *" } else { "" }))
        .on_hover_text(file);
    if crowd.run.is_none() {
        ui.weak(tr("crowd-stopped"));
        return;
    }
    ui.monospace(tr_args(
        "crowd-clock",
        &[
            // Right-aligned on 6 characters, as `{:6.1}` did, in the language's digits.
            (
                "t",
                format!("{:>6}", twincity_i18n::number(crowd.time(), 1)).into(),
            ),
            (
                "walking",
                twincity_i18n::integer(crowd.walking() as i64).into(),
            ),
            (
                "arrived",
                twincity_i18n::integer(i64::from(crowd.exited())).into(),
            ),
        ],
    ));
    ui.horizontal(|ui| {
        let label = tr(if crowd.playing {
            "crowd-pause"
        } else {
            "crowd-play"
        });
        if ui.button(label).clicked() {
            out.commands.push(CrowdCommand::TogglePlay);
        }
        if ui
            .button(tr_args(
                "crowd-step",
                &[("step", twincity_i18n::number(0.1, 1).into())],
            ))
            .clicked()
        {
            out.commands.push(CrowdCommand::Step);
        }
        if ui.button(tr("crowd-restart")).clicked() {
            out.commands.push(CrowdCommand::Restart);
        }
    });
    ui.add(
        crate::editor::widgets::slider(&mut crowd.speed, 0.25..=8.0)
            .logarithmic(true)
            .text(tr("crowd-speed")),
    );
    // Scrub within what has been simulated so far.
    let mut t = crowd.time();
    let scrub = ui.add(
        crate::editor::widgets::slider(&mut t, 0.0..=crowd.reached().max(0.01))
            .fixed_decimals(1)
            .text(tr("crowd-scrub")),
    );
    if scrub.changed() {
        out.commands.push(CrowdCommand::Seek(t));
    }
    ui.checkbox(&mut crowd.heatmap, tr("crowd-heatmap"));
    if crowd.heatmap {
        ui.horizontal_wrapped(|ui| {
            ui.weak(tr("crowd-fruin"));
            for (los, d) in [
                ("A", 0.2),
                ("B", 0.35),
                ("C", 0.6),
                ("D", 0.9),
                ("E", 1.5),
                ("F", 3.0),
            ] {
                let [r, g, b, _] = crate::render::crowd::heatmap_colour(d);
                ui.colored_label(egui::Color32::from_rgb(r, g, b), los);
            }
        });
    }
}

/// Where the crowd walks, and for an imported city how that area was derived.
fn walkable_line(ui: &mut egui::Ui, walkable: &WalkableSpec) {
    match walkable {
        WalkableSpec::Polygon { outer, holes } => {
            ui.weak(tr_args(
                "crowd-walkable-polygon",
                &[
                    ("n_corners", Arg::Count(outer.len() as i64)),
                    ("corners", twincity_i18n::integer(outer.len() as i64).into()),
                    ("n_obstacles", Arg::Count(holes.len() as i64)),
                    (
                        "obstacles",
                        twincity_i18n::integer(holes.len() as i64).into(),
                    ),
                ],
            ));
        }
        WalkableSpec::DemoDistrict => {
            ui.weak(tr("crowd-walkable-demo"));
        }
        WalkableSpec::Mesh { file, .. } => {
            let name = file.display().to_string();
            match walkable.resolve() {
                Ok(r) => ui.weak(tr_args(
                    "crowd-walkable-mesh",
                    &[
                        ("name", name.into()),
                        ("area", twincity_i18n::number(r.area.area(), 0).into()),
                        ("note", r.note.unwrap_or_default().into()),
                    ],
                )),
                Err(e) => ui.colored_label(
                    PROBLEM,
                    tr_args("crowd-walkable-error", &[("error", e.to_string().into())]),
                ),
            };
        }
    }
}

fn editor(ui: &mut egui::Ui, crowd: &mut CrowdPlayer, out: &mut CrowdPanelOut) {
    ui.strong(tr("crowd-edit"));
    if let Some(s) = &crowd.scenario {
        walkable_line(ui, &s.walkable);
    }
    ui.horizontal_wrapped(|ui| {
        ui.weak(tr("crowd-draw"));
        for tool in CrowdTool::ALL {
            let on = crowd.tool == Some(tool);
            let hint = if tool.is_area() {
                "crowd-draw-area-tip"
            } else if matches!(tool, CrowdTool::Person) {
                "crowd-draw-person-tip"
            } else {
                "crowd-draw-event-tip"
            };
            if ui
                .selectable_label(on, tool_label(tool))
                .on_hover_text(tr(hint))
                .clicked()
            {
                crowd.tool = if on { None } else { Some(tool) };
            }
        }
    });
    if crowd.tool.is_some() {
        ui.weak(tr("crowd-draw-help"));
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            crowd.tool = None;
        }
    }
    ui.horizontal(|ui| {
        use crate::editor::widgets::FileButton;
        match crate::editor::widgets::undo_save_buttons(
            ui,
            crowd.history.as_ref(),
            crowd.path.is_some(),
        ) {
            Some(FileButton::Undo) => out.commands.push(CrowdCommand::Undo),
            Some(FileButton::Redo) => out.commands.push(CrowdCommand::Redo),
            Some(FileButton::Save) => out.commands.push(CrowdCommand::Save(None)),
            Some(FileButton::SaveAs) => out.save_as = true,
            None => {}
        }
    });
    if let Some(p) = &crowd.problem {
        ui.colored_label(PROBLEM, p);
    }
    if let Some(m) = &crowd.saved {
        ui.weak(m);
    }
    let Some(original) = crowd.scenario.as_ref() else {
        return;
    };
    let mut s = original.clone();
    scenario_fields(ui, &mut s);
    fix_references(original, &mut s);
    if s != *original {
        out.commands.push(CrowdCommand::Replace(Box::new(s)));
    }
}

fn area_fields(ui: &mut egui::Ui, area: &mut Area) {
    ui.horizontal(|ui| {
        ui.label("min");
        ui.add(
            crate::editor::widgets::drag(&mut area.min.0)
                .speed(0.1)
                .suffix(" m"),
        );
        ui.add(
            crate::editor::widgets::drag(&mut area.min.1)
                .speed(0.1)
                .suffix(" m"),
        );
    });
    ui.horizontal(|ui| {
        ui.label("max");
        ui.add(
            crate::editor::widgets::drag(&mut area.max.0)
                .speed(0.1)
                .suffix(" m"),
        );
        ui.add(
            crate::editor::widgets::drag(&mut area.max.1)
                .speed(0.1)
                .suffix(" m"),
        );
    });
}

fn point_fields(ui: &mut egui::Ui, label: &str, p: &mut (f64, f64)) {
    ui.horizontal(|ui| {
        ui.label(label);
        ui.add(
            crate::editor::widgets::drag(&mut p.0)
                .speed(0.1)
                .suffix(" m E"),
        );
        ui.add(
            crate::editor::widgets::drag(&mut p.1)
                .speed(0.1)
                .suffix(" m N"),
        );
    });
}

fn exit_choice(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    exit: &mut String,
    exits: &[String],
) {
    // The nearest exit is a keyword of the file: shown in the language, stored as is.
    let shown = if exit.as_str() == NEAREST_EXIT {
        tr("crowd-nearest-exit")
    } else {
        exit.clone()
    };
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(exit, NEAREST_EXIT.to_string(), tr("crowd-nearest-exit"));
            for e in exits {
                ui.selectable_value(exit, e.clone(), e);
            }
        });
}

/// Waypoints visited in order: each with a remove button, and a menu to add one.
fn via_fields(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug + Copy,
    via: &mut Vec<String>,
    waypoints: &[String],
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("via");
        let mut remove = None;
        for (k, w) in via.iter().enumerate() {
            if ui
                .small_button(format!("{w} x"))
                .on_hover_text(tr("crowd-remove"))
                .clicked()
            {
                remove = Some(k);
            }
        }
        if let Some(k) = remove {
            via.remove(k);
        }
        if !waypoints.is_empty() {
            egui::ComboBox::from_id_salt((id, "add via"))
                .selected_text("+")
                .width(30.0)
                .show_ui(ui, |ui| {
                    for w in waypoints {
                        if ui.selectable_label(false, w).clicked() {
                            via.push(w.clone());
                        }
                    }
                });
        }
    });
}

/// The name of a drawing tool, in the language.
fn tool_label(tool: CrowdTool) -> String {
    tr(match tool {
        CrowdTool::Spawn => "crowd-tool-spawn",
        CrowdTool::Exit => "crowd-tool-exit",
        CrowdTool::Waypoint => "crowd-tool-waypoint",
        CrowdTool::Person => "crowd-tool-person",
        CrowdTool::Gather => "crowd-tool-gather",
        CrowdTool::Flee => "crowd-tool-flee",
    })
}

/// The name of a waypoint's kind of wait (0: pass through, 1: idle, 2: queue), in the language.
fn wait_label(kind: usize) -> String {
    tr(match kind {
        0 => "crowd-wait-none",
        1 => "crowd-wait-idle",
        _ => "crowd-wait-queue",
    })
}

/// The name of an event's action, in the language.
fn action_label(action: &Action) -> String {
    tr(match action {
        Action::Gather { .. } => "crowd-action-gather",
        Action::Flee { .. } => "crowd-action-flee",
        Action::WalkTo { .. } => "crowd-action-walk-to",
        Action::Collapse { .. } => "crowd-action-collapse",
    })
}

fn delete_button(ui: &mut egui::Ui) -> bool {
    ui.small_button(tr("crowd-delete")).clicked()
}

/// Every field of the scenario: its name, then one collapsing section per kind of item and
/// the run settings.
fn scenario_fields(ui: &mut egui::Ui, s: &mut CrowdScenario) {
    let exits: Vec<String> = s.exits.iter().map(|e| e.name.clone()).collect();
    let waypoints: Vec<String> = s.waypoints.iter().map(|w| w.name.clone()).collect();
    let people: Vec<String> = s.people.iter().map(|p| p.name.clone()).collect();
    ui.horizontal(|ui| {
        ui.label(tr("crowd-name"));
        ui.text_edit_singleline(&mut s.name);
    });
    spawns_section(ui, &mut s.spawns, &exits, &waypoints);
    exits_section(ui, &mut s.exits);
    waypoints_section(ui, &mut s.waypoints);
    people_section(ui, &mut s.people, &exits, &waypoints);
    events_section(ui, s, &people);
    run_settings(ui, s);
}

/// The spawn areas, each with its count, rate, start, group size, exit, route and area.
fn spawns_section(
    ui: &mut egui::Ui,
    spawns: &mut Vec<Spawn>,
    exits: &[String],
    waypoints: &[String],
) {
    egui::CollapsingHeader::new(tr_args(
        "crowd-spawns",
        &[("n", twincity_i18n::integer(spawns.len() as i64).into())],
    ))
    .id_salt("crowd spawns")
    .show(ui, |ui| {
        let mut delete = None;
        for (i, sp) in spawns.iter_mut().enumerate() {
            egui::CollapsingHeader::new(&sp.name)
                .id_salt(("spawn", i))
                .show(ui, |ui| {
                    ui.text_edit_singleline(&mut sp.name);
                    spawn_grid(ui, i, sp, exits);
                    via_fields(ui, ("spawn via", i), &mut sp.via, waypoints);
                    area_fields(ui, &mut sp.area);
                    if delete_button(ui) {
                        delete = Some(i);
                    }
                });
        }
        if let Some(i) = delete {
            spawns.remove(i);
        }
    });
}

/// The numbers of spawn area `i` and its exit, as a grid.
fn spawn_grid(ui: &mut egui::Ui, i: usize, sp: &mut Spawn, exits: &[String]) {
    egui::Grid::new(("spawn grid", i))
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("crowd-spawn-count"));
            ui.add(crate::editor::widgets::drag(&mut sp.count).range(1..=1_000_000));
            ui.end_row();
            ui.label(tr("crowd-spawn-rate"));
            ui.add(
                crate::editor::widgets::drag(&mut sp.rate_per_s)
                    .range(0.0..=100.0)
                    .speed(0.05)
                    .suffix(" /s"),
            )
            .on_hover_text(tr("crowd-spawn-rate-tip"));
            ui.end_row();
            ui.label(tr("crowd-spawn-start"));
            ui.add(
                crate::editor::widgets::drag(&mut sp.start_s)
                    .range(0.0..=86_400.0)
                    .suffix(" s"),
            );
            ui.end_row();
            ui.label(tr("crowd-spawn-groups"));
            ui.horizontal(|ui| {
                ui.add(crate::editor::widgets::drag(&mut sp.group_size.0).range(1..=12));
                ui.label(tr("crowd-range-to"));
                ui.add(crate::editor::widgets::drag(&mut sp.group_size.1).range(1..=12));
            });
            ui.end_row();
            ui.label(tr("crowd-exit"));
            exit_choice(ui, ("spawn exit", i), &mut sp.exit, exits);
            ui.end_row();
        });
}

/// The exits: a name and an area each.
fn exits_section(ui: &mut egui::Ui, exits: &mut Vec<Exit>) {
    egui::CollapsingHeader::new(tr_args(
        "crowd-exits",
        &[("n", twincity_i18n::integer(exits.len() as i64).into())],
    ))
    .id_salt("crowd exits")
    .show(ui, |ui| {
        let mut delete = None;
        for (i, e) in exits.iter_mut().enumerate() {
            egui::CollapsingHeader::new(&e.name)
                .id_salt(("exit", i))
                .show(ui, |ui| {
                    ui.text_edit_singleline(&mut e.name);
                    area_fields(ui, &mut e.area);
                    if delete_button(ui) {
                        delete = Some(i);
                    }
                });
        }
        if let Some(i) = delete {
            exits.remove(i);
        }
    });
}

/// The waypoints: a name, how people wait there, and an area each.
fn waypoints_section(ui: &mut egui::Ui, waypoints: &mut Vec<Waypoint>) {
    egui::CollapsingHeader::new(tr_args(
        "crowd-waypoints",
        &[("n", twincity_i18n::integer(waypoints.len() as i64).into())],
    ))
    .id_salt("crowd waypoints")
    .show(ui, |ui| {
        let mut delete = None;
        for (i, w) in waypoints.iter_mut().enumerate() {
            egui::CollapsingHeader::new(&w.name)
                .id_salt(("waypoint", i))
                .show(ui, |ui| {
                    ui.text_edit_singleline(&mut w.name);
                    wait_choice(ui, i, w);
                    wait_fields(ui, &mut w.wait);
                    area_fields(ui, &mut w.area);
                    if delete_button(ui) {
                        delete = Some(i);
                    }
                });
        }
        if let Some(i) = delete {
            waypoints.remove(i);
        }
    });
}

/// How people use waypoint `i` (pass through, wait idle, queue); a new choice starts from
/// default values placed in the waypoint's area.
fn wait_choice(ui: &mut egui::Ui, i: usize, w: &mut Waypoint) {
    let centre = w.area.centre();
    let kind = match w.wait {
        Wait::None => 0,
        Wait::Idle { .. } => 1,
        Wait::Queue { .. } => 2,
    };
    let mut choice = kind;
    egui::ComboBox::from_id_salt(("wait", i))
        .selected_text(wait_label(kind))
        .show_ui(ui, |ui| {
            for k in 0..3 {
                ui.selectable_value(&mut choice, k, wait_label(k));
            }
        });
    if choice != kind {
        w.wait = match choice {
            0 => Wait::None,
            1 => Wait::Idle {
                min_s: 10.0,
                max_s: 30.0,
            },
            _ => Wait::Queue {
                head: (centre.x, w.area.min.1 + 0.5),
                towards: (centre.x, w.area.max.1),
                service_s: 5.0,
            },
        };
    }
}

/// The fields of a waypoint's wait: how long people idle, or where the queue is and how fast
/// it is served.
fn wait_fields(ui: &mut egui::Ui, wait: &mut Wait) {
    match wait {
        Wait::None => {}
        Wait::Idle { min_s, max_s } => {
            ui.horizontal(|ui| {
                ui.label(tr("crowd-idle-for"));
                ui.add(
                    crate::editor::widgets::drag(min_s)
                        .range(0.0..=3600.0)
                        .suffix(" s"),
                );
                ui.label(tr("crowd-range-to"));
                ui.add(
                    crate::editor::widgets::drag(max_s)
                        .range(0.0..=3600.0)
                        .suffix(" s"),
                );
            });
        }
        Wait::Queue {
            head,
            towards,
            service_s,
        } => {
            point_fields(ui, &tr("crowd-queue-head"), head);
            point_fields(ui, &tr("crowd-queue-towards"), towards);
            ui.horizontal(|ui| {
                ui.label(tr("crowd-queue-service"));
                ui.add(
                    crate::editor::widgets::drag(service_s)
                        .range(0.1..=3600.0)
                        .suffix(format!(" {}", tr("crowd-queue-service-unit"))),
                );
            });
        }
    }
}

/// The named people: where and when each appears, their speed, exit and route.
fn people_section(
    ui: &mut egui::Ui,
    people: &mut Vec<Person>,
    exits: &[String],
    waypoints: &[String],
) {
    egui::CollapsingHeader::new(tr_args(
        "crowd-people",
        &[("n", twincity_i18n::integer(people.len() as i64).into())],
    ))
    .id_salt("crowd people")
    .show(ui, |ui| {
        let mut delete = None;
        for (i, p) in people.iter_mut().enumerate() {
            egui::CollapsingHeader::new(&p.name)
                .id_salt(("person", i))
                .show(ui, |ui| {
                    ui.text_edit_singleline(&mut p.name);
                    point_fields(ui, &tr("crowd-person-at"), &mut p.at);
                    person_grid(ui, i, p, exits);
                    via_fields(ui, ("person via", i), &mut p.via, waypoints);
                    if delete_button(ui) {
                        delete = Some(i);
                    }
                });
        }
        if let Some(i) = delete {
            people.remove(i);
        }
    });
}

/// When person `i` appears, their speed and exit, as a grid.
fn person_grid(ui: &mut egui::Ui, i: usize, p: &mut Person, exits: &[String]) {
    egui::Grid::new(("person grid", i))
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("crowd-person-start"));
            ui.add(
                crate::editor::widgets::drag(&mut p.start_s)
                    .range(0.0..=86_400.0)
                    .suffix(" s"),
            );
            ui.end_row();
            ui.label(tr("crowd-person-speed"));
            ui.add(
                crate::editor::widgets::drag(&mut p.speed)
                    .range(0.0..=3.0)
                    .speed(0.01)
                    .suffix(" m/s"),
            )
            .on_hover_text(tr("crowd-person-speed-tip"));
            ui.end_row();
            ui.label(tr("crowd-exit"));
            exit_choice(ui, ("person exit", i), &mut p.exit, exits);
            ui.end_row();
        });
}

/// The timed events, each with its time and its action's fields; and a button adding one.
fn events_section(ui: &mut egui::Ui, s: &mut CrowdScenario, people: &[String]) {
    egui::CollapsingHeader::new(tr_args(
        "crowd-events",
        &[("n", twincity_i18n::integer(s.events.len() as i64).into())],
    ))
    .id_salt("crowd events")
    .show(ui, |ui| {
        let mut delete = None;
        for (i, e) in s.events.iter_mut().enumerate() {
            let title = tr_args(
                "crowd-event-title",
                &[
                    ("action", action_label(&e.action).into()),
                    ("t", twincity_i18n::number(e.at_s, 1).into()),
                ],
            );
            egui::CollapsingHeader::new(title)
                .id_salt(("event", i))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(tr("crowd-event-at"));
                        ui.add(
                            crate::editor::widgets::drag(&mut e.at_s)
                                .range(0.0..=86_400.0)
                                .suffix(" s"),
                        );
                    });
                    action_fields(ui, i, &mut e.action, people);
                    if delete_button(ui) {
                        delete = Some(i);
                    }
                });
        }
        if let Some(i) = delete {
            s.events.remove(i);
        }
        if let Some(first) = people.first()
            && ui
                .button(tr("crowd-add-walk"))
                .on_hover_text(tr("crowd-add-walk-tip"))
                .clicked()
        {
            let at = s.people[0].at;
            s.events.push(twincity_crowd::scenario::Event {
                at_s: 0.0,
                action: Action::WalkTo {
                    who: first.clone(),
                    at: (at.0 + 5.0, at.1),
                    stay_s: 0.0,
                },
            });
        }
    });
}

/// The fields of event `i`'s action.
fn action_fields(ui: &mut egui::Ui, i: usize, action: &mut Action, people: &[String]) {
    match action {
        Action::Gather {
            at,
            radius,
            within,
            share,
            stay_s,
        } => {
            point_fields(ui, &tr("crowd-gather-around"), at);
            gather_grid(ui, i, radius, within, share, stay_s);
        }
        Action::Flee {
            from,
            radius,
            speed_factor,
            stay_s,
        } => {
            point_fields(ui, &tr("crowd-flee-from"), from);
            egui::Grid::new(("flee", i)).num_columns(2).show(ui, |ui| {
                ui.label(tr("crowd-flee-radius"));
                ui.add(
                    crate::editor::widgets::drag(radius)
                        .range(0.5..=500.0)
                        .suffix(" m"),
                );
                ui.end_row();
                ui.label(tr("crowd-flee-speed"));
                ui.add(
                    crate::editor::widgets::drag(speed_factor)
                        .range(1.0..=3.0)
                        .speed(0.01),
                );
                ui.end_row();
                ui.label(tr("crowd-flee-stay"));
                ui.add(
                    crate::editor::widgets::drag(stay_s)
                        .range(0.0..=86_400.0)
                        .suffix(" s"),
                );
                ui.end_row();
            });
        }
        Action::WalkTo { who, at, stay_s } => {
            who_choice(ui, i, who, people);
            point_fields(ui, &tr("crowd-walk-to-point"), at);
            ui.horizontal(|ui| {
                ui.label(tr("crowd-stay"));
                ui.add(
                    crate::editor::widgets::drag(stay_s)
                        .range(0.0..=86_400.0)
                        .suffix(" s"),
                );
            });
        }
        Action::Collapse {
            who,
            within,
            share,
            stay_s,
        } => {
            who_choice(ui, i, who, people);
            egui::Grid::new(("collapse", i))
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(tr("crowd-collapse-within"));
                    ui.add(
                        crate::editor::widgets::drag(within)
                            .range(0.0..=100.0)
                            .suffix(" m"),
                    );
                    ui.end_row();
                    ui.label(tr("crowd-share-stop"));
                    ui.add(crate::editor::widgets::slider(share, 0.0..=1.0));
                    ui.end_row();
                    ui.label(tr("crowd-collapse-stay"));
                    ui.add(
                        crate::editor::widgets::drag(stay_s)
                            .range(0.0..=86_400.0)
                            .suffix(" s"),
                    );
                    ui.end_row();
                });
        }
    }
}

/// How far gathering event `i` draws people in, how many stop and for how long.
fn gather_grid(
    ui: &mut egui::Ui,
    i: usize,
    radius: &mut f64,
    within: &mut f64,
    share: &mut f64,
    stay_s: &mut f64,
) {
    egui::Grid::new(("gather", i))
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(tr("crowd-gather-radius"));
            ui.add(
                crate::editor::widgets::drag(radius)
                    .range(0.3..=50.0)
                    .speed(0.05)
                    .suffix(" m"),
            );
            ui.end_row();
            ui.label(tr("crowd-gather-within"));
            ui.add(
                crate::editor::widgets::drag(within)
                    .range(0.5..=1000.0)
                    .suffix(" m"),
            );
            ui.end_row();
            ui.label(tr("crowd-share-stop"));
            ui.add(crate::editor::widgets::slider(share, 0.01..=1.0));
            ui.end_row();
            ui.label(tr("crowd-stay"));
            ui.add(
                crate::editor::widgets::drag(stay_s)
                    .range(0.0..=86_400.0)
                    .suffix(" s"),
            )
            .on_hover_text(tr("crowd-gather-stay-tip"));
            ui.end_row();
        });
}

/// Which named person event `i` is about.
fn who_choice(ui: &mut egui::Ui, i: usize, who: &mut String, people: &[String]) {
    egui::ComboBox::from_id_salt(("who", i))
        .selected_text(who.as_str())
        .show_ui(ui, |ui| {
            for p in people {
                ui.selectable_value(who, p.clone(), p);
            }
        });
}

/// Duration, seed, output rate, and the walkers' speed, size and time gap.
fn run_settings(ui: &mut egui::Ui, s: &mut CrowdScenario) {
    egui::CollapsingHeader::new(tr("crowd-run-settings"))
        .id_salt("crowd run")
        .show(ui, |ui| {
            egui::Grid::new("crowd run grid")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(tr("crowd-duration"));
                    ui.add(
                        crate::editor::widgets::drag(&mut s.duration_s)
                            .range(1.0..=86_400.0)
                            .suffix(" s"),
                    );
                    ui.end_row();
                    ui.label(tr("crowd-seed"));
                    ui.add(crate::editor::widgets::drag(&mut s.seed));
                    ui.end_row();
                    ui.label(tr("crowd-output-fps"));
                    ui.add(crate::editor::widgets::drag(&mut s.output_fps).range(1..=100));
                    ui.end_row();
                    ui.label(tr("crowd-speed-mean"));
                    ui.add(
                        crate::editor::widgets::drag(&mut s.agents.speed_mean)
                            .range(0.1..=3.0)
                            .speed(0.01)
                            .suffix(" m/s"),
                    );
                    ui.end_row();
                    ui.label(tr("crowd-speed-sd"));
                    ui.add(
                        crate::editor::widgets::drag(&mut s.agents.speed_sd)
                            .range(0.0..=1.0)
                            .speed(0.01)
                            .suffix(" m/s"),
                    );
                    ui.end_row();
                    ui.label(tr("crowd-body-radius"));
                    ui.add(
                        crate::editor::widgets::drag(&mut s.agents.radius)
                            .range(0.05..=1.0)
                            .speed(0.005)
                            .suffix(" m"),
                    );
                    ui.end_row();
                    ui.label(tr("crowd-time-gap"));
                    ui.add(
                        crate::editor::widgets::drag(&mut s.model.time_gap)
                            .range(0.1..=3.0)
                            .speed(0.01)
                            .suffix(" s"),
                    );
                    ui.end_row();
                });
        });
}

/// Keeps references valid after renames and deletions in the panel: a renamed exit, waypoint
/// or person is renamed where it is used; spawns and people whose exit was deleted head for
/// the nearest exit; deleted waypoints leave `via` lists; a deleted person's events go.
pub fn fix_references(before: &CrowdScenario, after: &mut CrowdScenario) {
    let renames = |old: Vec<&str>, new: Vec<&str>| -> Vec<(String, Option<String>)> {
        if old.len() == new.len() {
            old.iter()
                .zip(&new)
                .filter(|(o, n)| o != n)
                .map(|(o, n)| (o.to_string(), Some(n.to_string())))
                .collect()
        } else {
            // One was deleted (the panel deletes one at a time).
            old.iter()
                .filter(|o| !new.contains(o))
                .map(|o| (o.to_string(), None))
                .collect()
        }
    };
    let exit_changes = renames(
        before.exits.iter().map(|e| e.name.as_str()).collect(),
        after.exits.iter().map(|e| e.name.as_str()).collect(),
    );
    let waypoint_changes = renames(
        before.waypoints.iter().map(|w| w.name.as_str()).collect(),
        after.waypoints.iter().map(|w| w.name.as_str()).collect(),
    );
    let person_changes = renames(
        before.people.iter().map(|p| p.name.as_str()).collect(),
        after.people.iter().map(|p| p.name.as_str()).collect(),
    );
    for (old, new) in &exit_changes {
        let target = new.clone().unwrap_or_else(|| NEAREST_EXIT.to_string());
        for e in after
            .spawns
            .iter_mut()
            .map(|s| &mut s.exit)
            .chain(after.people.iter_mut().map(|p| &mut p.exit))
        {
            if e == old {
                *e = target.clone();
            }
        }
    }
    for (old, new) in &waypoint_changes {
        for via in after
            .spawns
            .iter_mut()
            .map(|s| &mut s.via)
            .chain(after.people.iter_mut().map(|p| &mut p.via))
        {
            match new {
                Some(n) => via
                    .iter_mut()
                    .filter(|v| *v == old)
                    .for_each(|v| *v = n.clone()),
                None => via.retain(|v| v != old),
            }
        }
    }
    for (old, new) in &person_changes {
        match new {
            Some(n) => {
                for e in &mut after.events {
                    if let Action::WalkTo { who, .. } = &mut e.action
                        && who == old
                    {
                        *who = n.clone();
                    }
                }
            }
            None => after
                .events
                .retain(|e| !matches!(&e.action, Action::WalkTo { who, .. } if who == old)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::crowd::{CrowdItem, add_item, empty_scenario};

    fn sample() -> CrowdScenario {
        let mut s = empty_scenario(WalkableSpec::DemoDistrict);
        let a = Area {
            min: (0.0, 0.0),
            max: (2.0, 2.0),
        };
        add_item(&mut s, CrowdItem::Exit(a), 0.0);
        add_item(&mut s, CrowdItem::Exit(a), 0.0);
        add_item(&mut s, CrowdItem::Waypoint(a), 0.0);
        add_item(&mut s, CrowdItem::Spawn(a), 0.0);
        add_item(&mut s, CrowdItem::Person((1.0, 1.0)), 0.0);
        s.spawns[0].exit = "Exit 2".into();
        s.spawns[0].via = vec!["Waypoint 1".into()];
        s.events.push(twincity_crowd::scenario::Event {
            at_s: 1.0,
            action: Action::WalkTo {
                who: "Person 1".into(),
                at: (1.0, 1.0),
                stay_s: 0.0,
            },
        });
        s
    }

    #[test]
    fn renames_follow_and_deletions_leave_valid_references() {
        let before = sample();
        let mut after = before.clone();
        after.exits[1].name = "Metro".into();
        after.waypoints[0].name = "Kiosk".into();
        after.people[0].name = "Ana".into();
        fix_references(&before, &mut after);
        assert_eq!(after.spawns[0].exit, "Metro");
        assert_eq!(after.spawns[0].via, vec!["Kiosk".to_string()]);
        assert!(matches!(&after.events[0].action, Action::WalkTo { who, .. } if who == "Ana"));

        let before = after.clone();
        after.exits.remove(1);
        after.waypoints.remove(0);
        after.people.remove(0);
        fix_references(&before, &mut after);
        assert_eq!(after.spawns[0].exit, NEAREST_EXIT);
        assert!(after.spawns[0].via.is_empty());
        assert!(after.events.is_empty());
    }
}
