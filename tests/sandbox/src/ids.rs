//! Deterministic ids and a tiny seeded PRNG (no rand crate): the same run yields the same ids,
//! trace ids and random faults.

/// SplitMix64 finaliser: a bijection on u64, so distinct inputs give distinct outputs.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded generator (SplitMix64 stream).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.0)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62(mut n: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Counter-based id source. Reset with the state, so a fresh sandbox hands out the same ids.
#[derive(Debug, Default)]
pub struct IdGen {
    counter: u64,
}

impl IdGen {
    /// A 20-character alphanumeric id: one kind letter, 11 scrambled characters, and the counter
    /// in 8 base-62 digits (which keeps ids unique).
    pub fn next(&mut self, kind: char) -> String {
        self.counter += 1;
        let c = self.counter;
        format!("{kind}{}{}", base62(splitmix64(c ^ ((kind as u64) << 40)), 11), base62(c, 8))
    }

    /// A bearer-style secret (OAuth access/refresh tokens): long and opaque.
    pub fn secret(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let c = self.counter;
        format!("{prefix}{}{}{}", base62(splitmix64(c), 11), base62(splitmix64(!c), 11), base62(c, 6))
    }
}

/// A uuid-shaped trace id from a counter.
pub fn trace_id(n: u64) -> String {
    let a = splitmix64(n);
    let b = splitmix64(a ^ 0x5A5A);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        0x8000 | ((b >> 48) as u16 & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_alphanumeric() {
        let mut g = IdGen::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5000 {
            let id = g.next('c');
            assert_eq!(id.len(), 20);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(seen.insert(id));
        }
        assert_eq!(trace_id(1).len(), 36);
        let mut r = Rng::new(42);
        let x = r.next_f64();
        assert!((0.0..1.0).contains(&x));
    }
}
