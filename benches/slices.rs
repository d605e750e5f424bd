//! Slice discovery at scale: SliceLine over 1M rows and 8 features of up to 50 values,
//! up to 3 predicates, k = 10, default minimum support (1 % of the rows); once with values
//! spread evenly, once with skewed values (a few common values, so many two- and
//! three-predicate slices keep enough rows and the lattice goes deep); planted bad
//! conjunctions in both. Then the grid of two 50-value features at 1M rows.
//!
//! `cargo bench --bench slices`

use std::borrow::Cow;
use std::time::Instant;

use errata::model::slice_finder::grid::Grid;
use errata::model::slice_finder::{Feature, MinSupport, Params, find};

const ROWS: usize = 1_000_000;
const FEATURES: usize = 8;

fn features(skewed: bool) -> (Vec<Feature<'static>>, Vec<f64>) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let sizes = [50, 50, 40, 30, 20, 10, 5, 3];
    let codes: Vec<Vec<u32>> = sizes
        .iter()
        .map(|&size| {
            (0..ROWS)
                .map(|_| {
                    let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                    // Skewed: value v with probability falling like 1/(v+1)^1.5.
                    let v = if skewed {
                        (size as f64).powf(u * u) as u32 - 1
                    } else {
                        (u * size as f64) as u32
                    };
                    v.min(size - 1)
                })
                .collect()
        })
        .collect();
    let errors = (0..ROWS)
        .map(|r| {
            let bad =
                (codes[0][r] == 1 && codes[3][r] == 2) || (codes[5][r] == 0 && codes[6][r] == 1);
            let p = if bad { 700 } else { 50 };
            if next() % 1000 < p { 1.0 } else { 0.0 }
        })
        .collect();
    let features = codes
        .into_iter()
        .zip(sizes)
        .enumerate()
        .map(|(f, (codes, size))| Feature {
            name: Cow::Owned(format!("feature{f}")),
            values: Cow::Owned((0..size).map(|v| format!("v{v:02}")).collect()),
            codes: Cow::Owned(codes.into()),
        })
        .collect();
    (features, errors)
}

fn main() {
    assert_eq!(FEATURES, 8);
    for skewed in [false, true] {
        let (features, errors) = features(skewed);
        for (alpha, support) in [(0.6, None), (0.95, None), (0.95, Some(100))] {
            let min_support = support.map_or(MinSupport::Default, MinSupport::Rows);
            let params = Params {
                alpha,
                min_support,
                ..Params::default()
            };
            let mut times = Vec::new();
            let mut found = 0;
            for _ in 0..3 {
                let start = Instant::now();
                let (slices, _, _) = find(&features, &errors, &params, &|_| true).unwrap();
                times.push(start.elapsed().as_secs_f64());
                found = slices.len();
            }
            times.sort_by(f64::total_cmp);
            println!(
                "sliceline {} values, 1M rows x 8 features, L=3, k=10, alpha {alpha}, min support {}: {} slices, {:.2}-{:.2} s",
                if skewed { "skewed" } else { "even" },
                support.map_or("1 %".to_string(), |s| format!("{s} rows")),
                found,
                times[0],
                times[2]
            );
        }
        let correct: Vec<bool> = errors.iter().map(|&e| e == 0.0).collect();
        let start = Instant::now();
        let grid = Grid::compute(&features[0], &features[1], &correct);
        println!(
            "grid 50 x 50 values at 1M rows: {} cells in {:.1} ms",
            grid.cells.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
}
