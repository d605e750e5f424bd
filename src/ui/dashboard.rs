//! The analysis dashboard: prioritisation against HLP (with the HLP and rating editor and a
//! chart of potential gain), slices, classes (with a clickable confusion matrix) and the
//! partial-automation curve. It draws `Session::analysis`, which edits keep current; every
//! name and cell is a link that shows exactly those rows in the review table.

use egui_plot::{Bar, BarChart, HLine, Line, Plot, PlotPoints, Points};

use super::thousands;
use crate::app::session::{Command, Session};
use crate::app::{DashboardView, Section, View};
use crate::model::Task;
use crate::model::automation::lowest_threshold_reaching;
use crate::model::comparison::Change;
use crate::model::filter::RowFilter;
use crate::model::group::GroupCounts;
use crate::model::hlp::{HlpSource, Subject};
use crate::model::priorities::{PriorityKind, Rating};
use crate::model::stats::Interval;
use crate::model::stats::ratio;
use crate::report::signed_points;

/// Slice values with fewer rows than this are marked small: their figures are unreliable.
const SMALL: u64 = 30;
const PLOT_HEIGHT: f32 = 190.0;

fn pct(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.1} %", v * 100.0))
}

/// Potential gains are often fractions of a point: two decimals.
fn gain(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.2} %", v * 100.0))
}

fn interval(ci: Option<&Interval>) -> String {
    ci.map_or(String::new(), |i| {
        format!("[{:.1}, {:.1}]", i.0 * 100.0, i.1 * 100.0)
    })
}

fn source(s: Option<HlpSource>) -> &'static str {
    match s {
        Some(HlpSource::Entered) => " (entered)",
        Some(HlpSource::HumanLabels) => " (human labels)",
        None => "",
    }
}

/// Shows `filter`'s rows in the review table.
fn show_rows(filter: RowFilter, view: &mut View, commands: &mut Vec<Command>) {
    commands.push(Command::SetFilter(filter));
    *view = View::Review;
}

pub fn dashboard_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        for (section, title) in [
            (Section::Priorities, "Prioritisation"),
            (Section::Slices, "Slices"),
            (Section::Classes, "Classes"),
            (Section::Confidence, "Confidence"),
            (Section::Comparison, "Model comparison"),
            (Section::Audit, "Audit"),
        ] {
            ui.selectable_value(&mut state.section, section, title);
        }
    });
    ui.separator();
    egui::ScrollArea::both().show(ui, |ui| match state.section {
        Section::Priorities => priorities_ui(ui, session, state, view, commands),
        Section::Slices => slices_ui(ui, session, state, view, commands),
        Section::Classes => classes_ui(ui, session, state, view, commands),
        Section::Confidence => confidence_ui(ui, session, state, view, commands),
        Section::Comparison => comparison_ui(ui, session, view, commands),
        Section::Audit => audit_ui(ui, session, state, commands),
    });
}

/// One line of the prioritisation table, joined from the priority and its tag or slice.
struct PriorityLine {
    subject: Subject,
    kind: &'static str,
    n: u64,
    share_of_data: Option<f64>,
    share_of_errors: Option<f64>,
    accuracy: Option<f64>,
    ci: Option<Interval>,
    hlp: Option<f64>,
    hlp_source: Option<HlpSource>,
    gap: Option<f64>,
    gain: Option<f64>,
    rating: Option<Rating>,
    filter: RowFilter,
}

