//! `twincity present TOUR`: a tour shown full screen (presentation mode), and the checks of a
//! tour file that `twincity validate` shares: the file itself, then what it refers to (the
//! project and its cameras, the scenario and its length, the crowd, the model cards).

use std::path::{Path, PathBuf};

use clap::Args;
use twincity_crowd::CrowdScenario;
use twincity_model::Project;
use twincity_model::tour::Tour;
use twincity_scenario::Scenario;

#[derive(Args, Debug)]
pub struct PresentArgs {
    /// The tour (`*.tour.ron`, see docs/tours.md); the bundled ones are in assets/tours/
    pub tour: PathBuf,
    /// Window size in pixels (before going full screen)
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = crate::cli::args::parse_size)]
    pub window: (u32, u32),
    /// Stay in a window instead of going full screen
    #[arg(long)]
    pub windowed: bool,
    /// Save a screenshot of every step (`step-01.png`...) in this folder once each is fully
    /// drawn, then exit (implies --windowed)
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
    /// Start at this step (1 is the first)
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub step: usize,
    #[command(flatten)]
    pub lang: LangArg,
}

/// The interface language, for the commands that open a window.
#[derive(Args, Debug, Clone, Default)]
pub struct LangArg {
    /// Interface language: `fr` or `en` (default: the preference saved from the editor's
    /// Language menu, else the system's locale)
    #[arg(long = "lang", value_name = "fr|en", value_parser = parse_lang)]
    pub lang: Option<twincity_i18n::Lang>,
}

fn parse_lang(s: &str) -> Result<twincity_i18n::Lang, String> {
    twincity_i18n::Lang::from_locale(s)
        .ok_or_else(|| format!("`{s}` is not a language of the interface; use `fr` or `en`"))
}

impl LangArg {
    /// Sets the interface language: `--lang`, else the preferences, else the system's; a
    /// broken preferences file is reported and ignored.
    pub fn apply(&self) {
        let (prefs, problem) = twincity_i18n::prefs::Preferences::load_user();
        if let Some(problem) = problem {
            eprintln!("warning: {problem} (the language follows the system)");
        }
        twincity_i18n::set_language(twincity_i18n::choose_language(self.lang, &prefs));
    }
}

/// A tour checked with everything it refers to: the project it opens.
pub struct CheckedTour {
    pub tour: Tour,
    pub project: Project,
    /// The project's file (`None`: the bundled demo project).
    pub project_path: Option<PathBuf>,
}

/// Loads a tour and checks what it refers to; errors name the file, line and field.
pub fn check_tour(path: &Path) -> anyhow::Result<CheckedTour> {
    let text = twincity_model::ronfile::read_text(path)?;
    let tour = Tour::from_ron(path, &text)?;
    let project = match &tour.project {
        Some(p) => {
            Project::load(p).map_err(|e| anyhow::anyhow!("{}: `project`: {e}", path.display()))?
        }
        None => Project::demo()?,
    };
    let mut duration = None;
    if let Some(file) = &tour.scenario {
        let s = Scenario::load(file)
            .and_then(|s| s.compile(None).map(|_| s))
            .map_err(|e| anyhow::anyhow!("{}: `scenario`: {e}", path.display()))?;
        duration = Some(s.duration_s);
    }
    if let Some(file) = &tour.crowd {
        CrowdScenario::load(file)
            .map_err(|e| anyhow::anyhow!("{}: `crowd`: {e}", path.display()))?;
    }
    tour.check_references(&project, duration)
        .map_err(|p| p.into_error(path, &text))?;
    for (i, step) in tour.steps.iter().enumerate() {
        if let Some(card) = &step.show.model {
            twincity_infer::ModelCard::read(card)
                .map_err(|e| anyhow::anyhow!("{}: `steps[{i}].show.model`: {e}", path.display()))?;
        }
    }
    Ok(CheckedTour {
        project_path: tour.project.clone(),
        tour,
        project,
    })
}

/// One line about a valid tour, for `twincity validate`.
pub fn describe(t: &CheckedTour) -> String {
    format!(
        "tour \"{}\" / \"{}\", {} steps, project \"{}\"{}",
        t.tour.title.fr,
        t.tour.title.en,
        t.tour.steps.len(),
        t.project.name,
        t.tour
            .scenario
            .as_ref()
            .map_or(String::new(), |s| format!(", scenario {}", s.display()))
    )
}
