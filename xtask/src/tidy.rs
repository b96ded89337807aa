//! Repository hygiene, checked by `cargo xtask tidy` and by `cargo test --workspace` (or `-p xtask`): every Rust
//! file opens with a `//!` doc comment, no trailing whitespace, no `#[ignore]`d test, and every
//! `unsafe` block has a `// SAFETY:` comment just above it, and a function that such a comment
//! names exists in its crate (see [`safety_names`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Checks every `.rs` file under the workspace's source folders.
pub(crate) fn check(root: &Path) -> Result<()> {
    let mut problems = Vec::new();
    for dir in ["crates", "xtask", "tests", "benches", "examples"] {
        let mut files = Vec::new();
        collect(&root.join(dir), &mut files);
        for file in files {
            let text = fs::read_to_string(&file)?;
            problems.extend(check_file(
                &file.strip_prefix(root).unwrap_or(&file).display().to_string(),
                &text,
            ));
        }
    }
    for krate in crate_sources(root) {
        let mut files = Vec::new();
        collect(&krate, &mut files);
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|f| {
                let name = f.strip_prefix(root).unwrap_or(f).display().to_string();
                Ok((name, fs::read_to_string(f)?))
            })
            .collect::<Result<_>>()?;
        problems.extend(safety_names(&texts));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("tidy found {} problem(s):\n{}", problems.len(), problems.join("\n"))
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            // trybuild's compile-fail inputs are test data, not modules.
            if name != "target" && name != "ui" {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn check_file(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.starts_with("//!") {
        problems.push(format!("{name}: does not open with a `//!` doc comment"));
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if line.ends_with(' ') || line.ends_with('\t') {
            problems.push(format!("{name}:{n}: trailing whitespace"));
        }
        let code = line.trim_start();
        if code.starts_with("#[ignore") {
            problems.push(format!(
                "{name}:{n}: #[ignore]: assert the current behaviour and add a FIXME"
            ));
        }
        if opens_unsafe_block(code) {
            let documented = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    let t = l.trim_start();
                    t.starts_with("//") || t.is_empty() || !t.contains(';')
                })
                .take(12)
                .any(|l| l.contains("SAFETY:"));
            if !documented {
                problems.push(format!("{name}:{n}: unsafe block without a `// SAFETY:` comment"));
            }
        }
    }
    problems
}

/// The `src` folders of the workspace's crates (each checked as one unit by [`safety_names`]).
fn crate_sources(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .map(|entries| entries.flatten().map(|e| e.path().join("src")).collect())
        .unwrap_or_default();
    dirs.push(root.join("xtask/src"));
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    dirs
}

/// What a crate defines, as far as [`safety_names`] needs it: its types and traits, the
/// functions in each `impl` (or trait) block by the type's name, and every function name.
#[derive(Default)]
struct Defs {
    types: BTreeSet<String>,
    methods: BTreeMap<String, BTreeSet<String>>,
    functions: BTreeSet<String>,
}

/// The first identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The type an `impl` line is for: `impl<T> Trait<T> for Foo<T> {` gives `Foo`, `impl<T>
/// Foo<T> {` gives `Foo`.
fn impl_target(line: &str) -> &str {
    let mut rest = line.trim_start().trim_start_matches("unsafe ").trim_start_matches("impl");
    if rest.starts_with('<') {
        // Skip the generics, which may nest.
        let mut depth = 0;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                rest = &rest[i + 1..];
                break;
            }
        }
    }
    let rest = match rest.find(" for ") {
        Some(at) => &rest[at + 5..],
        None => rest,
    };
    let rest = rest.trim_start().trim_start_matches('!');
    // A path: the last segment before any generics.
    let path = &rest[..rest.find(['<', ' ', '{']).unwrap_or(rest.len())];
    path.rsplit("::").next().unwrap_or(path)
}

fn definitions(texts: &[(String, String)]) -> Defs {
    let mut defs = Defs::default();
    for (_, text) in texts {
        // The type whose `impl` (or trait) block we are in, and the indentation of its line.
        let mut block: Option<(usize, String)> = None;
        for line in text.lines() {
            let code = line.trim_start();
            let indent = line.len() - code.len();
            if let Some((at, _)) = &block
                && indent == *at
                && code.starts_with('}')
            {
                block = None;
            }
            let item = code
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub(super) ")
                .trim_start_matches("pub ")
                .trim_start_matches("unsafe ");
            for keyword in ["struct ", "enum ", "trait ", "type ", "union "] {
                if let Some(rest) = item.strip_prefix(keyword) {
                    defs.types.insert(ident(rest).to_string());
                    if keyword == "trait " && code.ends_with('{') {
                        block = Some((indent, ident(rest).to_string()));
                    }
                }
            }
            if (item.starts_with("impl ") || item.starts_with("impl<")) && code.ends_with('{') {
                block = Some((indent, impl_target(item).to_string()));
            }
            let item = item
                .trim_start_matches("const ")
                .trim_start_matches("async ")
                .trim_start_matches("unsafe ")
                .trim_start_matches("extern \"C\" ");
            if let Some(rest) = item.strip_prefix("fn ") {
                let name = ident(rest).to_string();
                if let Some((_, ty)) = &block {
                    defs.methods.entry(ty.clone()).or_default().insert(name.clone());
                }
                defs.functions.insert(name);
            }
        }
    }
    defs
}