fn priority_lines(session: &Session) -> Vec<PriorityLine> {
    let analysis = &session.analysis;
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
            match p.kind {
                PriorityKind::Tag => {
                    let t = analysis.tags.iter().find(|t| t.tag == p.name)?;
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
                PriorityKind::Slice => {
                    let s = analysis.slices.iter().find(|s| {
                        Subject::Slice {
                            column: s.column.clone(),
                            value: s.value.clone(),
                        }
                        .to_string()
                            == p.name
                    })?;
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

fn priorities_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let analysis = &session.analysis;
    ui.label(format!(
        "Potential gain = gap to human-level performance x share of data. Tags are measured over the {} reviewed rows, slices over all {} rows.",
        thousands(analysis.reviewed_rows),
        thousands(analysis.overall.n)
    ));
    if let Some(note) = analysis.tags_note {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    let mut lines: Vec<(usize, PriorityLine)> =
        priority_lines(session).into_iter().enumerate().collect();
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
                    show_rows(line.filter.clone(), view, commands);
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
                ui.label(pct(line.gap));
                ui.strong(gain(line.gain));
                ui.label(line.rating.map_or("-".into(), |r| r.ease.to_string()));
                ui.label(line.rating.map_or("-".into(), |r| r.importance.to_string()));
                let edit = ui
                    .small_button("Edit")
                    .on_hover_text("Enter the HLP, ease and importance");
                // Screen readers (and tests) tell the buttons apart by what they edit.
                let name = format!("Edit {}", line.subject);
                edit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if edit.clicked() {
                    state.hlp_draft = session
                        .inputs
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
    commands: &mut Vec<Command>,
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
                        commands.push(Command::SetHlp {
                            subject: subject.clone(),
                            accuracy: Some(v / 100.0),
                        });
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
                commands.push(Command::SetHlp {
                    subject: subject.clone(),
                    accuracy: None,
                });
            }
        });
        if let Some(error) = &state.hlp_error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let current = session.inputs.ratings.get(&subject).copied();
        ui.horizontal(|ui| {
            let mut rating = current.unwrap_or(Rating {
                ease: 3,
                importance: 3,
            });
            let before = rating;
            for (name, value) in [
                ("Ease", &mut rating.ease),
                ("Importance", &mut rating.importance),
            ] {
                let label = ui.label(format!("{name} (1-5):"));
                ui.add(egui::DragValue::new(value).range(1..=5))
                    .labelled_by(label.id);
            }
            if rating != before || (current.is_none() && ui.button("Rate").clicked()) {
                commands.push(Command::SetRating {
                    subject: subject.clone(),
                    rating: Some(rating),
                });
            }
            if current.is_some() && ui.button("Clear rating").clicked() {
                commands.push(Command::SetRating {
                    subject: subject.clone(),
                    rating: None,
                });
            }
            if ui.button("Close").clicked() {
                state.editing = None;
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

fn slices_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let analysis = &session.analysis;
    let set = &session.project.dataset.set;
    if set.slices.is_empty() {
        ui.weak("This dataset has no slice columns.");
        return;
    }
    let overall = analysis.overall.accuracy;
    ui.horizontal(|ui| {
        ui.label(format!("Overall accuracy {}.", pct(overall)));
        let label = ui.label("Flag values more than");
        ui.add(
            egui::DragValue::new(&mut state.flag_points)
                .range(0.0..=100.0)
                .speed(0.5)
                .suffix(" points"),
        )
        .labelled_by(label.id);
        ui.label("below it.");
        if set.task == Task::Classification {
            let label = ui.label("Recall of class:");
            let names = set.class_names();
            egui::ComboBox::from_id_salt("recall-class")
                .selected_text(state.recall_class.map_or("(none)", |c| names[c].as_str()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state.recall_class, None, "(none)");
                    for (c, name) in names.iter().enumerate() {
                        ui.selectable_value(&mut state.recall_class, Some(c), name);
                    }
                })
                .response
                .labelled_by(label.id);
        }
    });
    for (column_index, column) in set.slices.iter().enumerate() {
        let values: Vec<_> = analysis
            .slices
            .iter()
            .filter(|s| s.column == column.name)
            .collect();
        egui::CollapsingHeader::new(format!("{} ({} values)", column.name, values.len()))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new(("slice", column_index))
                    .striped(true)
                    .show(ui, |ui| {
                        for title in ["value", "n", "accuracy [95% CI]", "gap to overall", "HLP"] {
                            ui.strong(title);
                        }
                        if set.task == Task::Transcription {
                            ui.strong("WER");
                        }
                        if let Some(c) = state.recall_class {
                            ui.strong(format!("recall of {}", set.class_names()[c]));
                        }
                        ui.strong("flag");
                        ui.end_row();
                        for s in &values {
                            let code = column.values.iter().position(|v| *v == s.value);
                            if ui.link(&s.value).clicked()
                                && let Some(code) = code
                            {
                                show_rows(
                                    RowFilter {
                                        slice: Some((column_index, code as u32)),
                                        ..RowFilter::default()
                                    },
                                    view,
                                    commands,
                                );
                            }
                            ui.label(s.n.to_string());
                            ui.label(format!("{} {}", pct(s.accuracy), interval(s.ci95.as_ref())));
                            ui.label(
                                s.gap_to_overall
                                    .map_or("-".into(), |g| format!("{} points", signed_points(g))),
                            );
                            ui.label(format!("{}{}", pct(s.hlp), source(s.hlp_source)));
                            if set.task == Task::Transcription {
                                ui.label(pct(s.wer));
                            }
                            if let Some(c) = state.recall_class {
                                let recall = s.class_recall.get(c);
                                ui.label(recall.map_or("-".into(), |r| {
                                    format!("{} (n={})", pct(r.recall), r.support)
                                }));
                            }
                            let low = s
                                .gap_to_overall
                                .is_some_and(|g| g * 100.0 < -state.flag_points);
                            let small = s.n < SMALL;
                            let flag = match (low, small) {
                                (true, true) => "below overall (small)",
                                (true, false) => "below overall",
                                (false, true) => "small",
                                (false, false) => "",
                            };
                            if low {
                                ui.colored_label(ui.visuals().error_fg_color, flag);
                            } else {
                                ui.weak(flag);
                            }
                            ui.end_row();
                        }
                    });
                slice_plot_ui(ui, column_index, &values, overall);
            });
    }
}

/// Accuracy per value with its 95 % interval, and the overall accuracy as a line.
fn slice_plot_ui(
    ui: &mut egui::Ui,
    column: usize,
    values: &[&crate::model::slices::SliceStats],
    overall: Option<f64>,
) {
    let names: Vec<String> = values
        .iter()
        .map(|s| format!("{} (n={})", s.value, s.n))
        .collect();
    let count = names.len();
    let colour = egui::Color32::from_rgb(86, 156, 214);
    Plot::new(("slice-plot", column))
        .height(PLOT_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_axis_label("accuracy (%)")
        .include_y(0.0)
        .include_y(100.0)
        .include_x(-0.5)
        .include_x(count as f64 - 0.5)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= count {
                return String::new();
            }
            names[i as usize].clone()
        })
        .show(ui, |plot| {
            let points: Vec<[f64; 2]> = values
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.accuracy.map(|a| [i as f64, a * 100.0]))
                .collect();
            for (i, s) in values.iter().enumerate() {
                if let Some(ci) = &s.ci95 {
                    let x = i as f64;
                    let bar = vec![[x, ci.0 * 100.0], [x, ci.1 * 100.0]];
                    plot.line(
                        Line::new("95% interval", PlotPoints::from(bar))
                            .color(colour)
                            .width(2.5),
                    );
                }
            }
            plot.points(
                Points::new("accuracy", PlotPoints::from(points))
                    .radius(4.0)
                    .color(colour),
            );
            if let Some(a) = overall {
                plot.hline(HLine::new("overall", a * 100.0).color(egui::Color32::GRAY));
            }
        });
}

