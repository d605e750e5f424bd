//! Labels: the corrected labels and their switch, the ranked queue of suspected label
//! errors, and how consistently annotators label (overall, per pair as a kappa heatmap, per
//! annotator, per class, per slice value and per tag, each group a link to its rows where
//! annotators disagree).

use egui::{Color32, RichText};

use super::{pct, show_rows};
use crate::app::figures::Figures;
use crate::app::session::{Command, Session};
use crate::app::{AppCommand, View};
use crate::model::filter::{RowFilter, RowList};
use crate::model::hlp::HlpPreference;
use crate::model::labels::{AgreementFigures, GroupAgreement};
use crate::report::format::{fixed, percent};

/// How many suspected label errors the queue lists (the link shows them all in the table).
const QUEUE: usize = 50;

fn kappa(value: Option<f64>) -> String {
    fixed(value, 3)
}

/// Red for kappa ≤ 0 through yellow to green at 1.
fn kappa_colour(value: Option<f64>) -> Color32 {
    let Some(k) = value else {
        return Color32::from_gray(120);
    };
    let t = k.clamp(0.0, 1.0) as f32;
    let (r, g) = if t < 0.5 {
        (200.0, 60.0 + 280.0 * t)
    } else {
        (200.0 - 300.0 * (t - 0.5), 200.0)
    };
    Color32::from_rgb(r as u8, g as u8, 70)
}

pub(super) fn labels_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    commands: &mut Vec<AppCommand>,
) {
    let a = &figures.analysis;
    corrected_labels(ui, session, figures, commands);
    ui.add_space(8.0);
    label_issues(ui, session, figures, commands);
    ui.add_space(8.0);
    match &a.agreement {
        Some(agreement) => agreement_ui(ui, session, agreement, commands),
        None => {
            ui.weak("No annotators: add columns named annotator_*, labeler_*, rater_* or human_label_* (one per annotator), or an annotations file (id,annotator,label) with --annotations, to measure how consistently people label.");
        }
    }
}

/// The corrected labels' count and effect, and the switch to show figures with them.
fn corrected_labels(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    commands: &mut Vec<AppCommand>,
) {
    ui.heading("Corrected labels");
    let Some(c) = figures.analysis.corrected_labels else {
        return;
    };
    ui.label(format!(
        "{} labels corrected, {} confirmed. Accuracy with the labels as given {}, with the corrected labels {}.",
        c.count,
        c.confirmed,
        pct(c.accuracy_before),
        pct(c.accuracy_after)
    ));
    let mut corrected = session.project.shows_corrected_labels();
    if ui
        .checkbox(&mut corrected, "Show every figure with the corrected labels")
        .on_hover_text("The dataset file is never changed: corrections are kept in the project. Select a row and use the inspector (or errata label) to correct or confirm its label.")
        .changed()
    {
        commands.push(Command::ShowCorrectedLabels(corrected).into());
    }
}

