//! The compile-time duplicate check of `tools![…]`, `resources![…]` and `prompts![…]`: one
//! constant evaluation over the whole list (a sort of the keys, then one pass), and the message
//! of a duplicate built in a constant buffer, so the list macros emit one constant per entry
//! instead of one per pair.

/// What [`first_occurrences`] gives an entry whose key no earlier entry has.
pub const UNIQUE: usize = usize::MAX;

/// For each key, the index of the first earlier entry with the same key, or [`UNIQUE`].
///
/// Sorts the indices by (key, index) with a heap sort (`O(n log n)` comparisons, no
/// allocation, usable in constants), then walks each run of equal keys.
pub const fn first_occurrences<const N: usize>(keys: &[&str; N]) -> [usize; N] {
    let mut order = [0; N];
    let mut i = 0;
    while i < N {
        order[i] = i;
        i += 1;
    }
    // Heap sort: build a max-heap, then move the largest to the end, one at a time.
    let mut start = N / 2;
    while start > 0 {
        start -= 1;
        sift_down(keys, &mut order, start, N);
    }
    let mut end = N;
    while end > 1 {
        end -= 1;
        let top = order[0];
        order[0] = order[end];
        order[end] = top;
        sift_down(keys, &mut order, 0, end);
    }
    let mut first = [UNIQUE; N];
    let mut k = 1;
    let mut run = 0;
    while k < N {
        if str_eq(keys[order[k]], keys[order[run]]) {
            first[order[k]] = order[run];
        } else {
            run = k;
        }
        k += 1;
    }
    first
}

/// Restores the max-heap property below `root`, in `order[..end]`.
const fn sift_down<const N: usize>(
    keys: &[&str; N],
    order: &mut [usize; N],
    mut root: usize,
    end: usize,
) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(keys, order[child], order[child + 1]) {
            child += 1;
        }
        if !less(keys, order[root], order[child]) {
            return;
        }
        let swap = order[root];
        order[root] = order[child];
        order[child] = swap;
        root = child;
    }
}

/// Whether entry `a` sorts before entry `b`: by key bytes, then by index.
const fn less<const N: usize>(keys: &[&str; N], a: usize, b: usize) -> bool {
    let (x, y) = (keys[a].as_bytes(), keys[b].as_bytes());
    let mut i = 0;
    while i < x.len() && i < y.len() {
        if x[i] != y[i] {
            return x[i] < y[i];
        }
        i += 1;
    }
    if x.len() != y.len() {
        return x.len() < y.len();
    }
    a < b
}

/// Byte equality of two names, usable in constants.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `parts` written one after the other into `buf`, as a string: the message of a duplicate,
/// built in a constant. What does not fit is left out (at a character boundary).
pub const fn concat<'a>(buf: &'a mut [u8], parts: &[&str]) -> &'a str {
    let mut len = 0;
    let mut p = 0;
    while p < parts.len() {
        let bytes = parts[p].as_bytes();
        let mut i = 0;
        while i < bytes.len() && len < buf.len() {
            buf[len] = bytes[i];
            len += 1;
            i += 1;
        }
        p += 1;
    }
    let buf: &'a [u8] = buf;
    let (written, _) = buf.split_at(len);
    match core::str::from_utf8(written) {
        Ok(text) => text,
        Err(error) => {
            let (valid, _) = written.split_at(error.valid_up_to());
            match core::str::from_utf8(valid) {
                Ok(text) => text,
                Err(_) => "",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_occurrences_names_the_earliest_equal_key() {
        const FIRST: [usize; 6] = first_occurrences(&["b", "a", "b", "c", "b", "a"]);
        assert_eq!(FIRST, [UNIQUE, UNIQUE, 0, UNIQUE, 0, 1]);
        assert_eq!(first_occurrences::<0>(&[]), [0usize; 0]);
        assert_eq!(first_occurrences(&["x"]), [UNIQUE]);
        assert_eq!(first_occurrences(&["ab", "a", "abc"]), [UNIQUE; 3]);
    }

    #[test]
    fn first_occurrences_scales_to_a_thousand_keys() {
        let names: Vec<String> = (0..1000)
            .map(|i| format!("tool_{}", (i * 7919) % 1000))
            .collect();
        let mut keys: Vec<&str> = names.iter().map(String::as_str).collect();
        let keys_array: [&str; 1000] = keys.clone().try_into().unwrap();
        assert!(first_occurrences(&keys_array).iter().all(|&i| i == UNIQUE));
        keys[999] = keys[3];
        let keys_array: [&str; 1000] = keys.try_into().unwrap();
        let first = first_occurrences(&keys_array);
        assert_eq!(first[999], 3);
        assert_eq!(first.iter().filter(|&&i| i != UNIQUE).count(), 1);
    }

    #[test]
    fn concat_writes_what_fits_at_a_character_boundary() {
        let mut buf = [0; 32];
        assert_eq!(concat(&mut buf, &["`a` and ", "`b`"]), "`a` and `b`");
        let mut small = [0; 5];
        assert_eq!(concat(&mut small, &["ab", "…"]), "ab…");
        let mut smaller = [0; 4];
        assert_eq!(concat(&mut smaller, &["ab", "…"]), "ab");
    }
}