fn classes_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let analysis = &session.analysis;
    let (Some(confusion), Some(averages)) = (&analysis.confusion, &analysis.averages) else {
        ui.weak("Per-class figures apply to classification; this dataset is a transcription task.");
        return;
    };
    ui.label(format!(
        "Accuracy {} {} over {} rows.",
        pct(analysis.overall.accuracy),
        interval(analysis.overall.ci95.as_ref()),
        analysis.overall.n
    ));
    egui::Grid::new("classes").striped(true).show(ui, |ui| {
        for title in ["class", "precision", "recall", "F1", "support"] {
            ui.strong(title);
        }
        ui.end_row();
        for (c, m) in analysis.classes.iter().enumerate() {
            if ui
                .link(&m.label)
                .on_hover_text("Show the rows of this true class")
                .clicked()
            {
                show_rows(
                    RowFilter {
                        truth: Some(c as u32),
                        ..RowFilter::default()
                    },
                    view,
                    commands,
                );
            }
            ui.label(format!("{:.3}", m.precision));
            ui.label(format!("{:.3}", m.recall));
            ui.label(format!("{:.3}", m.f1));
            ui.label(m.support.to_string());
            ui.end_row();
        }
        for (name, prf) in [
            ("macro average", &averages.macro_avg),
            ("weighted average", &averages.weighted),
            ("micro average", &averages.micro),
        ] {
            ui.strong(name);
            ui.label(format!("{:.3}", prf.precision));
            ui.label(format!("{:.3}", prf.recall));
            ui.label(format!("{:.3}", prf.f1));
            ui.label(analysis.overall.n.to_string());
            ui.end_row();
        }
    });
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        ui.strong("Confusion matrix (rows: truth, columns: prediction)");
        ui.checkbox(&mut state.normalised, "Row-normalised");
    });
    confusion_ui(ui, confusion, state.normalised, view, commands);
}