fn agreement_ui(
    ui: &mut egui::Ui,
    session: &Session,
    a: &AgreementFigures,
    commands: &mut Vec<AppCommand>,
) {
    ui.heading("Agreement between annotators");
    egui::Grid::new("agreement-summary")
        .striped(true)
        .show(ui, |ui| {
            let line = |ui: &mut egui::Ui, name: &str, value: String| {
                ui.label(name);
                ui.label(value);
                ui.end_row();
            };
            line(ui, "Annotators", a.annotators.join(", "));
            line(ui, "Rows with two annotations or more", a.n.to_string());
            line(ui, "Percent agreement", pct(a.percent_agreement));
            line(
                ui,
                "Fleiss' kappa",
                format!(
                    "{} ({} rows without every annotation left out)",
                    kappa(a.fleiss_kappa),
                    a.fleiss_excluded
                ),
            );
            line(ui, "Krippendorff's alpha", kappa(a.krippendorff_alpha));
            line(ui, "Annotators' accuracy (HLP)", pct(a.annotator_accuracy));
        });
    if ui
        .link("Rows where annotators disagree")
        .on_hover_text("Show them in the review table")
        .clicked()
    {
        show_rows(
            RowFilter {
                annotators_disagree: true,
                ..RowFilter::default()
            },
            commands,
        );
    }
    if session.project.dataset.set.human.is_some() {
        let mut prefer = session.project.inputs().hlp_from;
        ui.horizontal(|ui| {
            ui.label("HLP per tag and slice from:");
            let a = ui.radio_value(
                &mut prefer,
                HlpPreference::HumanLabels,
                "the human-label column",
            );
            let b = ui.radio_value(&mut prefer, HlpPreference::Annotators, "the annotators");
            if a.changed() || b.changed() {
                commands.push(Command::SetHlpPreference(prefer).into());
            }
        });
    }
    ui.add_space(6.0);
    ui.strong("Cohen's kappa per pair");
    pair_heatmap(ui, a);
    ui.add_space(6.0);
    ui.strong("Annotators");
    egui::Grid::new("annotators").striped(true).show(ui, |ui| {
        for title in [
            "annotator",
            "rows",
            "accuracy",
            "agreement with majority",
            "most frequent mix-ups (truth as given)",
        ] {
            ui.strong(title);
        }
        ui.end_row();
        for s in &a.per_annotator {
            ui.label(&s.annotator);
            ui.label(s.n.to_string());
            ui.label(pct(s.accuracy));
            ui.label(pct(s.agreement_with_majority));
            let mixups: Vec<String> = s
                .mixups
                .iter()
                .take(3)
                .map(|m| format!("{} as {} ({})", m.truth, m.given, m.count))
                .collect();
            ui.label(mixups.join("; "));
            ui.end_row();
        }
    });
    let set = &session.project.dataset.set;
    if !a.per_class.is_empty() {
        ui.add_space(6.0);
        ui.strong("Per class (ground truth)").on_hover_text(
            "A class with low agreement may have an unclear definition. Flagged on percent agreement: kappa within one class is near 0 by construction.",
        );
        groups_table(ui, "agreement-classes", &a.per_class, commands, |g| {
            let code = set.class_names().iter().position(|c| *c == g.value)?;
            Some(RowFilter {
                truth: Some(code as u32),
                annotators_disagree: true,
                ..RowFilter::default()
            })
        });
    }
    if !a.by_slice.is_empty() {
        ui.add_space(6.0);
        ui.strong("Per slice value");
        groups_table(ui, "agreement-slices", &a.by_slice, commands, |g| {
            let column = g.column.as_deref()?;
            let index = set.slices.iter().position(|s| s.name == column)?;
            let code = set.slices[index]
                .values
                .iter()
                .position(|v| *v == g.value)?;
            Some(RowFilter {
                slice: Some((index, code as u32)),
                annotators_disagree: true,
                ..RowFilter::default()
            })
        });
    }
    if !a.by_tag.is_empty() {
        ui.add_space(6.0);
        ui.strong("Per tag");
        let book = &session.project.book;
        groups_table(ui, "agreement-tags", &a.by_tag, commands, |g| {
            Some(RowFilter {
                tag: book.id(&g.value),
                annotators_disagree: true,
                ..RowFilter::default()
            })
        });
    }
}

