//! Human-level performance (HLP): the accuracy a human reaches on a group of rows, measured
//! from the human-label column or entered by the user. Entered values win.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::stats::ratio;

/// What a figure is about: a tag, or one value of a slice column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Subject {
    Tag(String),
    Slice { column: String, value: String },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Tag(name) => f.write_str(name),
            Subject::Slice { column, value } => write!(f, "{column}={value}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HlpSource {
    /// Measured: agreement of the human-label column with the ground truth.
    HumanLabels,
    /// Typed in by the user.
    Entered,
    /// Measured: several annotators' accuracy against the ground truth, averaged over them.
    Annotators,
}

/// Which measurement is the HLP when both a human-label column and annotators exist (the
/// other is used where the preferred one has no rows). Kept in the project.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HlpPreference {
    #[default]
    HumanLabels,
    Annotators,
}

impl HlpSource {
    pub fn as_str(self) -> &'static str {
        match self {
            HlpSource::HumanLabels => "human_labels",
            HlpSource::Entered => "entered",
            HlpSource::Annotators => "annotators",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Hlp {
    pub value: f64,
    pub source: HlpSource,
}

/// The HLP of a group: the entered value if there is one, otherwise the preferred
/// measurement (the human labels' accuracy on the group's rows that have one, or the
/// annotators' mean accuracy), otherwise the other one, otherwise unknown.
pub fn resolve(
    entered: Option<f64>,
    human_correct: u64,
    human_n: u64,
    annotators: Option<f64>,
    prefer: HlpPreference,
) -> Option<Hlp> {
    let hlp = |source| move |value| Hlp { value, source };
    let human = ratio(human_correct, human_n).map(hlp(HlpSource::HumanLabels));
    let annotators = annotators.map(hlp(HlpSource::Annotators));
    let measured = match prefer {
        HlpPreference::HumanLabels => human.or(annotators),
        HlpPreference::Annotators => annotators.or(human),
    };
    entered.map(hlp(HlpSource::Entered)).or(measured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entered_value_wins_over_human_labels() {
        let prefer = HlpPreference::HumanLabels;
        assert_eq!(
            resolve(Some(0.9), 1, 4, Some(0.5), prefer),
            Some(Hlp {
                value: 0.9,
                source: HlpSource::Entered
            })
        );
        assert_eq!(
            resolve(None, 3, 4, Some(0.5), prefer),
            Some(Hlp {
                value: 0.75,
                source: HlpSource::HumanLabels
            })
        );
        assert_eq!(resolve(None, 0, 0, None, prefer), None);
        assert_eq!(
            resolve(None, 3, 4, Some(0.5), HlpPreference::Annotators),
            Some(Hlp {
                value: 0.5,
                source: HlpSource::Annotators
            })
        );
        assert_eq!(
            resolve(None, 0, 0, Some(0.5), prefer).map(|h| h.source),
            Some(HlpSource::Annotators)
        );
    }

    #[test]
    fn subjects_display_as_users_write_them() {
        assert_eq!(Subject::Tag("car noise".into()).to_string(), "car noise");
        let s = Subject::Slice {
            column: "accent".into(),
            value: "scottish".into(),
        };
        assert_eq!(s.to_string(), "accent=scottish");
    }
}
