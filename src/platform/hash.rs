//! FNV-1a fingerprints: short names for one version of a text (a note's body, a sync plan), not for secrets.

/// The text's 64-bit FNV-1a hash in hex.
pub fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}
