//! The layout of docs/ARCHITECTURE.md, checked: crates depend only on the layers below them,
//! the root package's `render`, `editor` and `cli` use each other in that direction only, and
//! modules inside a crate import each other without cycles.
//!
//! Module dependencies are read from the sources: every `crate::…`, `super::…` and `self::…`
//! path (in `use` declarations and in code), resolved to the module it names. Two sibling
//! modules depend on each other when anything inside one names anything inside the other;
//! nested modules are checked among their own siblings the same way. Comments, string
//! literals and `#[cfg(test)]` modules do not count (tests may reach across a crate).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every workspace crate and the workspace crates it may depend on (the layers below it).
const LAYERS: &[(&str, &[&str])] = &[
    ("twincity_model", &[]),
    ("twincity_gltf", &["twincity_model"]),
    ("twincity_scene", &["twincity_model", "twincity_gltf"]),
    (
        "twincity_crowd",
        &["twincity_model", "twincity_gltf", "twincity_scene"],
    ),
    (
        "twincity_scenario",
        &[
            "twincity_model",
            "twincity_gltf",
            "twincity_scene",
            "twincity_crowd",
        ],
    ),
    (
        "twincity_dataset",
        &[
            "twincity_model",
            "twincity_gltf",
            "twincity_scene",
            "twincity_crowd",
            "twincity_scenario",
        ],
    ),
    ("twincity_infer", &["twincity_model"]),
    ("twincity_i18n", &["twincity_model"]),
    (
        "twincity",
        &[
            "twincity_model",
            "twincity_gltf",
            "twincity_scene",
            "twincity_crowd",
            "twincity_scenario",
            "twincity_dataset",
            "twincity_infer",
            "twincity_i18n",
        ],
    ),
];

/// The root package's layers: each top-level module of `src/` and the ones it may use.
/// The editor draws through `render`; the command line runs the editor and renders.
const ROOT_LAYERS: &[(&str, &[&str])] = &[
    ("render", &[]),
    ("editor", &["render"]),
    ("cli", &["render", "editor"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn crate_dir(name: &str) -> PathBuf {
    if name == "twincity" {
        root()
    } else {
        root().join("crates").join(name)
    }
}

/// The workspace crates a crate's manifest names under `[dependencies]` (dev-dependencies
/// may reach higher: tests build fixtures with whatever they need).
fn workspace_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut section = String::new();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.to_string();
        } else if section == "[dependencies]"
            && let Some(name) = line.split([' ', '=']).next()
            && name.starts_with("twincity_")
        {
            out.insert(name.to_string());
        }
    }
    out
}

#[test]
fn crates_depend_only_on_lower_layers() {
    let known: BTreeSet<&str> = LAYERS.iter().map(|(c, _)| *c).collect();
    let mut members: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    members.push("twincity".into());
    for member in &members {
        assert!(
            known.contains(member.as_str()),
            "crate `{member}` has no layer: add it to LAYERS here and to docs/ARCHITECTURE.md"
        );
    }
    for (name, allowed) in LAYERS {
        let deps = workspace_dependencies(&crate_dir(name).join("Cargo.toml"));
        for dep in &deps {
            assert!(
                allowed.contains(&dep.as_str()),
                "`{name}` depends on `{dep}`, which is not below it (docs/ARCHITECTURE.md)"
            );
        }
    }
}

/// A crate's modules: path (`a::b`, empty for the crate root) → source text.
fn modules(src: &Path, root_file: &str) -> BTreeMap<Vec<String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.last().cloned().unwrap_or_default();
            if parts.len() == 1 && (last == root_file || last == "main") {
                parts.clear();
            } else if last == "mod" {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(parts, text);
        }
    }
    // Files that are test modules (declared under `#[cfg(test)]`) are left out.
    let tests: Vec<Vec<String>> = out
        .keys()
        .filter_map(|path| {
            let (last, parent) = path.split_last()?;
            let parent_text = out.get(parent)?;
            declared_for_tests(parent_text, last).then(|| path.clone())
        })
        .collect();
    for t in tests {
        out.remove(&t);
    }
    out
}