/// The confusion matrix as a heatmap; each cell shows its rows when clicked.
fn confusion_ui(
    ui: &mut egui::Ui,
    confusion: &crate::model::classes::Confusion,
    normalised: bool,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let cell = 56.0;
    let short = |s: &str| -> String {
        if s.chars().count() > 9 {
            format!("{}..", s.chars().take(8).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let max = confusion
        .matrix
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let accent = egui::Color32::from_rgb(86, 156, 214);
    let base = ui.visuals().extreme_bg_color;
    egui::Grid::new("confusion")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for label in &confusion.labels {
                ui.strong(short(label)).on_hover_text(label);
            }
            ui.end_row();
            for (t, row) in confusion.matrix.iter().enumerate() {
                ui.strong(short(&confusion.labels[t]))
                    .on_hover_text(&confusion.labels[t]);
                let total: u64 = row.iter().sum();
                for (p, &count) in row.iter().enumerate() {
                    let share = if normalised {
                        if total == 0 {
                            0.0
                        } else {
                            count as f64 / total as f64
                        }
                    } else {
                        count as f64 / max as f64
                    };
                    let (rect, response) =
                        ui.allocate_exact_size(egui::vec2(cell, 26.0), egui::Sense::click());
                    let fill = base.lerp_to_gamma(accent, share.clamp(0.0, 1.0) as f32);
                    ui.painter().rect_filled(rect, 2.0, fill);
                    let text = if normalised {
                        format!("{:.0} %", share * 100.0)
                    } else {
                        count.to_string()
                    };
                    let strong = share > 0.5;
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        &text,
                        egui::FontId::proportional(13.0),
                        if strong {
                            egui::Color32::WHITE
                        } else {
                            ui.visuals().text_color()
                        },
                    );
                    let name = format!(
                        "truth {}, predicted {}: {count} rows",
                        confusion.labels[t], confusion.labels[p]
                    );
                    response
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                    let response = response.on_hover_text(&name);
                    if response.clicked() {
                        show_rows(
                            RowFilter {
                                truth: Some(t as u32),
                                predicted: Some(p as u32),
                                ..RowFilter::default()
                            },
                            view,
                            commands,
                        );
                    }
                }
                ui.end_row();
            }
        });
}

fn confidence_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let curve = &session.analysis.automation;
    if curve.is_empty() {
        ui.weak("This dataset has no confidence column.");
        return;
    }
    ui.strong(
        "Partial automation: accept the model's answer when its confidence is at least a threshold",
    );
    ui.horizontal(|ui| {
        let label = ui.label("Target accuracy:");
        let mut percent = state.target_accuracy * 100.0;
        ui.add(
            egui::DragValue::new(&mut percent)
                .range(50.0..=100.0)
                .speed(0.1)
                .suffix(" %"),
        )
        .labelled_by(label.id);
        state.target_accuracy = percent / 100.0;
    });
    match lowest_threshold_reaching(curve, state.target_accuracy) {
        Some(threshold) => {
            let point = curve.iter().find(|p| p.threshold == threshold);
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Threshold {threshold:.2} reaches it: {} accuracy on {} of the rows ({} rows).",
                    pct(point.and_then(|p| p.accuracy)),
                    pct(point.map(|p| p.coverage)),
                    point.map_or(0, |p| p.covered)
                ));
                if ui.button("Show these rows").clicked() {
                    show_rows(
                        RowFilter {
                            confidence: Some((threshold, 1.0)),
                            ..RowFilter::default()
                        },
                        view,
                        commands,
                    );
                }
            });
        }
        None => {
            ui.label("No threshold reaches this accuracy.");
        }
    }
    let line: Vec<[f64; 2]> = curve
        .iter()
        .filter_map(|p| p.accuracy.map(|a| [p.coverage * 100.0, a * 100.0]))
        .collect();
    let target = state.target_accuracy * 100.0;
    Plot::new("automation")
        .height(PLOT_HEIGHT * 1.5)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("coverage: rows automated (%)")
        .y_axis_label("accuracy on them (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(target)
        .show(ui, |plot| {
            plot.line(
                Line::new("accuracy vs coverage", PlotPoints::from(line))
                    .color(egui::Color32::from_rgb(86, 156, 214))
                    .width(2.0),
            );
            plot.hline(HLine::new("target", target).color(egui::Color32::GRAY));
        });
    reliability_ui(ui, session);
    pr_ui(ui, session, state);
}

