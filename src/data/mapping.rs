//! Column roles: which column holds the ids, the ground truth, the predictions and so on.
//! Detected from conventional names (SPEC §1), each overridable by the user.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::LoadError;
use crate::model::Task;

/// What the user asked for; unset fields are detected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MappingRequest {
    pub id: Option<String>,
    pub label: Option<String>,
    pub prediction: Option<String>,
    pub confidence: Option<String>,
    pub media: Option<String>,
    pub human: Option<String>,
    pub baseline: Option<String>,
    pub tags: Option<String>,
    /// The column of each row's time (ISO 8601 or epoch seconds), for metrics over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// When non-empty, exactly these columns are slices.
    pub slices: Vec<String>,
    pub task: Option<Task>,
    /// The table file inside a dataset folder, when the folder holds several.
    pub table: Option<PathBuf>,
    /// Compare labels, predictions, human labels and baselines after trimming surrounding
    /// spaces, composing Unicode (NFC) and lowercasing, so that "Dog", "dog " and a
    /// decomposed "dog" are one class.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub normalize_labels: bool,
    /// The field separator of a delimited text table; detected from its first lines when
    /// `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<char>,
    /// When non-empty, exactly these columns hold annotators' labels; otherwise columns
    /// named `annotator_*`, `labeler_*`, `rater_*` or `human_label_*` do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotators: Vec<String>,
    /// A long file of annotations (`id,annotator,label` CSV), as labeling tools export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<PathBuf>,
}

impl MappingRequest {
    /// [`Self::separator`] as the byte the reader splits at (separators are ASCII).
    pub fn separator_byte(&self) -> Option<u8> {
        self.separator.and_then(|c| u8::try_from(c).ok())
    }
}

/// The columns chosen for each role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnRoles {
    pub id: Option<String>,
    pub label: String,
    pub prediction: String,
    pub confidence: Option<String>,
    pub media: Option<String>,
    pub human: Option<String>,
    pub baseline: Option<String>,
    pub tags: Option<String>,
    /// The time column (never a slice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Columns offered as slices (those that cannot be sliced are dropped when loading).
    pub slices: Vec<String>,
    /// Columns of annotators' labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotators: Vec<String>,
    /// `prob_<class>` columns: the model's probability of each class.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probabilities: Vec<String>,
}

/// Name prefixes of annotator columns.
pub const ANNOTATOR_PREFIXES: [&str; 4] = ["annotator_", "labeler_", "rater_", "human_label_"];
/// Name prefix of class probability columns.
pub const PROBABILITY_PREFIX: &str = "prob_";

