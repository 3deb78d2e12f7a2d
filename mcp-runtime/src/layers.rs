//! The layering of the crate's modules, checked: no top-level module imports one that imports
//! it back, directly or around a circle. From the bottom up:
//!
//! `util`, `config` → `error` → `logging` → `extract` → `schema` → `output`, `auth` →
//! `middleware` → `component` → `telemetry` → `server` → `transport`, `testing` → `cli`.
//!
//! Where a lower module needs something only a higher one has, the higher one hands it down
//! through a trait or a type-erased value in the request's extensions: middleware reads what
//! the server routed through `middleware::Route`, a `RequestCx` carries its `Server` without
//! naming the type, and `Ctx::close_sse_stream` reaches the HTTP transport's stream through
//! `extract::CloseStream`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Paths re-exported at the crate root under another module's name.
const ALIASES: &[(&str, &str)] = &[
    ("tool", "component"),
    ("resource", "component"),
    ("prompt", "component"),
    ("completion", "component"),
    ("http", "transport"),
    ("lifespan", "server"),
    ("context", "extract"),
];

/// The crate's code in `path`, without comments and without its `#[cfg(test)] mod tests`.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("the crate's sources are readable");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Which top-level modules each top-level module names through `crate::…`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        if name == "lib" || name == "layers" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            sources(&path, &mut files);
        } else {
            files.push(path);
        }
        modules.insert(name, files);
    }
    let mut graph = BTreeMap::new();
    for (name, files) in &modules {
        let mut targets = BTreeSet::new();
        for file in files {
            let code = code(file);
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let mut target = &rest[..end];
                if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == target) {
                    target = to;
                }
                if target != name && modules.contains_key(target) {
                    targets.insert(target.to_owned());
                }
            }
        }
        graph.insert(name.clone(), targets);
    }
    graph
}

/// A circle through `from`, if there is one: the modules in order.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut path = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let last = path.last().expect("the path starts non-empty").clone();
        for next in &graph[&last] {
            if next == from {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, from, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    walk(graph, from, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    // The check sees the imports it should: a sample of known edges.
    assert!(graph["server"].contains("middleware"), "{graph:?}");
    assert!(graph["component"].contains("extract"), "{graph:?}");
    let circles: Vec<String> = graph
        .keys()
        .filter_map(|module| circle(&graph, module))
        .map(|path| path.join(" → "))
        .collect();
    assert!(
        circles.is_empty(),
        "modules import each other: {circles:#?}"
    );
}

#[test]
fn the_check_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", &["b"][..]),
        ("b", &["c"][..]),
        ("c", &["a"][..]),
        ("d", &["a"][..]),
    ]
    .into_iter()
    .map(|(from, to)| {
        (
            from.to_owned(),
            to.iter().map(|t| (*t).to_owned()).collect(),
        )
    })
    .collect();
    assert_eq!(circle(&graph, "a").unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(circle(&graph, "d"), None);
}