/// Accuracy against mean confidence per confidence bin, with the diagonal of a perfectly
/// calibrated model and the expected calibration error.
fn reliability_ui(ui: &mut egui::Ui, session: &Session) {
    let Some(reliability) = &session.reliability else {
        return;
    };
    ui.add_space(10.0);
    ui.strong(format!(
        "Reliability diagram: expected calibration error (ECE) {}",
        reliability
            .ece
            .map_or("-".into(), |e| format!("{:.1} points", e * 100.0))
    ));
    let bars: Vec<Bar> = reliability
        .bins
        .iter()
        .filter_map(|b| {
            let accuracy = b.accuracy?;
            Some(
                Bar::new((b.lower + b.upper) * 50.0, accuracy * 100.0)
                    .width((b.upper - b.lower) * 95.0)
                    .name(format!(
                        "{:.0}-{:.0} % (n={})",
                        b.lower * 100.0,
                        b.upper * 100.0,
                        b.n
                    )),
            )
        })
        .collect();
    Plot::new("reliability")
        .height(PLOT_HEIGHT * 1.3)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("confidence (%)")
        .y_axis_label("accuracy (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("accuracy per confidence bin", bars)
                    .color(egui::Color32::from_rgb(86, 156, 214)),
            );
            plot.line(
                Line::new(
                    "perfect calibration",
                    PlotPoints::from(vec![[0.0, 0.0], [100.0, 100.0]]),
                )
                .color(egui::Color32::GRAY),
            );
        });
}

/// Precision against recall of one class as the confidence threshold rises.
fn pr_ui(ui: &mut egui::Ui, session: &Session, state: &mut DashboardView) {
    let curves = &session.pr_curves;
    if curves.is_empty() {
        return;
    }
    let names = session.project.dataset.set.class_names();
    state.pr_class = state.pr_class.min(curves.len() - 1);
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let label = ui.strong("Precision-recall curve of class (vs the rest):");
        egui::ComboBox::from_id_salt("pr-class")
            .selected_text(&names[state.pr_class])
            .show_ui(ui, |ui| {
                for (c, name) in names.iter().enumerate().take(curves.len()) {
                    ui.selectable_value(&mut state.pr_class, c, name);
                }
            })
            .response
            .labelled_by(label.id);
    });
    let points: Vec<[f64; 2]> = curves[state.pr_class]
        .iter()
        .filter_map(|p| Some([p.recall? * 100.0, p.precision? * 100.0]))
        .collect();
    Plot::new("pr-curve")
        .height(PLOT_HEIGHT * 1.3)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("recall (%)")
        .y_axis_label("precision (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            let colour = egui::Color32::from_rgb(86, 156, 214);
            plot.line(
                Line::new("precision vs recall", PlotPoints::from(points.clone()))
                    .color(colour)
                    .width(2.0),
            );
            plot.points(
                Points::new("thresholds 0.50 to 0.99", PlotPoints::from(points))
                    .radius(3.0)
                    .color(colour),
            );
        });
}

