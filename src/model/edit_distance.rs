//! Exact Levenshtein distance for long sequences (an hour of speech is ~700,000 characters).
//!
//! Small inputs go to rapidfuzz. Long ones take three steps:
//! 1. an upper bound `k` of the distance, from a cheap alignment: exact matches of 16 symbols
//!    chained in order cut both sequences into short pieces whose distances add up;
//! 2. Myers' bit-parallel algorithm in Hyyrö's block form, restricted (as edlib does) to the
//!    cells that can still lie on an alignment costing at most `k`;
//! 3. Hirschberg's split: the top half of the table runs forwards and the bottom half runs
//!    backwards on the other core, and the distance is the best sum across the middle row.
//!
//! Cells outside the band are taken as larger than they are, which only ever raises the
//! values inside it; every cell on an optimal alignment stays in the band, so the result is
//! exact whenever the distance is at most `k` — and `k` is an upper bound by construction.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Below this many symbols on the longer side, rapidfuzz alone is fast enough.
const LONG: usize = 20_000;
/// Length of the exact matches used as anchors for the upper bound.
const ANCHOR: usize = 16;
/// Every this many positions of `a` a match in `b` is looked for.
const ANCHOR_STRIDE: usize = 32;
/// Pieces between anchors longer than this are bounded by their length, not measured.
const PIECE_MEASURED: usize = 4_096;
/// A table of the pattern's bits for every block × symbol is used up to this many 64-bit
/// words; larger alphabets (words rather than characters) keep per-symbol lists instead.
const TABLE_WORDS: usize = 4 << 20;
const INFINITE: u32 = u32::MAX / 2;

/// Minimum number of substitutions, deletions and insertions turning `a` into `b`.
pub fn levenshtein(a: &[u32], b: &[u32]) -> u32 {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.len().max(b.len()) < LONG || a.is_empty() || b.is_empty() {
        return rapidfuzz_distance(a, b, 0);
    }
    let (a, b, alphabet) = dense(a, b);
    let bound = upper_bound(&a, &b);
    banded_split(&a, &b, alphabet, bound as usize)
}

fn rapidfuzz_distance(a: &[u32], b: &[u32], hint: usize) -> u32 {
    use rapidfuzz::distance::levenshtein;
    let args = levenshtein::Args::default().score_hint(hint);
    levenshtein::distance_with_args(a.iter().copied(), b.iter().copied(), &args) as u32
}

/// Both sequences renumbered 0..alphabet, for a pattern table indexed by symbol.
fn dense(a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<u32>, usize) {
    let mut ids: HashMap<u32, u32> = HashMap::new();
    let mut id = |s: u32| {
        let next = ids.len() as u32;
        *ids.entry(s).or_insert(next)
    };
    let a: Vec<u32> = a.iter().map(|&s| id(s)).collect();
    let b: Vec<u32> = b.iter().map(|&s| id(s)).collect();
    (a, b, ids.len())
}

/// The cost of one alignment of `a` with `b`, so at least their distance: anchors (runs of
/// [`ANCHOR`] equal symbols occurring once in `b`) chained in increasing order, and between
/// consecutive anchors the exact distance of the short pieces.
fn upper_bound(a: &[u32], b: &[u32]) -> u32 {
    let anchors = anchor_chain(a, b);
    let (mut i0, mut j0, mut total) = (0usize, 0usize, 0u32);
    for &(i, j) in anchors.iter().chain(std::iter::once(&(a.len(), b.len()))) {
        let (pa, pb) = (&a[i0..i], &b[j0..j]);
        total += if pa.len().max(pb.len()) <= PIECE_MEASURED {
            rapidfuzz_distance(pa, pb, 0)
        } else {
            pa.len().max(pb.len()) as u32
        };
        (i0, j0) = (i + ANCHOR, j + ANCHOR);
    }
    total
}