/// Whether `text` declares module `name` under `#[cfg(test)]`.
fn declared_for_tests(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.iter().enumerate().any(|(i, l)| {
        l.strip_suffix(';')
            .and_then(|l| without_visibility(l).strip_prefix("mod "))
            .is_some_and(|m| m == name)
            && lines[..i]
                .iter()
                .rev()
                .take_while(|p| p.starts_with("#["))
                .any(|p| p.starts_with("#[cfg(test)]"))
    })
}

/// The code of a module with comments, string and char literals blanked, and without
/// inline `#[cfg(test)]` modules.
fn code_only(text: &str) -> String {
    strip_test_modules(&blank_non_code(text))
}

/// An item's text after `pub`, `pub(crate)`, `pub(super)` or `pub(in …)`.
fn without_visibility(item: &str) -> &str {
    let Some(rest) = item.strip_prefix("pub") else {
        return item;
    };
    match rest.strip_prefix('(') {
        Some(inner) => inner.split_once(')').map_or(rest, |(_, r)| r).trim_start(),
        None => rest.trim_start(),
    }
}

fn is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// Index just past the string literal starting at `i` (`"…"`, `r"…"`, `r#"…"#`).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'r' {
        i += 1;
        let mut hashes = 0;
        while b.get(i) == Some(&b'#') {
            hashes += 1;
            i += 1;
        }
        i += 1;
        while i < b.len() {
            if b[i] == b'"'
                && b[i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == b'#')
                    .count()
                    == hashes
            {
                return i + 1 + hashes;
            }
            i += 1;
        }
        return i;
    }
    i += 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// Removes `#[cfg(test)] mod name { … }` blocks (braces balanced).
fn strip_test_modules(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at + "#[cfg(test)]".len()..];
        let trimmed = rest.trim_start();
        let is_mod = without_visibility(trimmed).starts_with("mod ");
        let Some(open) = rest.find(['{', ';']).filter(|_| is_mod) else {
            // Another test-only item: drop the attribute only.
            out.replace_range(at..at + "#[cfg(test)]".len(), "");
            continue;
        };
        let start = at + "#[cfg(test)]".len() + open;
        if out.as_bytes()[start] == b';' {
            out.replace_range(at..=start, "");
            continue;
        }
        let mut depth = 0;
        let mut end = out.len();
        for (k, c) in out[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.replace_range(at..end, "");
    }
    out
}

/// Module paths named by `crate::`, `super::` and `self::` paths in `code` of module `from`,
/// each cut to the longest prefix that is a module of `known`.
fn references(code: &str, from: &[String], known: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let tokens = path_tokens(code);
    for path in tokens {
        let mut segments = path.iter();
        let Some(first) = segments.next() else {
            continue;
        };
        // A module's `super` is its parent, whether it lives in `a/b.rs` or `a/b/mod.rs`.
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => from.to_vec(),
            "super" => from[..from.len().saturating_sub(1)].to_vec(),
            _ => continue,
        };
        let mut rest: Vec<&String> = segments.collect();
        while rest.first().is_some_and(|s| s.as_str() == "super") {
            base.pop();
            rest.remove(0);
        }
        // Grouped imports: `crate::{a::b, c}` expand to every member.
        let mut candidates = vec![base.clone()];
        for seg in rest {
            if seg.starts_with('{') {
                for member in seg.trim_matches(['{', '}']).split(',') {
                    let mut c = base.clone();
                    c.extend(
                        member
                            .split("::")
                            .map(str::trim)
                            .filter(|s| !s.is_empty() && *s != "self")
                            .map(String::from),
                    );
                    candidates.push(c);
                }
                break;
            }
            base.push(seg.clone());
            candidates[0] = base.clone();
        }
        for c in candidates {
            let mut m = c;
            while !m.is_empty() && !known.contains(&m) {
                m.pop();
            }
            out.insert(m);
        }
    }
    out
}

