//! Two features crossed: the accuracy and size of every pair of values, one pass over the
//! rows, cells less accurate than the whole set flagged.

use super::Feature;

#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    pub n: u64,
    pub correct: u64,
}

impl GridCell {
    pub fn accuracy(&self) -> Option<f64> {
        (self.n > 0).then(|| self.correct as f64 / self.n as f64)
    }
}

/// The crossing of `down` (one row of cells per value) and `across` (one column per value);
/// only values that occur, in sorted order.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub down: String,
    pub across: String,
    /// (value name, code) of each grid row and column.
    pub down_values: Vec<(String, u32)>,
    pub across_values: Vec<(String, u32)>,
    /// Row-major: `cells[i * across_values.len() + j]`.
    pub cells: Vec<GridCell>,
    pub overall: Option<f64>,
}

impl Grid {
    pub fn compute(down: &Feature, across: &Feature, correct: &[bool]) -> Grid {
        let (dn, an) = (down.values.len(), across.values.len());
        let mut counts = vec![(0u64, 0u64); dn * an];
        for ((d, a), &ok) in down.codes.iter().zip(across.codes.iter()).zip(correct) {
            let c = &mut counts[d as usize * an + a as usize];
            c.0 += 1;
            c.1 += ok as u64;
        }
        let present = |values: &[String], seen: &dyn Fn(usize) -> bool| {
            let mut v: Vec<(String, u32)> = (0..values.len())
                .filter(|&i| seen(i))
                .map(|i| (values[i].clone(), i as u32))
                .collect();
            v.sort();
            v
        };
        let down_values = present(&down.values, &|d| (0..an).any(|a| counts[d * an + a].0 > 0));
        let across_values = present(&across.values, &|a| {
            (0..dn).any(|d| counts[d * an + a].0 > 0)
        });
        let cells = down_values
            .iter()
            .flat_map(|&(_, d)| across_values.iter().map(move |&(_, a)| (d, a)))
            .map(|(d, a)| {
                let (n, correct) = counts[d as usize * an + a as usize];
                GridCell { n, correct }
            })
            .collect();
        let right = correct.iter().filter(|&&c| c).count();
        Grid {
            down: down.name.to_string(),
            across: across.name.to_string(),
            down_values,
            across_values,
            cells,
            overall: (!correct.is_empty()).then(|| right as f64 / correct.len() as f64),
        }
    }

    pub fn cell(&self, i: usize, j: usize) -> &GridCell {
        &self.cells[i * self.across_values.len() + j]
    }

    /// Whether a cell is less accurate than the whole set.
    pub fn flagged(&self, i: usize, j: usize) -> bool {
        match (self.cell(i, j).accuracy(), self.overall) {
            (Some(a), Some(o)) => a < o,
            _ => false,
        }
    }

    /// The rows of one cell, in row order.
    pub fn rows(&self, down: &Feature, across: &Feature, i: usize, j: usize) -> Vec<u32> {
        let (d, a) = (self.down_values[i].1, self.across_values[j].1);
        (0..down.codes.len() as u32)
            .filter(|&r| down.codes.get(r as usize) == d && across.codes.get(r as usize) == a)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn crosses_two_features() {
        let f = |name: &str, codes: Vec<u32>| Feature {
            name: Cow::Owned(name.into()),
            values: Cow::Owned(vec!["b".into(), "a".into(), "unused".into()]),
            codes: Cow::Owned(codes.into()),
        };
        let down = f("x", vec![0, 0, 1, 1, 1]);
        let across = f("y", vec![0, 1, 0, 0, 1]);
        let correct = [true, false, true, true, true];
        let g = Grid::compute(&down, &across, &correct);
        // Sorted: "a" (code 1) first.
        assert_eq!(g.down_values, vec![("a".into(), 1), ("b".into(), 0)]);
        // x = a: rows 2, 3, 4; y = a: rows 1, 4; y = b: rows 0, 2, 3.
        assert_eq!(g.cell(0, 0), &GridCell { n: 1, correct: 1 });
        assert_eq!(g.cell(0, 1), &GridCell { n: 2, correct: 2 });
        assert_eq!(g.cell(1, 0), &GridCell { n: 1, correct: 0 });
        assert!(g.flagged(1, 0));
        assert!(!g.flagged(0, 1));
        assert_eq!(g.rows(&down, &across, 1, 0), vec![1]);
        assert_eq!(g.overall, Some(0.8));
    }
}