/// The pairs' Cohen's kappa as a matrix of coloured cells.
fn pair_heatmap(ui: &mut egui::Ui, a: &AgreementFigures) {
    let names = &a.annotators;
    let lookup = |i: usize, j: usize| {
        a.pairs
            .iter()
            .find(|p| (p.a == names[i] && p.b == names[j]) || (p.a == names[j] && p.b == names[i]))
    };
    egui::Grid::new("kappa-heatmap")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for name in names {
                ui.label(RichText::new(crate::model::text::shorten(name, 16)).small());
            }
            ui.end_row();
            for i in 0..names.len() {
                ui.label(RichText::new(crate::model::text::shorten(&names[i], 16)).small());
                for j in 0..names.len() {
                    if i == j {
                        ui.label("");
                        continue;
                    }
                    let pair = lookup(i, j);
                    let value = pair.and_then(|p| p.cohen_kappa);
                    let text = RichText::new(format!(" {} ", kappa(value)))
                        .color(Color32::BLACK)
                        .background_color(kappa_colour(value));
                    let n = pair.map_or(0, |p| p.n);
                    ui.label(text).on_hover_text(format!(
                        "{} and {}: Cohen's kappa {} over {n} rows both labelled, {} agreement",
                        names[i],
                        names[j],
                        kappa(value),
                        percent(pair.and_then(|p| p.percent_agreement), 1)
                    ));
                }
                ui.end_row();
            }
        });
}

fn groups_table(
    ui: &mut egui::Ui,
    id: &str,
    groups: &[GroupAgreement],
    commands: &mut Vec<AppCommand>,
    filter: impl Fn(&GroupAgreement) -> Option<RowFilter>,
) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for title in [
            "group",
            "n",
            "percent agreement",
            "Fleiss' kappa",
            "annotators' accuracy",
            "",
        ] {
            ui.strong(title);
        }
        ui.end_row();
        for g in groups {
            let name = match &g.column {
                Some(column) => format!("{column}={}", g.value),
                None => g.value.clone(),
            };
            let link = ui
                .link(name)
                .on_hover_text("Show the rows of this group where annotators disagree");
            if let Some(f) = link.clicked().then(|| filter(g)).flatten() {
                show_rows(f, commands);
            }
            ui.label(g.n.to_string());
            ui.label(pct(g.percent_agreement));
            ui.label(kappa(g.fleiss_kappa));
            ui.label(pct(g.annotator_accuracy));
            if g.flagged {
                ui.colored_label(Color32::from_rgb(207, 34, 46), "low agreement");
            } else {
                ui.label("");
            }
            ui.end_row();
        }
    });
}

/// The ranked queue of suspected label errors, each row a link.
fn label_issues(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    commands: &mut Vec<AppCommand>,
) {
    ui.heading("Suspected label errors");
    let a = &figures.analysis;
    let Some(issues) = &a.label_issues else {
        ui.weak("Add the model's probability of every class as prob_<class> columns (or annotators and a confidence column) to find rows whose label is probably wrong.");
        return;
    };
    if issues.is_empty() {
        ui.label("None found.");
        return;
    }
    let all = RowList::new(
        "suspected label errors",
        issues.iter().map(|i| i.row as u32).collect(),
    );
    if ui
        .link(format!("Review all {} in the table", issues.len()))
        .clicked()
    {
        show_rows(
            RowFilter {
                listed: Some(all),
                ..RowFilter::default()
            },
            commands,
        );
    }
    egui::Grid::new("label-issues")
        .striped(true)
        .show(ui, |ui| {
            for title in ["id", "given", "suggested", "self-confidence", "reviewed"] {
                ui.strong(title);
            }
            ui.end_row();
            for issue in issues.iter().take(QUEUE) {
                if ui.link(&issue.id).clicked() {
                    commands.push(Command::Select(issue.row as u32).into());
                    commands.push(AppCommand::Show(View::Review));
                }
                ui.label(&issue.given);
                ui.label(&issue.suggested);
                ui.label(fixed(issue.self_confidence, 4));
                let review = session.project.label_review(&issue.id);
                ui.label(match review.map(|r| &r.label) {
                    Some(Some(label)) => format!("corrected to {label}"),
                    Some(None) => "confirmed".to_string(),
                    None => String::new(),
                });
                ui.end_row();
            }
        });
    if issues.len() > QUEUE {
        ui.weak(format!("… and {} more in the table.", issues.len() - QUEUE));
    }
}
