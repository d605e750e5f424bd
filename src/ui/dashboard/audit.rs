//! Audit: the checklist's results and its spec as TOML, checked before it is saved.

use crate::app::AppCommand;
use crate::app::session::{Command, Session};
use crate::data::audit_spec::AuditSpecError;
use crate::model::audit::Verdict;
use crate::report::format;
use crate::ui::state::DashboardView;

/// A starting point for a new checklist (docs/audit-spec.md has every key).
const AUDIT_TEMPLATE: &str = r#"# Risks the team listed, each tied to a check (docs/audit-spec.md).
[signoff]
owner = ""
decision = ""
date = ""

[[check]]
risk = "overall accuracy below the launch bar"
metric = "accuracy"
min = 0.9
"#;

/// The audit checklist: results (failures first in red), and the spec as TOML to edit; it
/// is checked against the dataset before it is saved in the project.
pub(super) fn audit_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    match &session.audit {
        None => {
            ui.label("No audit checklist yet: write the risks and their checks below, then save.");
        }
        Some(Err(problem)) => {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        Some(Ok(results)) => {
            let failed = results.failed();
            ui.horizontal(|ui| {
                if failed == 0 {
                    ui.strong("Every judged group passes.");
                } else {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("{failed} of {} groups fail.", results.results.len()),
                    );
                }
                if ui
                    .button("Run checks again")
                    .on_hover_text("Measure again after tagging")
                    .clicked()
                {
                    commands.push(Command::RunAudit.into());
                }
            });
            egui::Grid::new("audit-results")
                .striped(true)
                .show(ui, |ui| {
                    for title in format::AUDIT_COLUMNS {
                        ui.strong(title);
                    }
                    ui.end_row();
                    for line in format::audit_lines(results) {
                        let [cells @ .., result] = &line.cells;
                        for cell in cells {
                            ui.label(cell);
                        }
                        match line.verdict {
                            Verdict::Pass => ui.label(result),
                            Verdict::Fail => ui.colored_label(ui.visuals().error_fg_color, result),
                            Verdict::TooFew => ui.weak(result),
                        };
                        ui.end_row();
                    }
                });
            let s = &results.signoff;
            ui.label(format!(
                "Sign-off: owner {}, decision {}, date {}",
                if s.owner.is_empty() {
                    format::UNKNOWN
                } else {
                    &s.owner
                },
                if s.decision.is_empty() {
                    format::UNKNOWN
                } else {
                    &s.decision
                },
                if s.date.is_empty() {
                    format::UNKNOWN
                } else {
                    &s.date
                }
            ));
        }
    }
    ui.add_space(8.0);
    ui.separator();
    let label = ui.strong("Audit spec (TOML)");
    let draft = state.audit_draft.get_or_insert_with(|| {
        session
            .project
            .audit_text()
            .unwrap_or(AUDIT_TEMPLATE)
            .to_string()
    });
    // The draft is checked against the dataset as it is typed (a TOML parse and a pass over
    // the checks: instant); a problem marks its line in the editor and is said below it.
    if state
        .audit_checked
        .as_ref()
        .is_none_or(|(text, _)| text != draft)
    {
        let problem = match session.project.check_audit(draft) {
            Ok(_) => None,
            Err(AuditSpecError::Invalid { line, message, .. }) => Some((line, message)),
            Err(other) => Some((1, other.to_string())),
        };
        state.audit_checked = Some((draft.clone(), problem));
    }
    let problem = state.audit_checked.as_ref().and_then(|(_, p)| p.clone());
    let bad_line = problem.as_ref().map(|(line, _)| *line);
    let marked = ui.visuals().error_fg_color.gamma_multiply(0.35);
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = egui::text::LayoutJob::default();
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let color = ui.visuals().text_color();
        for (number, line) in text.as_str().split_inclusive('\n').enumerate() {
            let mut format = egui::TextFormat::simple(font.clone(), color);
            if Some(number + 1) == bad_line {
                format.background = marked;
            }
            job.append(line, 0.0, format);
        }
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    ui.add(
        egui::TextEdit::multiline(draft)
            .code_editor()
            .desired_rows(16)
            .desired_width(f32::INFINITY)
            .layouter(&mut layouter),
    )
    .labelled_by(label.id);
    if let Some((line, message)) = &problem {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Line {line}: {message}"),
        );
    }
    let changed = session.project.audit_text() != Some(draft.as_str());
    let mut discard = false;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                changed && problem.is_none(),
                egui::Button::new("Check and save"),
            )
            .on_disabled_hover_text("Fix the marked line first")
            .clicked()
        {
            commands.push(Command::SetAudit(Some(draft.clone())).into());
        }
        discard = changed && ui.button("Discard changes").clicked();
        ui.weak("Keys: docs/audit-spec.md. Ctrl+Z undoes a save.");
    });
    if discard {
        state.audit_draft = None;
    }
}
