//! The interface's languages: every user-visible string of the editor is a Fluent message
//! (`assets/i18n/fr/*.ftl`, `assets/i18n/en/*.ftl`, one file per part of the interface),
//! looked up by id in the current language
//! ([`tr`], [`tr_args`]); numbers are formatted for it by ICU4X ([`number`]: `1 234,5` in
//! French, `1,234.5` in English). The language comes from the user's preferences
//! ([`prefs`]), else the system locale ([`system_language`]). No Bevy: it compiles and tests
//! in seconds.

pub mod prefs;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The messages of one language: its files, one per part of the interface, end to end
/// (each ends with a line break). An id given twice is a test failure, not a silent override.
macro_rules! messages_of {
    ($lang:literal) => {
        concat!(
            include_str!(concat!("../../../assets/i18n/", $lang, "/editor.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/notes.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/crowd.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/timeline.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/export.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/inference.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/plates.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/train.ftl")),
            include_str!(concat!("../../../assets/i18n/", $lang, "/video.ftl")),
        )
    };
}

/// The messages, as shipped (and checked by the tests: the same ids in both, each once).
pub const FRENCH_FTL: &str = messages_of!("fr");
pub const ENGLISH_FTL: &str = messages_of!("en");

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language's own name, as a language menu lists it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    /// From a code or a locale (`fr`, `fr-FR`, `fr_CA.UTF-8`, `en-GB`...); `None` for a
    /// language the interface does not speak.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn index(self) -> u8 {
        match self {
            Lang::Fr => 0,
            Lang::En => 1,
        }
    }

    fn ftl(self) -> &'static str {
        match self {
            Lang::Fr => FRENCH_FTL,
            Lang::En => ENGLISH_FTL,
        }
    }
}

/// The language of the system's locale (`LC_ALL`, `LC_MESSAGES`, `LANG` on Unix), English
/// when it is neither French nor English.
pub fn system_language() -> Lang {
    sys_locale::get_locale()
        .as_deref()
        .and_then(Lang::from_locale)
        .unwrap_or(Lang::En)
}

/// The language shown: an explicit choice (`--lang`), else the preferences, else the system's.
pub fn choose_language(explicit: Option<Lang>, preferences: &prefs::Preferences) -> Lang {
    explicit
        .or_else(|| preferences.language.as_deref().and_then(Lang::from_locale))
        .unwrap_or_else(system_language)
}

static CURRENT: AtomicU8 = AtomicU8::new(1);

/// Sets the language every later [`tr`] speaks.
pub fn set_language(lang: Lang) {
    CURRENT.store(lang.index(), Ordering::Relaxed);
}

/// The language [`tr`] speaks now.
pub fn language() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        0 => Lang::Fr,
        _ => Lang::En,
    }
}

struct Bundles {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a valid language code");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // egui draws text as given: Unicode isolation marks around arguments would show as boxes.
    bundle.set_use_isolating(false);
    // Both files are checked by this crate's tests: a broken one does not ship.
    let resource = FluentResource::try_new(lang.ftl().to_string())
        .unwrap_or_else(|(_, errors)| panic!("assets/i18n/{}/*.ftl: {errors:?}", lang.code()));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("assets/i18n/{}/*.ftl: {errors:?}", lang.code()));
    bundle
}

fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| Bundles {
        fr: bundle(Lang::Fr),
        en: bundle(Lang::En),
    })
}

/// The message `id` in `lang`, with `args`; the id itself when no language has it (the tests
/// keep that from happening).
pub fn message(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let b = bundles();
    let bundle = match lang {
        Lang::Fr => &b.fr,
        Lang::En => &b.en,
    };
    let (id, attribute) = match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    };
    let pattern = bundle.get_message(id).and_then(|m| match attribute {
        Some(a) => m.get_attribute(a).map(|a| a.value()),
        None => m.value(),
    });
    match pattern {
        Some(p) => {
            let mut errors = Vec::new();
            bundle.format_pattern(p, args, &mut errors).into_owned()
        }
        None => id.to_string(),
    }
}

/// The message `id` in the current language.
pub fn tr(id: &str) -> String {
    message(language(), id, None)
}

