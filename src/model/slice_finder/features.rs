//! What the slice finder searches over, and each row's error.
//!
//! Features, in this order: every slice column (numeric ones as their quantile bins, input
//! metrics of the media once measured), every tag (`tag: NAME`, yes or no), and for
//! classification the true and the predicted class.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Feature, FinderError};
use crate::model::dataset::{EvalSet, SliceCodes, Task};
use crate::model::tags::TagBook;

pub const TRUE_CLASS: &str = "true class";
pub const PREDICTED_CLASS: &str = "predicted class";
pub const TAG_PREFIX: &str = "tag: ";
pub const TAGGED: &str = "yes";
pub const UNTAGGED: &str = "no";

/// What counts as a row's error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// 1 when the prediction is wrong (for transcripts: not the same sentence).
    #[default]
    Misclassified,
    /// The row's word error rate (transcripts).
    Wer,
    /// 1 when the baseline was right and the model is wrong.
    Regressions,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Misclassified => "misclassified",
            ErrorKind::Wer => "wer",
            ErrorKind::Regressions => "regressions",
        }
    }

    /// The natural error of a set: WER for transcripts, misclassification otherwise.
    pub fn natural(set: &EvalSet) -> ErrorKind {
        match set.task {
            Task::Transcription => ErrorKind::Wer,
            Task::Classification => ErrorKind::Misclassified,
        }
    }

    pub fn parse(text: &str) -> Option<ErrorKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "misclassified" | "errors" => Some(ErrorKind::Misclassified),
            "wer" => Some(ErrorKind::Wer),
            "regressions" | "regressed" => Some(ErrorKind::Regressions),
            _ => None,
        }
    }
}

/// Every feature's name, in feature order.
pub fn feature_names(set: &EvalSet, book: &TagBook) -> Vec<String> {
    let mut names: Vec<String> = set.slices.iter().map(|s| s.name.clone()).collect();
    names.extend(book.names().iter().map(|t| format!("{TAG_PREFIX}{t}")));
    if set.task == Task::Classification {
        names.push(TRUE_CLASS.into());
        names.push(PREDICTED_CLASS.into());
    }
    names
}

/// The features of a set, all of them or only those named (in feature order either way).
pub fn features<'a>(
    set: &'a EvalSet,
    book: &TagBook,
    only: Option<&[String]>,
) -> Result<Vec<Feature<'a>>, FinderError> {
    let names = feature_names(set, book);
    if let Some(only) = only
        && let Some(unknown) = only.iter().find(|n| !names.contains(n))
    {
        return Err(FinderError::UnknownFeature {
            name: unknown.clone(),
            known: names.join(", "),
        });
    }
    let wanted = |name: &str| only.is_none_or(|o| o.iter().any(|n| n == name));
    let mut out = Vec::new();
    for s in &set.slices {
        if wanted(&s.name) {
            out.push(Feature {
                name: Cow::Borrowed(s.name.as_str()),
                values: Cow::Borrowed(&s.values),
                codes: Cow::Borrowed(&s.codes),
            });
        }
    }
    for (tag, name) in book.names().iter().enumerate() {
        let name = format!("{TAG_PREFIX}{name}");
        if wanted(&name) {
            out.push(Feature {
                name: Cow::Owned(name),
                values: Cow::Owned(vec![UNTAGGED.into(), TAGGED.into()]),
                codes: Cow::Owned(SliceCodes::Narrow(
                    (0..set.len()).map(|row| book.has(tag, row) as u8).collect(),
                )),
            });
        }
    }
    if set.task == Task::Classification {
        for (name, codes) in [
            (TRUE_CLASS, &set.labels),
            (PREDICTED_CLASS, &set.predictions),
        ] {
            if wanted(name) {
                out.push(Feature {
                    name: Cow::Borrowed(name),
                    values: Cow::Borrowed(&set.vocab),
                    codes: Cow::Owned(codes.clone().into()),
                });
            }
        }
    }
    Ok(out)
}

/// Each row's error. A transcript's WER is its word errors over its reference words; with
/// an empty reference it is 0 for an empty prediction and 1 otherwise.
pub fn row_errors(set: &EvalSet, kind: ErrorKind) -> Result<Vec<f64>, FinderError> {
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    match kind {
        ErrorKind::Misclassified => Ok(set.correct.iter().map(|&c| flag(!c)).collect()),
        ErrorKind::Wer => {
            let edits = set.edits.as_ref().ok_or(FinderError::NotTranscripts)?;
            Ok(edits
                .iter()
                .map(|e| match e.ref_words {
                    0 => flag(e.word_errors > 0),
                    n => e.word_errors as f64 / n as f64,
                })
                .collect())
        }
        ErrorKind::Regressions => {
            let baseline = set
                .baseline_correct
                .as_ref()
                .ok_or(FinderError::NoBaseline)?;
            Ok(baseline
                .iter()
                .zip(&set.correct)
                .map(|(&b, &c)| flag(b == Some(true) && !c))
                .collect())
        }
    }
}