/// Every path starting with `crate`, `super` or `self` in `code`, as segments; a braced
/// group ends the path and is kept as one segment (`{a::b, c}`, nested groups flattened).
fn path_tokens(code: &str) -> Vec<Vec<String>> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|s| b[i..].starts_with(s.as_bytes()));
        if starts.is_none() || is_ident(b, i) || (i > 0 && b[i - 1] == b':') {
            i += 1;
            continue;
        }
        let mut segs = Vec::new();
        let mut j = i;
        loop {
            let s = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > s {
                segs.push(code[s..j].to_string());
            }
            if b[j..].starts_with(b"::") {
                j += 2;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b'{') {
                    let mut depth = 0;
                    let s = j;
                    while j < b.len() {
                        match b[j] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    let group: String = code[s..=j.min(b.len() - 1)]
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    // Flatten nested groups: `{a::{b, c}, d}` → members a::b, a::c, d.
                    segs.push(flatten_group(&group));
                    break;
                }
                continue;
            }
            break;
        }
        out.push(segs);
        i = j.max(i + 1);
    }
    out
}

fn flatten_group(group: &str) -> String {
    fn expand(prefix: &str, body: &str, out: &mut Vec<String>) {
        let mut depth = 0;
        let mut start = 0;
        let chars: Vec<char> = body.chars().collect();
        let mut items = Vec::new();
        for (k, &c) in chars.iter().enumerate() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(chars[start..k].iter().collect::<String>());
                    start = k + 1;
                }
                _ => {}
            }
        }
        items.push(chars[start..].iter().collect());
        for item in items.into_iter().filter(|s| !s.is_empty()) {
            if let Some(open) = item.find('{') {
                let head = item[..open].trim_end_matches("::");
                let inner = &item[open + 1..item.len().saturating_sub(1)];
                expand(&format!("{prefix}{head}::"), inner, out);
            } else {
                out.push(format!("{prefix}{item}"));
            }
        }
    }
    let mut out = Vec::new();
    expand(
        "",
        group.trim_start_matches('{').trim_end_matches('}'),
        &mut out,
    );
    format!("{{{}}}", out.join(","))
}