/// The message `id` in the current language, with named arguments: text, or numbers already
/// formatted by [`number`] / [`integer`].
pub fn tr_args(id: &str, args: &[(&str, Arg)]) -> String {
    tr_args_in(language(), id, args)
}

/// [`tr_args`] in a given language (for what is written in one language whatever the
/// interface speaks, such as an audit log).
pub fn tr_args_in(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        let v = match value {
            Arg::Text(s) => FluentValue::from(s.clone()),
            // Plural rules see the number; what is shown is the number as the language writes it.
            Arg::Count(n) => FluentValue::from(*n as f64),
        };
        fluent.set(*name, v);
    }
    message(lang, id, Some(&fluent))
}

/// An argument of a message.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    /// A count, for plural forms (`{ $n -> [one] ... *[other] ... }`).
    Count(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

/// `x` with `decimals` digits after the separator, as the current language writes numbers
/// (French: `1 234,5` with a narrow no-break space; English: `1,234.5`).
pub fn number(x: f64, decimals: usize) -> String {
    number_in(language(), x, decimals)
}

/// A whole number, as the current language writes it.
pub fn integer(n: i64) -> String {
    number_in(language(), n as f64, 0)
}

/// [`number`] in a given language.
pub fn number_in(lang: Lang, x: f64, decimals: usize) -> String {
    use icu_decimal::DecimalFormatter;
    use icu_decimal::input::Decimal;
    if !x.is_finite() {
        return x.to_string();
    }
    thread_local! {
        // ICU4X's formatters are not `Sync`: one pair per thread that formats numbers.
        static FORMATTERS: [DecimalFormatter; 2] = Lang::ALL.map(|l| {
            let locale: icu_locale_core::Locale = l.code().parse().expect("a valid locale");
            DecimalFormatter::try_new((&locale).into(), Default::default())
                .expect("the compiled data has French and English")
        });
    }
    let text = format!("{x:.decimals$}");
    match text.parse::<Decimal>() {
        Ok(d) => FORMATTERS.with(|f| f[lang.index() as usize].format(&d).to_string()),
        Err(_) => text,
    }
}

/// Day `day` of the year (1–366) as the current language writes a day and month (French:
/// `9 juin`; English: `June 9`). The day is counted in a common year (day 366 reads as the
/// last day of the year), as the scenario's sun model counts it.
pub fn day_of_year(day: u32) -> String {
    day_of_year_in(language(), day)
}

/// [`day_of_year`] in a given language.
pub fn day_of_year_in(lang: Lang, day: u32) -> String {
    use icu_calendar::{Date, Iso};
    use icu_datetime::FixedCalendarDateTimeFormatter;
    use icu_datetime::fieldsets::MD;
    thread_local! {
        static FORMATTERS: [FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, MD>; 2] =
            Lang::ALL.map(|l| {
                let locale: icu_locale_core::Locale = l.code().parse().expect("a valid locale");
                FixedCalendarDateTimeFormatter::try_new((&locale).into(), MD::long())
                    .expect("the compiled data has French and English")
            });
    }
    let first = Date::try_new_iso(2025, 1, 1).expect("a valid date");
    let rd = first.to_rata_die() + i64::from(day.clamp(1, 365) - 1);
    let date = Date::from_rata_die(rd, Iso).to_calendar(icu_calendar::Gregorian);
    FORMATTERS.with(|f| f[lang.index() as usize].format(&date).to_string())
}

/// Every message id of one `.ftl` text, with its attributes as `id.attribute`, and the parse
/// errors (for the tests and `twincity` checks).
pub fn message_ids(ftl: &str) -> Result<Vec<String>, String> {
    use fluent_syntax::ast::Entry;
    let resource =
        fluent_syntax::parser::parse(ftl).map_err(|(_, errors)| format!("{errors:?}"))?;
    let mut ids = Vec::new();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            if m.value.is_some() {
                ids.push(m.id.name.to_string());
            }
            for a in m.attributes {
                ids.push(format!("{}.{}", m.id.name, a.id.name));
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages() {
        let fr = message_ids(FRENCH_FTL).expect("fr.ftl parses");
        let en = message_ids(ENGLISH_FTL).expect("en.ftl parses");
        let only_fr: Vec<_> = fr.iter().filter(|id| !en.contains(id)).collect();
        let only_en: Vec<_> = en.iter().filter(|id| !fr.contains(id)).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "messages in French only: {only_fr:?}; in English only: {only_en:?}"
        );
        assert!(fr.len() > 100, "{} messages", fr.len());
    }

    #[test]
    fn every_message_is_defined_once() {
        for (lang, ftl) in [("fr", FRENCH_FTL), ("en", ENGLISH_FTL)] {
            let mut ids = message_ids(ftl).expect("the messages parse");
            ids.sort();
            let twice: Vec<_> = ids.windows(2).filter(|w| w[0] == w[1]).collect();
            assert!(twice.is_empty(), "{lang}: given twice: {twice:?}");
        }
        // The bundles refuse an id given twice: both load.
        assert_eq!(message(Lang::Fr, "app-name", None), "TwinCity Studio");
        assert_eq!(message(Lang::En, "app-name", None), "TwinCity Studio");
    }

    #[test]
    fn no_message_is_left_untranslated_by_mistake() {
        // A French message identical to its English one is allowed only where the words are
        // the same in both (names, units).
        let same: Vec<String> = message_ids(FRENCH_FTL)
            .unwrap()
            .into_iter()
            .filter(|id| {
                let fr = message(Lang::Fr, id, None);
                let en = message(Lang::En, id, None);
                fr == en && words(&fr) > 3
            })
            .collect();
        let allowed = [
            "app-name",
            "lang-fr",
            "lang-en",
            "status-fps",
            "status-triangles",
            "prop-centre",
            "prop-triangles",
            "prop-image",
            "prop-zoom-slider",
            "prop-footprint-size",
            "dori-observation",
            "dori-identification",
            "key-new-open",
            "key-import",
            "key-undo",
            "key-quit",
        ];
        let unexpected: Vec<_> = same
            .iter()
            .filter(|id| !allowed.contains(&id.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "the same text in French and English: {unexpected:?}"
        );
    }

    /// Letters of a message outside its placeables (`{$n}` is not a word to translate).
    fn words(text: &str) -> usize {
        let mut depth = 0;
        let mut letters = 0;
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                c if depth == 0 && c.is_alphabetic() => letters += 1,
                _ => {}
            }
        }
        letters
    }

    #[test]
    fn days_of_the_year_read_as_dates_in_the_language() {
        assert_eq!(day_of_year_in(Lang::Fr, 1), "1 janvier");
        assert_eq!(day_of_year_in(Lang::En, 1), "January 1");
        // Day 160 of a common year: 9 June.
        assert_eq!(day_of_year_in(Lang::Fr, 160), "9 juin");
        assert_eq!(day_of_year_in(Lang::En, 160), "June 9");
        assert_eq!(day_of_year_in(Lang::Fr, 365), "31 décembre");
        assert_eq!(day_of_year_in(Lang::Fr, 366), "31 décembre");
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(number_in(Lang::En, 1234.5, 1), "1,234.5");
        assert_eq!(number_in(Lang::Fr, 1234.5, 1), "1\u{202f}234,5");
        assert_eq!(number_in(Lang::Fr, 0.25, 2), "0,25");
        assert_eq!(number_in(Lang::En, -3.0, 0), "-3");
    }

    #[test]
    fn locales_name_their_language() {
        assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("fr-CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_locale("de-DE"), None);
        assert_eq!(Lang::from_locale(""), None);
    }

    #[test]
    fn plural_forms_follow_the_count() {
        let one = FluentArgs::from_iter([("n", FluentValue::from(1.0))]);
        let many = FluentArgs::from_iter([("n", FluentValue::from(3.0))]);
        assert_eq!(message(Lang::Fr, "status-cameras", Some(&one)), "1 caméra");
        assert_eq!(
            message(Lang::Fr, "status-cameras", Some(&many)),
            "3 caméras"
        );
        assert_eq!(message(Lang::En, "status-cameras", Some(&one)), "1 camera");
    }
}