fn has_prefix(column: &str, prefix: &str) -> bool {
    column.len() > prefix.len()
        && column.is_char_boundary(prefix.len())
        && column[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The class a `prob_<class>` column is about.
pub fn probability_class(column: &str) -> &str {
    &column[PROBABILITY_PREFIX.len()..]
}

struct Role {
    name: &'static str,
    flag: &'static str,
    tried: &'static [&'static str],
}

const ID: Role = Role {
    name: "id",
    flag: "--id",
    tried: &["id", "uid", "example_id", "sample_id", "utt_id", "sample"],
};
const LABEL: Role = Role {
    name: "label",
    flag: "--label",
    tried: &[
        "label",
        "target",
        "y_true",
        "ground_truth",
        "gold",
        "reference",
        "transcript",
    ],
};
const PREDICTION: Role = Role {
    name: "prediction",
    flag: "--prediction",
    tried: &[
        "prediction",
        "pred",
        "y_pred",
        "predicted",
        "hypothesis",
        "model_output",
    ],
};
const CONFIDENCE: Role = Role {
    name: "confidence",
    flag: "--confidence",
    tried: &["confidence", "score", "prob", "probability"],
};
const MEDIA: Role = Role {
    name: "media",
    flag: "--media",
    tried: &[
        "file_name",
        "path",
        "file",
        "filepath",
        "audio",
        "image",
        "media",
    ],
};
const HUMAN: Role = Role {
    name: "human label",
    flag: "--human",
    tried: &["human_label", "hlp_label", "annotator_label", "human"],
};
const BASELINE: Role = Role {
    name: "baseline",
    flag: "--baseline",
    tried: &[
        "baseline",
        "prediction_baseline",
        "previous_prediction",
        "old_prediction",
    ],
};
const TAGS: Role = Role {
    name: "tags",
    flag: "--tags-column",
    tried: &["tags"],
};
const TIME: Role = Role {
    name: "time",
    flag: "--time",
    tried: &["timestamp", "time", "date", "created_at"],
};

/// Chooses a column for every role: the user's choice where given, otherwise the first
/// conventional name present (case-insensitive), never one column for two roles.
pub fn resolve_roles(
    path: &Path,
    columns: &[String],
    request: &MappingRequest,
) -> Result<ColumnRoles, LoadError> {
    let mut claimed: Vec<(String, &'static str)> = Vec::new();
    let roles: [(&Role, &Option<String>); 9] = [
        (&ID, &request.id),
        (&LABEL, &request.label),
        (&PREDICTION, &request.prediction),
        (&CONFIDENCE, &request.confidence),
        (&MEDIA, &request.media),
        (&HUMAN, &request.human),
        (&BASELINE, &request.baseline),
        (&TAGS, &request.tags),
        (&TIME, &request.time),
    ];
    let find = |wanted: &str| -> Option<String> {
        columns
            .iter()
            .find(|c| *c == wanted)
            .or_else(|| columns.iter().find(|c| c.eq_ignore_ascii_case(wanted)))
            .cloned()
    };
    // Explicit choices first, so detection never takes a column the user assigned.
    let mut chosen: [Option<String>; 9] = Default::default();
    for (i, (role, wanted)) in roles.iter().enumerate() {
        if let Some(wanted) = wanted {
            let column = find(wanted).ok_or_else(|| LoadError::UnknownColumn {
                path: path.to_path_buf(),
                flag: role.flag,
                column: wanted.clone(),
                found: columns.to_vec(),
            })?;
            if let Some((_, first)) = claimed.iter().find(|(c, _)| *c == column) {
                return Err(LoadError::ColumnTwice {
                    path: path.to_path_buf(),
                    column,
                    first,
                    second: role.name,
                });
            }
            claimed.push((column.clone(), role.name));
            chosen[i] = Some(column);
        }
    }
    for (i, (role, wanted)) in roles.iter().enumerate() {
        if wanted.is_some() {
            continue;
        }
        let detected = role.tried.iter().find_map(|name| {
            columns.iter().find(|c| {
                c.eq_ignore_ascii_case(name) && !claimed.iter().any(|(taken, _)| taken == *c)
            })
        });
        if let Some(column) = detected {
            claimed.push((column.clone(), role.name));
            chosen[i] = Some(column.clone());
        }
    }
    let [
        id,
        label,
        prediction,
        confidence,
        media,
        human,
        baseline,
        tags,
        time,
    ] = chosen;
    let missing = |role: &Role| LoadError::MissingRole {
        path: path.to_path_buf(),
        role: role.name,
        flag: role.flag,
        tried: role.tried.to_vec(),
        found: columns.to_vec(),
    };
    let label = label.ok_or_else(|| missing(&LABEL))?;
    let prediction = prediction.ok_or_else(|| missing(&PREDICTION))?;
    let unclaimed =
        |c: &String, claimed: &[(String, &str)]| !claimed.iter().any(|(taken, _)| taken == c);
    let annotators: Vec<String> = if request.annotators.is_empty() {
        columns
            .iter()
            .filter(|c| unclaimed(c, &claimed))
            .filter(|c| ANNOTATOR_PREFIXES.iter().any(|p| has_prefix(c, p)))
            .cloned()
            .collect()
    } else {
        let mut chosen = Vec::new();
        for wanted in &request.annotators {
            let column = find(wanted).ok_or_else(|| LoadError::UnknownColumn {
                path: path.to_path_buf(),
                flag: "--annotator",
                column: wanted.clone(),
                found: columns.to_vec(),
            })?;
            if let Some((_, first)) = claimed.iter().find(|(c, _)| *c == column) {
                return Err(LoadError::ColumnTwice {
                    path: path.to_path_buf(),
                    column,
                    first,
                    second: "annotator",
                });
            }
            claimed.push((column.clone(), "annotator"));
            chosen.push(column);
        }
        chosen
    };
    if request.annotators.is_empty() {
        claimed.extend(annotators.iter().map(|c| (c.clone(), "annotator")));
    }
    let probabilities: Vec<String> = columns
        .iter()
        .filter(|c| unclaimed(c, &claimed) && has_prefix(c, PROBABILITY_PREFIX))
        .cloned()
        .collect();
    claimed.extend(
        probabilities
            .iter()
            .map(|c| (c.clone(), "class probability")),
    );
    let slices = if request.slices.is_empty() {
        columns
            .iter()
            .filter(|c| !claimed.iter().any(|(taken, _)| taken == *c))
            .cloned()
            .collect()
    } else {
        let mut slices = Vec::new();
        for wanted in &request.slices {
            let column = find(wanted).ok_or_else(|| LoadError::UnknownColumn {
                path: path.to_path_buf(),
                flag: "--slice",
                column: wanted.clone(),
                found: columns.to_vec(),
            })?;
            if let Some((_, role)) = claimed.iter().find(|(c, _)| *c == column) {
                return Err(LoadError::BadSlice {
                    path: path.to_path_buf(),
                    column,
                    problem: format!("this column is the {role} column"),
                });
            }
            slices.push(column);
        }
        slices
    };
    Ok(ColumnRoles {
        id,
        label,
        prediction,
        confidence,
        media,
        human,
        baseline,
        tags,
        time,
        slices,
        annotators,
        probabilities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_conventional_names_case_insensitively() {
        let columns = cols(&[
            "ID",
            "File_Name",
            "Transcript",
            "hypothesis",
            "score",
            "accent",
            "tags",
        ]);
        let r = resolve_roles(Path::new("m.csv"), &columns, &MappingRequest::default()).unwrap();
        assert_eq!(r.id.as_deref(), Some("ID"));
        assert_eq!(r.label, "Transcript");
        assert_eq!(r.prediction, "hypothesis");
        assert_eq!(r.confidence.as_deref(), Some("score"));
        assert_eq!(r.media.as_deref(), Some("File_Name"));
        assert_eq!(r.tags.as_deref(), Some("tags"));
        assert_eq!(r.slices, ["accent"]);
    }

    #[test]
    fn annotator_and_probability_columns_by_prefix_or_by_name() {
        let columns = cols(&[
            "label",
            "prediction",
            "human_label",
            "Annotator_ann",
            "rater_2",
            "prob_dent",
            "glare",
        ]);
        let r = resolve_roles(Path::new("m.csv"), &columns, &MappingRequest::default()).unwrap();
        assert_eq!(r.human.as_deref(), Some("human_label"));
        assert_eq!(r.annotators, ["Annotator_ann", "rater_2"]);
        assert_eq!(r.probabilities, ["prob_dent"]);
        assert_eq!(r.slices, ["glare"]);
        let request = MappingRequest {
            annotators: vec!["glare".into()],
            ..Default::default()
        };
        let r = resolve_roles(Path::new("m.csv"), &columns, &request).unwrap();
        assert_eq!(r.annotators, ["glare"]);
        assert_eq!(r.slices, ["Annotator_ann", "rater_2"]);
    }

    #[test]
    fn first_name_in_the_list_wins_and_overrides_are_respected() {
        let columns = cols(&["target", "label", "pred", "gold"]);
        let r = resolve_roles(Path::new("m.csv"), &columns, &MappingRequest::default()).unwrap();
        assert_eq!(r.label, "label");
        assert_eq!(r.slices, ["target", "gold"]);
        let request = MappingRequest {
            label: Some("gold".into()),
            slices: vec!["target".into()],
            ..Default::default()
        };
        let r = resolve_roles(Path::new("m.csv"), &columns, &request).unwrap();
        assert_eq!(r.label, "gold");
        assert_eq!(r.slices, ["target"]);
    }

    #[test]
    fn missing_prediction_lists_columns_and_names_tried() {
        let err = resolve_roles(
            Path::new("m.csv"),
            &cols(&["label", "x"]),
            &MappingRequest::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("no prediction column"), "{text}");
        assert!(text.contains("Columns found: label, x"), "{text}");
        assert!(text.contains("y_pred"), "{text}");
        assert!(text.contains("--prediction"), "{text}");
    }

    #[test]
    fn unknown_override_and_double_use_are_errors() {
        let columns = cols(&["label", "prediction"]);
        let request = MappingRequest {
            id: Some("nope".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve_roles(Path::new("m"), &columns, &request),
            Err(LoadError::UnknownColumn { .. })
        ));
        let request = MappingRequest {
            id: Some("label".into()),
            label: Some("label".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve_roles(Path::new("m"), &columns, &request),
            Err(LoadError::ColumnTwice { .. })
        ));
    }
}
