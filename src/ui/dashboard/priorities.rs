//! Prioritisation: one line per tag and slice value against its HLP, sortable, with the
//! HLP and rating editor and a chart of potential gain.

use egui_plot::{Bar, BarChart, Plot};

use super::{interval, pct, show_rows, source};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::app::session::{Command, Session};
use crate::model::filter::RowFilter;
use crate::model::hlp::{HlpSource, Subject};
use crate::model::priorities::Rating;
use crate::model::stats::Interval;
use crate::report::format;
use crate::ui::state::DashboardView;
use crate::ui::thousands;

/// One line of the prioritisation table, joined from the priority and its tag or slice.
pub(super) struct PriorityLine {
    pub(super) subject: Subject,
    kind: &'static str,
    pub(super) n: u64,
    share_of_data: Option<f64>,
    share_of_errors: Option<f64>,
    accuracy: Option<f64>,
    ci: Option<Interval>,
    hlp: Option<f64>,
    hlp_source: Option<HlpSource>,
    gap: Option<f64>,
    pub(super) gain: Option<f64>,
    rating: Option<Rating>,
    pub(super) filter: RowFilter,
}

pub(super) fn priority_lines(session: &Session, figures: &Figures) -> Vec<PriorityLine> {
    let analysis = &figures.analysis;
    let set = &session.project.dataset.set;
    let book = &session.project.book;
    analysis
        .priorities
        .iter()
        .filter_map(|p| {
            let rating = p
                .ease
                .zip(p.importance)
                .map(|(ease, importance)| Rating { ease, importance });
            match &p.subject {
                Subject::Tag(tag) => {
                    let t = analysis.tags.iter().find(|t| &t.tag == tag)?;
                    Some(PriorityLine {
                        subject: Subject::Tag(t.tag.clone()),
                        kind: "tag",
                        n: t.n,
                        share_of_data: t.share_of_data,
                        share_of_errors: t.share_of_errors,
                        accuracy: t.accuracy,
                        ci: t.ci95,
                        hlp: t.hlp,
                        hlp_source: t.hlp_source,
                        gap: p.gap,
                        gain: p.potential_gain,
                        rating,
                        filter: RowFilter {
                            tag: book.id(&t.tag),
                            ..RowFilter::default()
                        },
                    })
                }
                Subject::Slice { column, value } => {
                    let s = analysis
                        .slices
                        .iter()
                        .find(|s| &s.column == column && &s.value == value)?;
                    let column = set.slices.iter().position(|c| c.name == s.column)?;
                    let value = set.slices[column]
                        .values
                        .iter()
                        .position(|v| *v == s.value)?;
                    let errors = analysis.overall.errors;
                    Some(PriorityLine {
                        subject: Subject::Slice {
                            column: s.column.clone(),
                            value: s.value.clone(),
                        },
                        kind: "slice",
                        n: s.n,
                        share_of_data: p.share_of_data,
                        share_of_errors: (errors > 0)
                            .then(|| (s.n - s.correct) as f64 / errors as f64),
                        accuracy: s.accuracy,
                        ci: s.ci95,
                        hlp: s.hlp,
                        hlp_source: s.hlp_source,
                        gap: p.gap,
                        gain: p.potential_gain,
                        rating,
                        filter: RowFilter {
                            slice: Some((column, value as u32)),
                            ..RowFilter::default()
                        },
                    })
                }
            }
        })
        .collect()
}

/// The prioritisation table's columns; the first is the ranking errata computes.
const PRIORITY_COLUMNS: [&str; 11] = [
    "rank",
    "tag or slice",
    "n",
    "% of data",
    "% of errors",
    "accuracy [95% CI]",
    "HLP",
    "gap",
    "potential gain",
    "ease",
    "importance",
];