/// Anchor pairs `(i, j)` with `a[i..i + ANCHOR] == b[j..j + ANCHOR]`, not overlapping and
/// increasing in both `i` and `j` (the longest such chain among the candidates).
fn anchor_chain(a: &[u32], b: &[u32]) -> Vec<(usize, usize)> {
    if a.len() < ANCHOR || b.len() < ANCHOR {
        return Vec::new();
    }
    // Where each run of b starts, by a hash of the run; runs seen twice (or sharing a
    // hash) are ambiguous (usize::MAX).
    let key = |run: &[u32]| {
        let mut bytes = [0u8; 4 * ANCHOR];
        for (to, symbol) in bytes.chunks_exact_mut(4).zip(run) {
            to.copy_from_slice(&symbol.to_le_bytes());
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    };
    let mut in_b: HashMap<u64, usize, BuildHasherDefault<Prehashed>> =
        HashMap::with_capacity_and_hasher(b.len(), BuildHasherDefault::default());
    for j in 0..=b.len() - ANCHOR {
        in_b.entry(key(&b[j..j + ANCHOR]))
            .and_modify(|at| *at = usize::MAX)
            .or_insert(j);
    }
    let candidates: Vec<(usize, usize)> = (0..=a.len() - ANCHOR)
        .step_by(ANCHOR_STRIDE)
        .filter_map(|i| match in_b.get(&key(&a[i..i + ANCHOR])) {
            Some(&j) if j != usize::MAX && a[i..i + ANCHOR] == b[j..j + ANCHOR] => Some((i, j)),
            _ => None,
        })
        .collect();
    // Longest chain increasing in j with steps of at least ANCHOR (i already increases by
    // ANCHOR_STRIDE ≥ ANCHOR), by patience sorting with back links.
    let mut tails: Vec<usize> = Vec::new(); // index into candidates of each chain length's best tail
    let mut back: Vec<Option<usize>> = vec![None; candidates.len()];
    for (n, &(_, j)) in candidates.iter().enumerate() {
        let place = tails.partition_point(|&t| candidates[t].1 + ANCHOR <= j);
        back[n] = place.checked_sub(1).map(|p| tails[p]);
        if place == tails.len() {
            tails.push(n);
        } else if j < candidates[tails[place]].1 {
            tails[place] = n;
        }
    }
    let mut chain = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(n) = at {
        chain.push(candidates[n]);
        at = back[n];
    }
    chain.reverse();
    chain
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// The distance of `a` and `b` if it is at most `bound` (it is, see [`upper_bound`]): the
/// halves of `a` against all of `b`, forwards and backwards on two threads, joined at the
/// middle row.
fn banded_split(a: &[u32], b: &[u32], alphabet: usize, bound: usize) -> u32 {
    let middle = a.len() / 2;
    let (top, bottom) = rayon::join(
        || middle_row(&a[..middle], b, alphabet, a.len() - middle, bound),
        || {
            let a_back: Vec<u32> = a[middle..].iter().rev().copied().collect();
            let b_back: Vec<u32> = b.iter().rev().copied().collect();
            middle_row(&a_back, &b_back, alphabet, middle, bound)
        },
    );
    let m = b.len();
    (0..=m)
        .map(|j| top[j].saturating_add(bottom[m - j]))
        .min()
        .expect("at least one column")
        .min(bound as u32)
}

/// `D(pattern, text[..j])` for every `j` (the table's last row), [`INFINITE`] where the cell
/// cannot lie on an alignment of cost ≤ `bound` of the whole problem, of which this table is
/// the part before `rows_after` further pattern symbols.
fn middle_row(
    pattern: &[u32],
    text: &[u32],
    alphabet: usize,
    rows_after: usize,
    bound: usize,
) -> Vec<u32> {
    let (n, m) = (pattern.len(), text.len());
    if n == 0 {
        return (0..=m as u32).collect();
    }
    let mut row = vec![INFINITE; m + 1];
    let mut band = Band::new(n, m, rows_after, bound as i64);
    if !band.start() {
        return row;
    }
    let bottom = band.blocks - 1;
    if band.last == bottom {
        row[0] = n as u32;
    }
    let bits = PatternBits::new(pattern, alphabet);
    let mut spread = vec![0; band.blocks];
    for (j, &symbol) in text.iter().enumerate() {
        band.grow();
        band.step(bits.column(symbol, band.first, band.last, &mut spread));
        if !band.shrink() {
            return row;
        }
        if band.last == bottom {
            row[j + 1] = band.last_score as u32;
        }
    }
    row
}

/// The blocks of the band in the current column: each block holds 64 rows as the bits of
/// the vertical differences (+1 in `vp`, -1 in `vn`) between each row and the one above.
struct Band {
    blocks: usize,
    rows: usize,
    columns: usize,
    /// Pattern symbols after this table: the whole problem ends `rows_after` rows lower.
    rows_after: usize,
    bound: i64,
    /// `(vp, vn)` per block.
    state: Vec<(u64, u64)>,
    first: usize,
    last: usize,
    /// The values in the bottom rows of the first and the last block of the band.
    first_score: i64,
    last_score: i64,
    /// The last column's number.
    column: usize,
}

impl Band {
    fn new(rows: usize, columns: usize, rows_after: usize, bound: i64) -> Self {
        let blocks = rows.div_ceil(64);
        Self {
            blocks,
            rows,
            columns,
            rows_after,
            bound,
            state: vec![(!0, 0); blocks],
            first: 0,
            last: 0,
            first_score: 0,
            last_score: 0,
            column: 0,
        }
    }

    fn bottom_row(&self, block: usize) -> i64 {
        ((block + 1) * 64).min(self.rows) as i64
    }

    /// The pattern rows a block holds, as a mask of its bits.
    fn rows_of(&self, block: usize) -> u64 {
        if block + 1 == self.blocks {
            !0 >> (63 - (self.rows - 1) % 64)
        } else {
            !0
        }
    }

    /// The bottom value of `block` less that of the block above it: its rows' differences.
    fn rise(&self, block: usize) -> i64 {
        let (vp, vn) = self.state[block];
        let rows = self.rows_of(block);
        i64::from((vp & rows).count_ones()) - i64::from((vn & rows).count_ones())
    }

    /// Smallest (cell value + lower bound of the rest) over `block`, whose bottom value is
    /// `score`: values in a block fall by at most 1 a row above its bottom, and the rest
    /// costs at least the distance to the diagonal that ends at the whole problem's far
    /// corner.
    fn least(&self, block: usize, score: i64) -> i64 {
        // The row where that diagonal crosses this column.
        let target = (self.rows + self.rows_after + self.column) as i64 - self.columns as i64;
        let top = (block * 64 + 1) as i64;
        let rest = if target >= top {
            target
        } else {
            2 * top - target
        };
        score - self.bottom_row(block) + rest
    }

    /// The band at column 0 (where every value is its row number); false when empty.
    fn start(&mut self) -> bool {
        let fits = |w: usize| self.least(w, self.bottom_row(w)) <= self.bound;
        if !fits(0) {
            return false;
        }
        self.last = (1..self.blocks)
            .take_while(|&w| fits(w))
            .last()
            .unwrap_or(0);
        self.first_score = self.bottom_row(0);
        self.last_score = self.bottom_row(self.last);
        true
    }

    /// Takes in the block below the band, if any: from column to column the band may reach
    /// one block further down. Its cells are counted down from the block above, one more
    /// each row: more than they can be, which only ever raises values.
    fn grow(&mut self) {
        if self.last + 1 < self.blocks {
            self.last += 1;
            self.state[self.last] = (!0, 0);
            self.last_score += self.bottom_row(self.last) - self.bottom_row(self.last - 1);
        }
    }

    /// One column: every block of the band steps, top to bottom, each passing the
    /// horizontal difference out of its bottom row into the next block's top.
    fn step(&mut self, eq: &[u64]) {
        let (first, last) = (self.first, self.last);
        // Above the band: row 0 (exactly +1) or cells taken as larger.
        let (first_row, last_row) = (self.out_row(first), self.out_row(last));
        let mut carry = step(&mut self.state[first], eq[first], Carry::UP, first_row);
        self.first_score += carry.value();
        if last > first {
            let middle = first + 1..last;
            for (state, &eq) in self.state[middle.clone()].iter_mut().zip(&eq[middle]) {
                carry = step(state, eq, carry, 63);
            }
            carry = step(&mut self.state[last], eq[last], carry, last_row);
        }
        self.last_score += carry.value();
        self.column += 1;
    }

    /// The row of `block` whose horizontal difference passes to the next block.
    fn out_row(&self, block: usize) -> u32 {
        if block + 1 == self.blocks {
            ((self.rows - 1) % 64) as u32
        } else {
            63
        }
    }

    /// Drops the blocks at either end that cannot hold a cell of an alignment within the
    /// bound; false when nothing is left.
    fn shrink(&mut self) -> bool {
        while self.least(self.last, self.last_score) > self.bound {
            if self.last == self.first {
                return false;
            }
            self.last_score -= self.rise(self.last);
            self.last -= 1;
        }
        while self.least(self.first, self.first_score) > self.bound {
            self.first += 1;
            self.first_score += self.rise(self.first);
        }
        true
    }
}

/// Where each symbol occurs in the pattern, as one 64-bit mask per block of 64 rows.
enum PatternBits {
    /// `bits[symbol * blocks + block]`: direct, for small alphabets (characters).
    Table { bits: Vec<u64>, blocks: usize },
    /// Per symbol, the blocks it occurs in with their masks, in block order (words).
    Lists(Vec<Vec<(usize, u64)>>),
}

impl PatternBits {
    fn new(pattern: &[u32], alphabet: usize) -> Self {
        let blocks = pattern.len().div_ceil(64);
        if blocks.saturating_mul(alphabet) <= TABLE_WORDS {
            let mut bits = vec![0u64; blocks * alphabet];
            for (i, &s) in pattern.iter().enumerate() {
                bits[s as usize * blocks + i / 64] |= 1 << (i % 64);
            }
            return Self::Table { bits, blocks };
        }
        let mut lists: Vec<Vec<(usize, u64)>> = vec![Vec::new(); alphabet];
        for (i, &s) in pattern.iter().enumerate() {
            let list = &mut lists[s as usize];
            match list.last_mut() {
                Some((block, mask)) if *block == i / 64 => *mask |= 1 << (i % 64),
                _ => list.push((i / 64, 1 << (i % 64))),
            }
        }
        Self::Lists(lists)
    }

    /// The masks of `symbol` by block, valid for blocks `first..=last`; `spread` is room
    /// for them when the pattern keeps lists.
    fn column<'a>(
        &'a self,
        symbol: u32,
        first: usize,
        last: usize,
        spread: &'a mut [u64],
    ) -> &'a [u64] {
        match self {
            Self::Table { bits, blocks } => &bits[symbol as usize * blocks..][..*blocks],
            Self::Lists(lists) => {
                spread[first..=last].fill(0);
                let list = &lists[symbol as usize];
                let start = list.partition_point(|&(block, _)| block < first);
                for &(block, mask) in list[start..].iter().take_while(|&&(b, _)| b <= last) {
                    spread[block] = mask;
                }
                spread
            }
        }
    }
}

