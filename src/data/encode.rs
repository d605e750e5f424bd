//! Dictionary encoding of labels, predictions, human labels and baseline predictions: one
//! hash lookup per cell, then everything downstream works on integer codes.

use polars::prelude::PlHashMap;

use crate::model::dataset::sort_categories;
use crate::model::{MISSING, Task};

use super::slicing::MAX_SLICE_VALUES;
use super::table::{NO_VALUE, TextColumn};

/// Codes in first-seen order; [`Dictionary::finish`] renumbers them into report order.
/// It owns its values, so the columns encoded can be freed before the codes are final.
#[derive(Default)]
pub struct Dictionary {
    index: PlHashMap<String, u32>,
    names: Vec<String>,
}

impl Dictionary {
    pub fn code(&mut self, value: &str) -> u32 {
        if let Some(&c) = self.index.get(value) {
            return c;
        }
        let c = self.names.len() as u32;
        self.index.insert(value.to_string(), c);
        self.names.push(value.to_string());
        c
    }

    /// Codes of a column, [`MISSING`] where `present` is false or the cell is empty. A
    /// column stored by distinct value costs one lookup per distinct value.
    pub fn encode(&mut self, column: &TextColumn, present: impl Fn(usize) -> bool) -> Vec<u32> {
        let TextColumn::Distinct { codes, values } = column else {
            return self.encode_cells(column.iter(), present);
        };
        let mut ours: Vec<u32> = vec![MISSING; values.len()];
        codes
            .iter()
            .enumerate()
            .map(|(row, &code)| {
                if code == NO_VALUE || !present(row) {
                    return MISSING;
                }
                let ours = &mut ours[code as usize];
                if *ours == MISSING {
                    *ours = self.code(&values[code as usize]);
                }
                *ours
            })
            .collect()
    }

    /// Codes of cells, [`MISSING`] where `present` is false or the cell is empty.
    pub fn encode_cells<'a>(
        &mut self,
        cells: impl Iterator<Item = Option<&'a str>>,
        present: impl Fn(usize) -> bool,
    ) -> Vec<u32> {
        cells
            .enumerate()
            .map(|(row, cell)| match cell {
                Some(v) if present(row) => self.code(v),
                _ => MISSING,
            })
            .collect()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Final vocabulary: the codes used in `classes` (labels and predictions of the kept
    /// rows) first, in report order, then any other code met in `others` (human labels,
    /// baseline predictions). Returns the names and every column translated.
    /// `annotators` (one column per annotator) are translated the same way.
    pub fn finish(
        &self,
        classes: [Vec<u32>; 2],
        others: [Option<Vec<u32>>; 2],
        annotators: Vec<Vec<u32>>,
    ) -> Encoded {
        let mut used = vec![false; self.names.len()];
        for &c in classes.iter().flat_map(|c| c.iter()) {
            used[c as usize] = true;
        }
        let mut names: Vec<String> = self
            .names
            .iter()
            .zip(&used)
            .filter(|(_, u)| **u)
            .map(|(n, _)| n.to_string())
            .collect();
        sort_categories(&mut names);
        let n_classes = names.len();
        let mut remap: Vec<u32> = {
            let position: PlHashMap<&str, u32> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i as u32))
                .collect();
            self.names
                .iter()
                .map(|n| position.get(n.as_str()).copied().unwrap_or(MISSING))
                .collect()
        };
        // In place: the codes given are the kept rows', no longer needed as they were.
        let mut translate = |mut codes: Vec<u32>, names: &mut Vec<String>| -> Vec<u32> {
            for c in codes.iter_mut().filter(|c| **c != MISSING) {
                if remap[*c as usize] == MISSING {
                    remap[*c as usize] = names.len() as u32;
                    names.push(self.names[*c as usize].to_string());
                }
                *c = remap[*c as usize];
            }
            codes
        };
        let [labels, predictions] = classes;
        let labels = translate(labels, &mut names);
        let predictions = translate(predictions, &mut names);
        let [human, baseline] = others.map(|o| o.map(|codes| translate(codes, &mut names)));
        let annotators = annotators
            .into_iter()
            .map(|codes| translate(codes, &mut names))
            .collect();
        Encoded {
            names,
            n_classes,
            labels,
            predictions,
            human,
            baseline,
            annotators,
        }
    }
}