fn sort_lines(lines: &mut [(usize, PriorityLine)], column: usize, ascending: bool) {
    let key = |l: &PriorityLine| -> f64 {
        let v = match column {
            2 => Some(l.n as f64),
            3 => l.share_of_data,
            4 => l.share_of_errors,
            5 => l.accuracy,
            6 => l.hlp,
            7 => l.gap,
            8 => l.gain,
            9 => l.rating.map(|r| r.ease as f64),
            10 => l.rating.map(|r| r.importance as f64),
            _ => None,
        };
        v.unwrap_or(f64::NEG_INFINITY)
    };
    match column {
        0 => lines.sort_by_key(|(rank, _)| *rank),
        1 => lines.sort_by_key(|(_, l)| l.subject.to_string()),
        _ => lines.sort_by(|a, b| key(&b.1).total_cmp(&key(&a.1)).then(a.0.cmp(&b.0))),
    }
    // Rank and names read naturally ascending; figures largest first.
    if ascending {
        lines.reverse();
    }
}

pub(super) fn priorities_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let analysis = &figures.analysis;
    ui.label(format!(
        "Potential gain = gap to human-level performance x share of data. Tags are measured over the {} reviewed rows, slices over all {} rows.",
        thousands(analysis.reviewed_rows),
        thousands(analysis.overall.n)
    ));
    if let Some(note) = analysis.tags_note {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    let mut lines: Vec<(usize, PriorityLine)> = priority_lines(session, figures)
        .into_iter()
        .enumerate()
        .collect();
    sort_lines(&mut lines, state.sort_column, state.ascending);
    egui::Grid::new("priorities")
        .striped(true)
        .min_col_width(40.0)
        .show(ui, |ui| {
            for (c, title) in PRIORITY_COLUMNS.iter().enumerate() {
                let arrow = match (state.sort_column == c, state.ascending) {
                    (false, _) => "",
                    (true, false) if c <= 1 => " ^",
                    (true, false) => " v",
                    (true, true) if c <= 1 => " v",
                    (true, true) => " ^",
                };
                let title = egui::RichText::new(format!("{title}{arrow}")).strong();
                if ui
                    .add(egui::Button::new(title).frame(false))
                    .on_hover_text("Sort by this column")
                    .clicked()
                {
                    state.ascending = state.sort_column == c && !state.ascending;
                    state.sort_column = c;
                }
            }
            ui.label("");
            ui.end_row();
            for (rank, line) in &lines {
                ui.label((rank + 1).to_string());
                if ui
                    .link(format!("{} {}", line.kind, line.subject))
                    .on_hover_text("Show these rows in the review table")
                    .clicked()
                {
                    show_rows(line.filter.clone(), commands);
                }
                ui.label(line.n.to_string());
                ui.label(pct(line.share_of_data));
                ui.label(pct(line.share_of_errors));
                ui.label(format!(
                    "{} {}",
                    pct(line.accuracy),
                    interval(line.ci.as_ref())
                ));
                ui.label(format!("{}{}", pct(line.hlp), source(line.hlp_source)));
                ui.label(format::points(line.gap, 2));
                ui.strong(format::points(line.gain, 2));
                ui.label(
                    line.rating
                        .map_or(format::UNKNOWN.to_string(), |r| r.ease.to_string()),
                );
                ui.label(
                    line.rating
                        .map_or(format::UNKNOWN.to_string(), |r| r.importance.to_string()),
                );
                let edit = ui
                    .small_button("Edit")
                    .on_hover_text("Enter the HLP, ease and importance");
                // Screen readers (and tests) tell the buttons apart by what they edit.
                let name = format!("Edit {}", line.subject);
                edit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if edit.clicked() {
                    state.hlp_draft = session
                        .project
                        .inputs()
                        .hlp
                        .get(&line.subject)
                        .map_or(String::new(), |h| format!("{:.1}", h * 100.0));
                    state.editing = Some(line.subject.clone());
                }
                ui.end_row();
            }
        });
    if lines.is_empty() {
        ui.weak("No tags or slices yet: tag rows in the review view.");
    }
    editor_ui(ui, session, state, commands);
    gain_chart_ui(ui, &lines);
}