/// Edges between sibling modules of one crate: `a → b` when code inside `a` names something
/// inside `b` (both children of the same parent).
fn sibling_edges(modules: &BTreeMap<Vec<String>, String>) -> BTreeSet<(Vec<String>, Vec<String>)> {
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut edges = BTreeSet::new();
    for (from, text) in modules {
        for to in references(&code_only(text), from, &known) {
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // a module and its own ancestors or descendants
            }
            edges.insert((from[..=common].to_vec(), to[..=common].to_vec()));
        }
    }
    edges
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeSet<(Vec<String>, Vec<String>)>) -> Vec<BTreeSet<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a.join("::")).or_default().push(b.join("::"));
        graph.entry(b.join("::")).or_default();
    }
    struct State {
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        out: Vec<BTreeSet<String>>,
    }
    fn visit(v: &str, g: &BTreeMap<String, Vec<String>>, s: &mut State) {
        let n = s.index.len();
        s.index.insert(v.into(), n);
        s.low.insert(v.into(), n);
        s.stack.push(v.into());
        s.on.insert(v.into());
        for w in &g[v] {
            if !s.index.contains_key(w) {
                visit(w, g, s);
                let l = s.low[v].min(s.low[w]);
                s.low.insert(v.into(), l);
            } else if s.on.contains(w) {
                let l = s.low[v].min(s.index[w]);
                s.low.insert(v.into(), l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(&w);
                let done = w == v;
                comp.insert(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(v, &graph, &mut s);
        }
    }
    s.out
}

/// The edges inside one cycle, as `a → b` lines, to say what to take apart.
fn describe(cycle: &BTreeSet<String>, edges: &BTreeSet<(Vec<String>, Vec<String>)>) -> String {
    edges
        .iter()
        .map(|(a, b)| (a.join("::"), b.join("::")))
        .filter(|(a, b)| cycle.contains(a) && cycle.contains(b))
        .map(|(a, b)| format!("  {a} → {b}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn modules_import_each_other_without_cycles() {
    let mut problems = Vec::new();
    for (name, _) in LAYERS {
        let dir = crate_dir(name).join("src");
        let mods = modules(&dir, "lib");
        assert!(mods.len() > 1, "no modules read from {}", dir.display());
        let edges = sibling_edges(&mods);
        for cycle in cycles(&edges) {
            problems.push(format!(
                "`{name}`: modules {} import each other:\n{}",
                cycle.iter().cloned().collect::<Vec<_>>().join(", "),
                describe(&cycle, &edges)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn root_package_layers_point_one_way() {
    let mods = modules(&root().join("src"), "lib");
    let tops: BTreeSet<&str> = mods
        .keys()
        .filter(|path| path.len() == 1)
        .map(|path| path[0].as_str())
        .collect();
    let listed: BTreeSet<&str> = ROOT_LAYERS.iter().map(|(m, _)| *m).collect();
    assert_eq!(
        tops, listed,
        "src/'s top-level modules and ROOT_LAYERS differ"
    );
    let mut problems = Vec::new();
    for (from, to) in sibling_edges(&mods) {
        if from.len() != 1 {
            continue;
        }
        let allowed = ROOT_LAYERS
            .iter()
            .find(|(m, _)| *m == from[0])
            .is_some_and(|(_, uses)| uses.contains(&to[0].as_str()));
        if !allowed {
            problems.push(format!("`{}` uses `{}`", from[0], to[0]));
        }
    }
    assert!(
        problems.is_empty(),
        "layers of src/ used against ROOT_LAYERS (move the code down a layer or send a message \
         instead):\n{}",
        problems.join("\n")
    );
}

/// The check itself finds cycles: through `use`, grouped imports, `super` and code paths,
/// and not through comments, strings or test modules.
#[test]
fn the_cycle_check_sees_what_it_should() {
    let m = |entries: &[(&str, &str)]| -> BTreeMap<Vec<String>, String> {
        entries
            .iter()
            .map(|(p, t)| {
                let path = if p.is_empty() {
                    Vec::new()
                } else {
                    p.split("::").map(String::from).collect()
                };
                (path, t.to_string())
            })
            .collect()
    };
    let cyclic = m(&[
        ("", "mod a; mod b; mod c;"),
        ("a", "use crate::{b::{Thing, other}, c};"),
        ("b", "fn f() { super::c::g(); }"),
        ("c", "fn g() -> crate::a::A { todo!() }"),
    ]);
    let found = cycles(&sibling_edges(&cyclic));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].len(), 3, "{found:?}");
    let quiet = m(&[
        ("", "mod a; mod b;"),
        (
            "a",
            "use crate::b::B; // crate::b\n/// [`crate::b`]\nfn f() {}",
        ),
        (
            "b",
            "const S: &str = \"crate::a::x\";\n#[cfg(test)]\nmod tests { use crate::a::f; }",
        ),
    ]);
    assert!(cycles(&sibling_edges(&quiet)).is_empty());
    let nested = m(&[
        ("", "mod p;"),
        ("p", "mod x; mod y;"),
        ("p::x", "use super::y::Y;"),
        ("p::y", "use crate::p::x::X;"),
    ]);
    let found = cycles(&sibling_edges(&nested));
    assert_eq!(found, vec![BTreeSet::from(["p::x".into(), "p::y".into()])]);
}

/// The longest a function may be, in lines from `fn` to its closing brace, unless a comment
/// just above it starts with [`LONG_REASON`] and says why.
const MAX_FUNCTION_LINES: usize = 150;
const LONG_REASON: &str = "// Long function:";

/// `text` with comments, string and char literals blanked to spaces, line breaks kept (so
/// braces are counted in code only and line numbers stay).
fn blank_non_code(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |from: usize, to: usize, out: &mut Vec<u8>| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"'
            || (b[i] == b'r'
                && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && !is_ident(b, i))
        {
            i = skip_string(b, i);
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
            continue;
        }
        blank(start, i, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a code line starts a function item (`fn`, after visibility and qualifiers).
fn starts_function(line: &str) -> bool {
    let mut rest = without_visibility(line.trim_start());
    for qualifier in ["const ", "async ", "unsafe ", "extern \"C\" ", "extern "] {
        rest = rest.strip_prefix(qualifier).unwrap_or(rest).trim_start();
    }
    rest.starts_with("fn ")
}

/// Functions of `text` longer than `max` lines without a stated reason: (line, name, lines).
fn long_functions(text: &str, max: usize) -> Vec<(usize, String, usize)> {
    let code = blank_non_code(text);
    let code_lines: Vec<&str> = code.lines().collect();
    let text_lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (start, line) in code_lines.iter().enumerate() {
        if !starts_function(line) {
            continue;
        }
        let name: String = line[line.find("fn ").unwrap() + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body: from the first `{` after the name to its matching `}` (none for a
        // declaration ending in `;`).
        let mut depth = 0usize;
        let mut end = None;
        'scan: for (n, l) in code_lines.iter().enumerate().skip(start) {
            for c in l.chars() {
                match c {
                    ';' if depth == 0 => break 'scan,
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(n);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        let Some(end) = end else { continue };
        let length = end - start + 1;
        let reason = text_lines[..start]
            .iter()
            .rev()
            .map(|l| l.trim())
            .take_while(|l| l.starts_with("//") || l.starts_with("#["))
            .any(|l| l.starts_with(LONG_REASON) && l.len() > LONG_REASON.len() + 10);
        if length > max && !reason {
            out.push((start + 1, name, length));
        }
    }
    out
}

/// Every Rust file of the workspace's code, tests and benches.
fn rust_files() -> Vec<PathBuf> {
    let mut dirs = vec![
        root().join("src"),
        root().join("tests"),
        root().join("benches"),
    ];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        dirs.extend(["src", "tests", "benches"].map(|d| dir.join(d)));
    }
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn functions_stay_short_or_say_why() {
    let files = rust_files();
    assert!(files.len() > 50, "only {} Rust files found", files.len());
    let mut problems = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, name, length) in long_functions(&text, MAX_FUNCTION_LINES) {
            let shown = path.strip_prefix(root()).unwrap_or(&path).display();
            problems.push(format!("{shown}:{line}: `{name}` has {length} lines"));
        }
    }
    assert!(
        problems.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: split them into named steps, or say why \
         not in a comment starting with `{LONG_REASON}` just above:\n{}",
        problems.join("\n")
    );
}

/// The length check counts code braces only, skips declarations and accepts a stated reason.
#[test]
fn the_length_check_sees_what_it_should() {
    let body = |n: usize| "    let x = 1;\n".repeat(n);
    let long = format!(
        "/// Doc.\npub(crate) fn long_one() {{\n    let s = \"}}\";\n{}}}\n",
        body(9)
    );
    assert_eq!(long_functions(&long, 10), vec![(2, "long_one".into(), 12)]);
    assert!(long_functions(&long, 12).is_empty());
    let explained =
        format!("// Long function: one table, row by row, as the format lists it.\n{long}");
    assert!(long_functions(&explained, 10).is_empty());
    let lazy = format!("// Long function:\n{long}");
    assert_eq!(long_functions(&lazy, 10).len(), 1, "a reason must be given");
    let declaration = format!("trait T {{\n    fn f(&self);\n}}\n{}", "// }\n".repeat(20));
    assert!(long_functions(&declaration, 10).is_empty());
    let nested = format!(
        "impl A {{\n    async fn outer() {{\n        /* {{ */\n{}    }}\n}}\n",
        body(11)
    );
    assert_eq!(long_functions(&nested, 10), vec![(2, "outer".into(), 14)]);
}