pub struct Encoded {
    pub names: Vec<String>,
    pub n_classes: usize,
    pub labels: Vec<u32>,
    pub predictions: Vec<u32>,
    pub human: Option<Vec<u32>>,
    pub baseline: Option<Vec<u32>>,
    /// Per annotator, the codes of the kept rows.
    pub annotators: Vec<Vec<u32>>,
}

/// Transcription when most labels are sentences and they are varied (many distinct labels,
/// or predictions that are often none of the labels, as a recogniser's are); otherwise the
/// labels are class names. Works on codes, so it costs one pass over integers.
pub fn detect_task(names: &[String], labels: &[u32], predictions: &[u32]) -> Task {
    let mut label_count = vec![0usize; names.len()];
    for &l in labels.iter().filter(|&&l| l != MISSING) {
        label_count[l as usize] += 1;
    }
    let present: usize = label_count.iter().sum();
    let distinct = label_count.iter().filter(|&&c| c > 0).count();
    let multi_word: usize = names
        .iter()
        .zip(&label_count)
        .filter(|(name, _)| name.split_whitespace().nth(1).is_some())
        .map(|(_, count)| count)
        .sum();
    let novel = predictions
        .iter()
        .filter(|&&p| p != MISSING && label_count[p as usize] == 0)
        .count();
    let sentences = present > 0 && multi_word * 2 >= present;
    let varied =
        distinct > MAX_SLICE_VALUES || distinct * 10 >= present * 3 || novel * 10 >= present;
    if sentences && varied {
        Task::Transcription
    } else {
        Task::Classification
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(labels: &[&str], predictions: &[&str]) -> Task {
        let mut d = Dictionary::default();
        let l: Vec<u32> = labels.iter().map(|s| d.code(s)).collect();
        let p: Vec<u32> = predictions.iter().map(|s| d.code(s)).collect();
        detect_task(d.names(), &l, &p)
    }

    #[test]
    fn task_detection() {
        assert_eq!(
            detect(&["cat", "dog", "cat"], &["cat", "dog", "cat"]),
            Task::Classification
        );
        let defects = ["no defect", "scratch", "light dent", "no defect"].repeat(5);
        assert_eq!(detect(&defects, &defects), Task::Classification);
        let commands = ["turn on the light", "stop the music", "call mom"];
        assert_eq!(detect(&commands, &commands), Task::Transcription);
        // Few distinct sentences, but the predictions are free text: a recogniser.
        let refs = ["call mom"; 10];
        let mut hyps = ["call mom"; 10];
        hyps[3] = "call mum";
        assert_eq!(detect(&refs, &hyps), Task::Transcription);
    }

    #[test]
    fn finish_orders_classes_and_appends_other_values() {
        let mut d = Dictionary::default();
        let cells = [Some("10"), Some("2"), None, Some("x-only-in-excluded-row")];
        let labels = d.encode_cells(cells.into_iter(), |row| row != 3);
        assert_eq!(labels[2], MISSING);
        let predictions = d.encode_cells([Some("2"), Some("33"), None, None].into_iter(), |_| true);
        let human = d.encode_cells([Some("7"), None, Some("2"), None].into_iter(), |_| true);
        let kept = [0usize, 1];
        let pick = |c: &[u32]| kept.iter().map(|&r| c[r]).collect::<Vec<_>>();
        let e = d.finish(
            [pick(&labels), pick(&predictions)],
            [Some(pick(&human)), None],
            Vec::new(),
        );
        assert_eq!(e.names, ["2", "10", "33", "7"]);
        assert_eq!(e.n_classes, 3);
        assert_eq!(e.labels, [1, 0]);
        assert_eq!(e.predictions, [0, 2]);
        assert_eq!(e.human.unwrap(), [3, MISSING]);
    }
}
