//! The user password recovered from an owner password (ISO 32000-1,
//! algorithm 7) for the RC4 and AES-128 handlers (revisions 2 to 4).
//!
//! lopdf 0.45 accepts an owner password for these revisions but then
//! derives the file key from it as if it were the user password, so the
//! file "opens" and every stream decrypts to noise (seen with qpdf's
//! AES-128 and RC4 files in tests/documents_pdf.rs). Handing lopdf the user
//! password this recovers makes it derive the right key. Revision 6
//! (AES-256) derives its key from either password and needs none of this.

use md5::{Digest, Md5};

/// The padding string of algorithm 2, step a.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// The user password (PDFDocEncoding bytes, padding removed) that the
/// owner password `owner` unlocks, from the encryption dictionary's `/O`
/// string, `/R` and `/Length` (bits). `None` when the dictionary does not
/// describe a key this can derive; whether the result is right is for the
/// caller to check by authenticating it.
pub(super) fn user_password(
    owner: &[u8],
    o: &[u8],
    revision: i64,
    length_bits: Option<i64>,
) -> Option<Vec<u8>> {
    let len = owner.len().min(32);
    let mut hasher = Md5::new();
    hasher.update(owner.get(..len)?);
    hasher.update(PAD.get(..32 - len)?);
    let mut hash = hasher.finalize();
    if revision >= 3 {
        for _ in 0..50 {
            hash = Md5::digest(hash);
        }
    }
    let key_bytes = if revision >= 3 {
        usize::try_from(length_bits.unwrap_or(40) / 8).ok()?
    } else {
        5
    };
    let key = hash.get(..key_bytes).filter(|k| !k.is_empty())?;
    let mut padded = o.get(..32)?.to_vec();
    if revision >= 3 {
        // Twenty passes, the key XORed with 19 down to 0 (0 leaves it as is).
        for i in (0..=19u8).rev() {
            let pass: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            rc4(&pass, &mut padded);
        }
    } else {
        rc4(key, &mut padded);
    }
    // The password is whatever comes before the padding string resumes.
    let end = (0..=32)
        .find(|&n| padded.get(n..) == PAD.get(..32 - n))
        .unwrap_or(32);
    padded.truncate(end);
    Some(padded)
}

/// RC4 in place; `key` is never empty (checked by the caller).
fn rc4(key: &[u8], data: &mut [u8]) {
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, usize::from(j));
    }
    let (mut i, mut j) = (0u8, 0u8);
    for byte in data {
        i = i.wrapping_add(1);
        j = j.wrapping_add(s[usize::from(i)]);
        s.swap(usize::from(i), usize::from(j));
        *byte ^= s[usize::from(s[usize::from(i)].wrapping_add(s[usize::from(j)]))];
    }
}