/// HLP (in percent), ease and importance of the subject being edited.
fn editor_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let Some(subject) = state.editing.clone() else {
        return;
    };
    ui.add_space(8.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong(format!("Inputs for {subject}"));
        ui.horizontal(|ui| {
            let label = ui.label("HLP (% accuracy a human reaches):");
            let field = ui
                .add(egui::TextEdit::singleline(&mut state.hlp_draft).desired_width(60.0))
                .labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Set HLP").clicked() || enter {
                match state
                    .hlp_draft
                    .trim()
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                {
                    Ok(v) if (0.0..=100.0).contains(&v) => {
                        state.hlp_error = None;
                        commands.push(
                            Command::SetHlp {
                                subject: subject.clone(),
                                accuracy: Some(v / 100.0),
                            }
                            .into(),
                        );
                    }
                    _ => {
                        state.hlp_error = Some(format!(
                            "{:?} is not a percentage between 0 and 100",
                            state.hlp_draft.trim()
                        ))
                    }
                }
            }
            if ui.button("Use human labels").clicked() {
                state.hlp_draft.clear();
                commands.push(
                    Command::SetHlp {
                        subject: subject.clone(),
                        accuracy: None,
                    }
                    .into(),
                );
            }
        });
        if let Some(error) = &state.hlp_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let current = session.project.inputs().ratings.get(&subject).copied();
        if state
            .rating_draft
            .as_ref()
            .is_none_or(|(s, _)| *s != subject)
        {
            let rating = current.unwrap_or(Rating {
                ease: 3,
                importance: 3,
            });
            state.rating_draft = Some((subject.clone(), rating));
        }
        ui.horizontal(|ui| {
            let Some((_, rating)) = state.rating_draft.as_mut() else {
                return;
            };
            for (name, value) in [
                ("Ease", &mut rating.ease),
                ("Importance", &mut rating.importance),
            ] {
                let label = ui.label(format!("{name} (1-5):"));
                ui.add(egui::DragValue::new(value).range(1..=5))
                    .labelled_by(label.id);
            }
            let rating = *rating;
            let title = if current.is_some() {
                "Update rating"
            } else {
                "Rate"
            };
            if ui
                .add_enabled(current != Some(rating), egui::Button::new(title))
                .clicked()
            {
                commands.push(
                    Command::SetRating {
                        subject: subject.clone(),
                        rating: Some(rating),
                    }
                    .into(),
                );
            }
            if current.is_some() && ui.button("Clear rating").clicked() {
                commands.push(
                    Command::SetRating {
                        subject: subject.clone(),
                        rating: None,
                    }
                    .into(),
                );
            }
            if ui.button("Close").clicked() {
                state.editing = None;
                state.rating_draft = None;
            }
        });
    });
}

/// Potential gain per tag and slice value, largest at the top.
fn gain_chart_ui(ui: &mut egui::Ui, lines: &[(usize, PriorityLine)]) {
    let mut ranked: Vec<&PriorityLine> = lines.iter().map(|(_, l)| l).collect();
    ranked.retain(|l| l.gain.is_some());
    ranked.sort_by(|a, b| b.gain.unwrap_or(0.0).total_cmp(&a.gain.unwrap_or(0.0)));
    ranked.truncate(12);
    if ranked.is_empty() {
        return;
    }
    ui.add_space(8.0);
    ui.strong("Potential gain (percentage points of accuracy)");
    let names: Vec<String> = ranked.iter().map(|l| l.subject.to_string()).collect();
    let bars: Vec<Bar> = ranked
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Bar::new((ranked.len() - 1 - i) as f64, l.gain.unwrap_or(0.0) * 100.0)
                .name(&names[i])
                .width(0.6)
        })
        .collect();
    let count = names.len();
    Plot::new("gain-chart")
        .height(28.0 * count as f32 + 50.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("potential gain (points)")
        .y_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= count {
                return String::new();
            }
            names[count - 1 - i as usize].clone()
        })
        .include_x(0.0)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("potential gain", bars)
                    .horizontal()
                    .color(egui::Color32::from_rgb(86, 156, 214)),
            );
        });
}
