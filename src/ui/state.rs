//! What the window remembers between frames that is not the app's or the project's: the
//! text being typed, the image's zoom, the dashboard's sort and chart settings, the table's
//! page. Panels edit it directly; everything else they change goes through an
//! [`crate::app::AppCommand`].

use crate::app::Section;

/// Text typed into fields, until it is submitted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drafts {
    /// The welcome screen's path field.
    pub path: String,
    /// The table's "go to row" field.
    pub goto: String,
    /// The note being edited, and the row it belongs to.
    pub note: Option<(u32, String)>,
    /// The export window's path field.
    pub export_path: String,
    /// Completions under the welcome screen's and the export window's path fields.
    pub path_completions: super::paths::Completions,
}

/// Everything the window keeps between frames, besides the app.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiState {
    pub dashboard: DashboardView,
    pub table: TableView,
    pub image: ImageView,
    pub drafts: Drafts,
    /// The window title last set.
    pub window_title: String,
}

/// How the inspector shows the image: fitted to the panel, or at a zoom factor, panned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageView {
    /// The row the view belongs to (a new row starts fitted).
    pub row: Option<u32>,
    /// `None` fits the image to the panel; otherwise screen pixels per image pixel.
    pub zoom: Option<f32>,
    pub offset: egui::Vec2,
    /// Keep zoom and position when the row changes, to compare one region of every photo.
    pub keep: bool,
}

/// How the dashboard is shown (not part of the project).
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardView {
    pub section: Section,
    /// The tag or slice value whose HLP and rating are being edited.
    pub editing: Option<crate::model::hlp::Subject>,
    /// The HLP being typed, in percent, and why it was refused.
    pub hlp_draft: String,
    /// Ease and importance being entered for the subject being edited, kept across frames
    /// so that a typed value is what "Rate" saves.
    pub rating_draft: Option<(crate::model::hlp::Subject, crate::model::priorities::Rating)>,
    pub hlp_error: Option<String>,
    /// Priorities sorted by this column (index into the table's columns), largest first
    /// unless `ascending`.
    pub sort_column: usize,
    pub ascending: bool,
    /// The class whose recall is shown per slice value.
    pub recall_class: Option<usize>,
    /// Confusion matrix as row-normalised shares rather than counts.
    pub normalised: bool,
    /// The accuracy the automation curve is read at.
    pub target_accuracy: f64,
    /// The class whose precision-recall curve is shown.
    pub pr_class: usize,
    /// The audit spec being edited (TOML), once the editor is opened.
    pub audit_draft: Option<String>,
    /// The audit draft last checked against the dataset, and its problem: the line and why.
    pub audit_checked: Option<(String, Option<(usize, String)>)>,
    pub drift: DriftView,
    pub found: FindSlicesView,
}

/// The Find slices section's fields being edited and the grid's two features.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindSlicesView {
    /// The search being edited (from the session's once the section is first shown).
    pub draft: Option<crate::model::slice_finder::Search>,
    /// The minimum support as typed.
    pub support: String,
    pub error: Option<String>,
    pub down: Option<String>,
    pub across: Option<String>,
}

/// What the Drift section is showing and what is being typed in it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DriftView {
    pub current_path: String,
    pub window: String,
    pub window_error: Option<String>,
    /// The column whose distributions are shown.
    pub column: Option<String>,
    /// The metric shown over time.
    pub metric: Option<String>,
    /// The current rows listed after a click on a window or a new category.
    pub rows: Option<(String, Vec<u32>)>,
    /// The selected column's threshold and the shown metric's band, being typed.
    pub threshold: String,
    pub band_low: String,
    pub band_high: String,
    /// Why a typed threshold or band was refused.
    pub entry_error: Option<String>,
}

impl Default for DashboardView {
    fn default() -> Self {
        DashboardView {
            section: Section::default(),
            editing: None,
            hlp_draft: String::new(),
            rating_draft: None,
            hlp_error: None,
            sort_column: 0,
            ascending: false,
            recall_class: None,
            normalised: false,
            target_accuracy: 0.95,
            pr_class: 0,
            audit_draft: None,
            audit_checked: None,
            drift: DriftView::default(),
            found: FindSlicesView::default(),
        }
    }
}

/// Rows per page of the review table. egui lays rows out at f32 offsets, exact only to
/// about 2^24 px; 500,000 rows of 22 px stay well inside, so every row keeps its exact place
/// however long the table.
pub const PAGE_ROWS: usize = 500_000;

/// How the review table is shown (not part of the project).
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    /// The selected row the table last scrolled to, and where it was among the shown rows:
    /// the table scrolls again when the selection moves or a sort or filter moves it.
    pub revealed: Option<(u32, usize)>,
    /// The page shown, of `page_rows` rows each.
    pub page: usize,
    pub page_rows: usize,
}

impl Default for TableView {
    fn default() -> Self {
        TableView {
            revealed: None,
            page: 0,
            page_rows: PAGE_ROWS,
        }
    }
}