/// The horizontal difference between two cells of a row, -1, 0 or +1, as two bits.
#[derive(Clone, Copy)]
struct Carry {
    plus: u64,
    minus: u64,
}

impl Carry {
    const UP: Carry = Carry { plus: 1, minus: 0 };

    fn value(self) -> i64 {
        self.plus as i64 - self.minus as i64
    }
}

/// One column step of one 64-row block (Myers 1999 in Hyyrö's block form): updates the
/// vertical differences and returns the horizontal one out of row `out_row` (63, or the
/// pattern's last row in the last block), given the one into the block's top.
#[inline(always)]
fn step(state: &mut (u64, u64), eq: u64, carry: Carry, out_row: u32) -> Carry {
    let (vp, vn) = *state;
    let x = eq | carry.minus;
    let d0 = ((x & vp).wrapping_add(vp) ^ vp) | x | vn;
    let hp = vn | !(d0 | vp);
    let hn = d0 & vp;
    let out = Carry {
        plus: (hp >> out_row) & 1,
        minus: (hn >> out_row) & 1,
    };
    let hp = (hp << 1) | carry.plus;
    let hn = (hn << 1) | carry.minus;
    *state = (hn | !(d0 | hp), hp & d0);
    out
}

/// The textbook table, cell by cell: the reference the fast distances are tested against.
#[cfg(test)]
pub(crate) fn table_distance<T: PartialEq>(a: &[T], b: &[T]) -> u32 {
    let mut prev: Vec<u32> = (0..=b.len() as u32).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i as u32 + 1; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + u32::from(x != y))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(a: &[u32], b: &[u32]) -> u32 {
        table_distance(a, b)
    }

    /// Deterministic pseudo-random sequences: a text over `alphabet` symbols and a copy with
    /// about `rate` percent of positions edited.
    fn pair(len: usize, alphabet: u64, rate: u64, seed: u64) -> (Vec<u32>, Vec<u32>) {
        let mut state = seed | 1;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        let a: Vec<u32> = (0..len).map(|_| next(alphabet) as u32).collect();
        let mut b = Vec::new();
        for &x in &a {
            match next(300) {
                r if r < rate => b.push(next(alphabet) as u32),
                r if r < 2 * rate => {}
                r if r < 3 * rate => b.extend([x, next(alphabet) as u32]),
                _ => b.push(x),
            }
        }
        (a, b)
    }

    #[test]
    fn the_band_gives_the_exact_distance_whatever_the_bound_above_it() {
        for (seed, (len, alphabet, rate)) in [
            (200, 4, 10),
            (300, 30, 30),
            (257, 2, 50),
            (640, 26, 5),
            (129, 3, 100),
        ]
        .into_iter()
        .enumerate()
        {
            let (a, b) = pair(len, alphabet, rate, seed as u64 + 7);
            let exact = table(&a, &b);
            let (da, db, sigma) = dense(&a, &b);
            for slack in [0, 1, 5, 64, 1000] {
                assert_eq!(
                    banded_split(&da, &db, sigma, exact as usize + slack),
                    exact,
                    "len {len}, alphabet {alphabet}, rate {rate}, slack {slack}"
                );
            }
            assert!(upper_bound(&da, &db) >= exact);
        }
    }

    #[test]
    fn long_sequences_match_the_cell_by_cell_table() {
        for (seed, (len, alphabet, rate)) in [(25_000, 27, 15), (21_000, 4, 40), (30_000, 60, 2)]
            .into_iter()
            .enumerate()
        {
            let (a, b) = pair(len, alphabet, rate, seed as u64 + 99);
            let slice = |v: &[u32], n: usize| v[..n.min(v.len())].to_vec();
            // The full table of 25k × 25k is slow in a debug build: compare a prefix with
            // the table and the whole with rapidfuzz, both independent of the band.
            let (pa, pb) = (slice(&a, 3_000), slice(&b, 3_000));
            assert_eq!(banded_split_public(&pa, &pb), table(&pa, &pb));
            assert_eq!(levenshtein(&a, &b), rapidfuzz_distance(&a, &b, 0));
        }
    }

    #[test]
    fn many_small_pairs_match_the_table() {
        for seed in 0..300u64 {
            let len = 1 + (seed * 37 % 260) as usize;
            let alphabet = [2, 3, 5, 26, 300][seed as usize % 5];
            let rate = [0, 3, 20, 80, 150][(seed / 5) as usize % 5];
            let (a, b) = pair(len, alphabet, rate, seed + 1000);
            let exact = table(&a, &b);
            let (da, db, sigma) = dense(&a, &b);
            for slack in [0, 2] {
                assert_eq!(banded_split(&da, &db, sigma, exact as usize + slack), exact);
            }
        }
    }

    #[test]
    fn large_alphabets_keep_lists_and_stay_exact() {
        // Word ids: tens of thousands of distinct symbols, too many for a table.
        let (a, b) = pair(60_000, 40_000, 30, 5);
        let (da, _, sigma) = dense(&a, &b);
        assert!(da.len().div_ceil(64) * sigma > TABLE_WORDS);
        assert_eq!(levenshtein(&a, &b), rapidfuzz_distance(&a, &b, 0));
    }

    fn banded_split_public(a: &[u32], b: &[u32]) -> u32 {
        let (a, b, sigma) = dense(a, b);
        banded_split(&a, &b, sigma, upper_bound(&a, &b) as usize)
    }

    #[test]
    fn unrelated_and_empty_sequences() {
        let a: Vec<u32> = (0..30_000).map(|i| i % 7).collect();
        let b: Vec<u32> = (0..25_000).map(|i| 100 + i % 5).collect();
        assert_eq!(levenshtein(&a, &b), 30_000);
        assert_eq!(levenshtein(&a, &[]), 30_000);
        assert_eq!(levenshtein(&[], &b), 25_000);
        assert_eq!(levenshtein(&a, &a), 0);
    }
}
