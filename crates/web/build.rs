//! Builds the web assets that are embedded in the binary: compiles `assets/custodian.scss`
//! (GOV.UK Frontend without GOV.UK branding) with Dart Sass into `$OUT_DIR/custodian.css`, and
//! copies GOV.UK Frontend's JavaScript into `$OUT_DIR/govuk-frontend.min.js`.
//!
//! Both tools come from npm, pinned by `package-lock.json`; if they are not installed yet this
//! runs `npm ci` once. It must not fetch anything else or write outside `node_modules` and
//! `$OUT_DIR`. (No Rust Sass compiler can build GOV.UK Frontend 6, so Node is a build need.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(message) = run() {
        // A plain message reads better than a panic backtrace for a missing tool.
        eprintln!("\nerror: custodian-web could not build its web assets.\n{message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");

    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let node_modules = manifest_dir.join("node_modules");
    let govuk_dist = node_modules.join("govuk-frontend").join("dist");
    let sass = node_modules
        .join(".bin")
        .join(if cfg!(windows) { "sass.cmd" } else { "sass" });

    if needs_install(&manifest_dir, &node_modules, &govuk_dist, &sass) {
        npm_ci(&manifest_dir)?;
    }

    let css = out_dir.join("custodian.css");
    let status = Command::new(&sass)
        .current_dir(&manifest_dir)
        .arg("--load-path=node_modules/govuk-frontend/dist")
        .arg("--style=compressed")
        .arg("--no-source-map")
        .arg(Path::new("assets").join("custodian.scss"))
        .arg(&css)
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| {
            format!(
                "Could not run Sass ({}): {e}.\nNode.js (20 or later) must be installed and on PATH.",
                sass.display()
            )
        })?;
    if !status.success() {
        return Err(format!(
            "Sass could not compile assets/custodian.scss ({status}); its message is above."
        ));
    }

    let js_source = govuk_dist.join("govuk").join("govuk-frontend.min.js");
    let js = std::fs::read_to_string(&js_source)
        .map_err(|e| format!("Could not read {}: {e}", js_source.display()))?;
    let js_target = out_dir.join("govuk-frontend.min.js");
    std::fs::write(&js_target, strip_source_map_comment(&js))
        .map_err(|e| format!("Could not write {}: {e}", js_target.display()))?;
    Ok(())
}

/// Whether `npm ci` must run: a tool is missing, or the lockfile changed since the last install
/// (npm records each install in `node_modules/.package-lock.json`).
fn needs_install(manifest_dir: &Path, node_modules: &Path, govuk_dist: &Path, sass: &Path) -> bool {
    if !govuk_dist.join("govuk").join("index.scss").is_file() || !sass.is_file() {
        return true;
    }
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (
        modified(&manifest_dir.join("package-lock.json")),
        modified(&node_modules.join(".package-lock.json")),
    ) {
        (Some(lockfile), Some(installed)) => lockfile > installed,
        _ => true,
    }
}

fn npm_ci(manifest_dir: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    // --ignore-scripts: Sass's optional file watcher has an install script that compiles native
    // code; we only compile once, so it is not needed and nothing from npm gets to run here.
    let status = Command::new(npm)
        .current_dir(manifest_dir)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        // Cargo reads a build script's stdout for instructions; tools' chatter goes to stderr.
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| {
            format!(
                "Could not run `npm ci` in {}: {e}.\n\
                 Building Custodian needs Node.js (20 or later) and npm on PATH, to install the \
                 pinned GOV.UK Frontend and Sass packages (see crates/web/package.json).",
                manifest_dir.display()
            )
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`npm ci` failed in {} ({status}); its message is above.\n\
             Building Custodian needs Node.js (20 or later), npm, and access to the npm registry \
             (or a populated npm cache) the first time, to install GOV.UK Frontend and Sass.",
            manifest_dir.display()
        ))
    }
}

/// Drops the trailing `//# sourceMappingURL=` comment: the map is not served, and a browser's
/// developer tools would otherwise ask for it and log a 404.
fn strip_source_map_comment(js: &str) -> &str {
    match js.rfind("//# sourceMappingURL=") {
        Some(at) => js[..at].trim_end(),
        None => js,
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|e| format!("Cargo did not set {name}: {e}"))
}
