//! Repository hygiene, checked by `cargo xtask tidy` and by `cargo test --workspace` (or `-p xtask`): every Rust
//! file opens with a `//!` doc comment, no trailing whitespace, no `#[ignore]`d test, and every
//! `unsafe` block has a `// SAFETY:` comment just above it.

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
    fn repository_is_tidy() {
        check(&crate::project_root()).unwrap();
    }

    #[test]
    fn tidy_catches_problems() {
        let bad = "fn f() {} \n#[ignore]\nfn g() { unsafe { x() } }\n";
        let problems = check_file("bad.rs", bad);
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }
}