/// The functions a comment names: `Type::function` (with `Type` capitalized) and `function()`.
fn named_functions(comment: &str) -> Vec<(Option<&str>, &str)> {
    let mut names = Vec::new();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    for (at, _) in comment.match_indices("::") {
        let before = &comment[..at];
        let ty = &before[before.rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1)..];
        let function = ident(&comment[at + 2..]);
        if ty.starts_with(|c: char| c.is_ascii_uppercase())
            && function.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        {
            names.push((Some(ty), function));
        }
    }
    for (at, _) in comment.match_indices("()") {
        let before = &comment[..at];
        let start = before.rfind(|c: char| !is_word(c)).map_or(0, |i| i + 1);
        let function = &before[start..];
        // `Type::function()` was taken above; `fn()` is a type (`extern "C" fn()`), not a name.
        if !function.is_empty()
            && function != "fn"
            && function.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && !before[..start].ends_with("::")
            && !before[..start].ends_with('.')
        {
            names.push((None, function));
        }
    }
    names
}

/// Every function a `// SAFETY:` comment of the crate (`texts`: its files) names must exist
/// in it: `Type::function` when the crate defines `Type` (in an `impl` block of `Type` or in
/// the trait `Type`; types of other crates are not checked), and `function()` anywhere in the
/// crate. A SAFETY argument that names a function that is gone argues about nothing.
fn safety_names(texts: &[(String, String)]) -> Vec<String> {
    let defs = definitions(texts);
    let mut problems = Vec::new();
    for (name, text) in texts {
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].trim_start().starts_with("// SAFETY:") {
                i += 1;
                continue;
            }
            let start = i;
            let mut comment = String::new();
            let plain =
                |l: &str| l.starts_with("//") && !l.starts_with("///") && !l.starts_with("//!");
            while i < lines.len() && plain(lines[i].trim_start()) {
                comment.push_str(lines[i].trim_start().trim_start_matches('/'));
                comment.push(' ');
                i += 1;
            }
            for (ty, function) in named_functions(&comment) {
                let exists = match ty {
                    Some(ty) if defs.types.contains(ty) => {
                        defs.methods.get(ty).is_some_and(|m| m.contains(function))
                    }
                    Some(_) => true,
                    None => defs.functions.contains(function),
                };
                if !exists {
                    let named =
                        ty.map_or(format!("{function}()"), |ty| format!("{ty}::{function}"));
                    problems.push(format!(
                        "{name}:{}: the SAFETY comment names `{named}`, which this crate does not \
                         define",
                        start + 1
                    ));
                }
            }
        }
    }
    problems
}

/// Whether a line opens an `unsafe` block (not in a comment or a string literal).
fn opens_unsafe_block(code: &str) -> bool {
    if code.starts_with("//") {
        return false;
    }
    code.match_indices("unsafe {").any(|(at, _)| code[..at].matches('"').count().is_multiple_of(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_comments_name_functions_not_fn_pointer_types() {
        let names = named_functions(
            r#" the handlers are `extern "C" fn()` that call `flip()` and `Book::lock` "#,
        );
        assert_eq!(names, [(Some("Book"), "lock"), (None, "flip")]);
    }

    #[test]
    fn repository_is_tidy() {
        check(&crate::project_root()).unwrap();
    }

    #[test]
    fn tidy_catches_problems() {
        let bad = "fn f() {} \n#[ignore]\nfn g() { unsafe { x() } }\n";
        let problems = check_file("bad.rs", bad);
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }

    #[test]
    fn safety_comments_must_name_functions_that_exist() {
        let lib = "//! x\nstruct Gen;\nimpl<T> Gen<T> {\n    fn on_stack() {}\n}\nfn helper() {}\n";
        let user = [
            "//! y",
            "// SAFETY: built in `Gen::on_stack`, checked by helper(); see",
            "// `NonNull::as_ref` (another crate's) and `x.len()`.",
            "fn f() {}",
            "// SAFETY: the `Co` is built in `Gen::build_with`, after setup().",
            "fn g() {}",
        ]
        .join("\n");
        let texts = [("lib.rs".to_string(), lib.to_string()), ("user.rs".into(), user)];
        let problems = safety_names(&texts);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].contains("user.rs:5") && problems[0].contains("`Gen::build_with`"));
        assert!(problems[1].contains("`setup()`"));
    }
}