/// The model against the baseline: accuracy of both per tag and slice value, and the
/// regressions and fixes (each a link to its rows).
fn comparison_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &mut View,
    commands: &mut Vec<Command>,
) {
    let Some((regressed, fixed)) = session.changes else {
        ui.weak("This dataset has no baseline column (an earlier model's predictions); add one to compare.");
        return;
    };
    let set = &session.project.dataset.set;
    let book = &session.project.book;
    ui.horizontal(|ui| {
        if ui
            .link(format!("{regressed} regressions"))
            .on_hover_text("Rows the baseline got right and the model gets wrong")
            .clicked()
        {
            show_rows(
                RowFilter {
                    change: Some(Change::Regressed),
                    ..RowFilter::default()
                },
                view,
                commands,
            );
        }
        if ui
            .link(format!("{fixed} fixes"))
            .on_hover_text("Rows the baseline got wrong and the model gets right")
            .clicked()
        {
            show_rows(
                RowFilter {
                    change: Some(Change::Fixed),
                    ..RowFilter::default()
                },
                view,
                commands,
            );
        }
    });
    let row = |ui: &mut egui::Ui,
               name: String,
               counts: &GroupCounts,
               filter: RowFilter,
               view: &mut View,
               commands: &mut Vec<Command>| {
        if ui.link(name).clicked() {
            show_rows(filter, view, commands);
        }
        let model = ratio(counts.correct, counts.n);
        let baseline = ratio(counts.baseline_correct, counts.baseline_n);
        ui.label(counts.n.to_string());
        ui.label(pct(model));
        ui.label(pct(baseline));
        ui.label(match (model, baseline) {
            (Some(m), Some(b)) => format!("{} points", signed_points(m - b)),
            _ => "-".into(),
        });
        ui.end_row();
    };
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        for title in [
            "tag or slice",
            "n",
            "model accuracy",
            "baseline accuracy",
            "change",
        ] {
            ui.strong(title);
        }
        ui.end_row();
        for (tag, name) in book.names().iter().enumerate() {
            let filter = RowFilter {
                tag: Some(tag),
                ..RowFilter::default()
            };
            row(
                ui,
                format!("tag {name}"),
                book.counts(tag),
                filter,
                view,
                commands,
            );
        }
        for s in &session.analysis.slices {
            let Some(column) = set.slices.iter().position(|c| c.name == s.column) else {
                continue;
            };
            let code = set.slices[column].values.iter().position(|v| *v == s.value);
            let filter = RowFilter {
                slice: code.map(|v| (column, v as u32)),
                ..RowFilter::default()
            };
            row(
                ui,
                format!("slice {}={}", s.column, s.value),
                &s.counts,
                filter,
                view,
                commands,
            );
        }
    });
}

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
fn audit_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<Command>,
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
                    commands.push(Command::RunAudit);
                }
            });
            egui::Grid::new("audit-results")
                .striped(true)
                .show(ui, |ui| {
                    for title in [
                        "risk",
                        "metric",
                        "group",
                        "value",
                        "threshold",
                        "n",
                        "result",
                    ] {
                        ui.strong(title);
                    }
                    ui.end_row();
                    for m in &results.results {
                        let check = &results.checks[m.check];
                        ui.label(&check.risk);
                        ui.label(match &check.class {
                            Some(class) => format!("{} of {class}", check.metric.as_str()),
                            None => check.metric.as_str().to_string(),
                        });
                        ui.label(&m.group);
                        ui.label(m.value.map_or("-".into(), |v| format!("{v:.3}")));
                        ui.label(check.threshold.to_string());
                        ui.label(m.n.to_string());
                        match m.verdict {
                            crate::model::audit::Verdict::Pass => ui.label("pass"),
                            crate::model::audit::Verdict::Fail => {
                                ui.colored_label(ui.visuals().error_fg_color, "FAIL")
                            }
                            crate::model::audit::Verdict::TooFew => {
                                ui.weak("not judged (few rows)")
                            }
                        };
                        ui.end_row();
                    }
                });
            let s = &results.signoff;
            ui.label(format!(
                "Sign-off: owner {}, decision {}, date {}",
                if s.owner.is_empty() { "-" } else { &s.owner },
                if s.decision.is_empty() {
                    "-"
                } else {
                    &s.decision
                },
                if s.date.is_empty() { "-" } else { &s.date }
            ));
        }
    }
    ui.add_space(8.0);
    ui.separator();
    let label = ui.strong("Audit spec (TOML)");
    let draft = state.audit_draft.get_or_insert_with(|| {
        session
            .audit_text
            .clone()
            .unwrap_or_else(|| AUDIT_TEMPLATE.to_string())
    });
    ui.add(
        egui::TextEdit::multiline(draft)
            .code_editor()
            .desired_rows(16)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let changed = session.audit_text.as_deref() != Some(draft.as_str());
    let mut discard = false;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed, egui::Button::new("Check and save"))
            .clicked()
        {
            commands.push(Command::SetAudit(Some(draft.clone())));
        }
        discard = changed && ui.button("Discard changes").clicked();
        ui.weak("Keys: docs/audit-spec.md. Ctrl+Z undoes a save.");
    });
    if discard {
        state.audit_draft = None;
    }
}
