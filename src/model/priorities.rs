//! Prioritisation: which category of errors is worth working on. The potential gain of a
//! category is how much overall accuracy would rise if it reached human-level performance.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::hlp::Subject;

/// The user's judgement of a category, each 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub ease: u8,
    pub importance: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PriorityKind {
    Tag,
    Slice,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Priority {
    pub kind: PriorityKind,
    /// The tag or slice value ranked; reports write it by name ("accent=scottish").
    #[serde(rename = "name", serialize_with = "by_name")]
    pub subject: Subject,
    pub gap: Option<f64>,
    pub share_of_data: Option<f64>,
    pub potential_gain: Option<f64>,
    pub ease: Option<u8>,
    pub importance: Option<u8>,
}

fn by_name<S: serde::Serializer>(subject: &Subject, out: S) -> Result<S::Ok, S::Error> {
    out.collect_str(subject)
}

impl Priority {
    /// The name reports show: the tag, or `column=value`.
    pub fn name(&self) -> String {
        self.subject.to_string()
    }
}

/// gap = max(0, HLP − accuracy); `None` when either is unknown.
pub fn gap(hlp: Option<f64>, accuracy: Option<f64>) -> Option<f64> {
    Some((hlp? - accuracy?).max(0.0))
}

/// potential gain = gap × share of data.
pub fn potential_gain(gap: Option<f64>, share_of_data: Option<f64>) -> Option<f64> {
    Some(gap? * share_of_data?)
}

/// Sorts by potential gain (largest first, unknown last), then ease × importance (largest
/// first), then kind and name so that the order is always the same.
pub fn rank(priorities: &mut [Priority]) {
    let score =
        |p: &Priority| u16::from(p.ease.unwrap_or(0)) * u16::from(p.importance.unwrap_or(0));
    priorities.sort_by(|a, b| {
        let by_gain = match (a.potential_gain, b.potential_gain) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_gain
            .then_with(|| score(b).cmp(&score(a)))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name().cmp(&b.name()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, gain: Option<f64>, rating: Option<(u8, u8)>) -> Priority {
        Priority {
            kind: PriorityKind::Tag,
            subject: Subject::Tag(name.into()),
            gap: None,
            share_of_data: None,
            potential_gain: gain,
            ease: rating.map(|r| r.0),
            importance: rating.map(|r| r.1),
        }
    }

    #[test]
    fn gap_is_never_negative() {
        assert_eq!(gap(Some(0.9), Some(0.95)), Some(0.0));
        assert!((gap(Some(0.95), Some(0.94)).unwrap() - 0.01).abs() < 1e-12);
        assert_eq!(gap(None, Some(0.9)), None);
        assert_eq!(potential_gain(Some(0.02), Some(0.3)), Some(0.02 * 0.3));
        assert_eq!(potential_gain(Some(0.02), None), None);
    }

    #[test]
    fn ranking_by_gain_then_rating_then_name() {
        let mut list = vec![
            p("unknown", None, Some((5, 5))),
            p("small", Some(0.001), None),
            p("tie-low", Some(0.006), Some((1, 2))),
            p("tie-high", Some(0.006), Some((3, 4))),
            p("b-same", Some(0.006), Some((2, 6))),
        ];
        rank(&mut list);
        let names: Vec<_> = list.iter().map(Priority::name).collect();
        assert_eq!(names, ["b-same", "tie-high", "tie-low", "small", "unknown"]);
    }
}
