//! A DEFLATE encoder for filtered PNG rows that compresses independent pieces of one zlib
//! stream on several threads.
//!
//! No maintained crate does this: fdeflate (what the `png` crate uses for its fast level)
//! writes one block and cannot end a piece at a byte boundary, and `mtpng` wraps C zlib.
//! The scheme is fdeflate's — PNG rows after the Up filter are mostly small values and runs
//! of zeros, so each byte is a Huffman-coded literal and a run of zeros is a zero followed
//! by a match at distance 1 — but each piece gets its own Huffman code, built from its own
//! symbol counts, and ends with an empty stored block (a sync flush), so pieces concatenate
//! byte-aligned into one stream (as pigz and mtpng assemble theirs).

/// The most bits a Huffman code of a literal/length or distance symbol may have.
const MAX_BITS: usize = 15;
/// The most bits a code of the code-length alphabet may have.
const MAX_CL_BITS: usize = 7;
/// Order in which the code-length code lengths are sent (RFC 1951 3.2.7).
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
/// Base length of length symbols 257..=285 and their extra bits.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// The length symbol (index into the tables above) of a match length 3..=258.
fn length_symbol(len: u16) -> usize {
    match LENGTH_BASE.binary_search(&len) {
        Ok(i) => i,
        Err(i) => i - 1,
    }
}

/// Where the tokens of a piece go: counted (to build a code) or written.
trait Sink {
    fn literal(&mut self, b: u8);
    /// Eight literals at once (the common case).
    fn literals8(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.literal(*b);
        }
    }
    /// A match of `len` (3..=258) at distance 1.
    fn repeat(&mut self, len: u16);
}

/// A run of `run` (≥ 1) zeros: one zero, then matches repeating it.
#[inline(always)]
fn zero_run(sink: &mut impl Sink, run: usize) {
    sink.literal(0);
    let mut rest = run - 1;
    while rest >= 3 {
        let m = rest.min(258);
        sink.repeat(m as u16);
        rest -= m;
    }
    for _ in 0..rest {
        sink.literal(0);
    }
}

/// Feeds `data` to `sink` eight bytes at a time: zeros spanning whole words become runs,
/// other bytes literals (as fdeflate scans).
fn tokenize(data: &[u8], sink: &mut impl Sink) {
    let mut run = 0usize;
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        let v = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        if v == 0 {
            run += 8;
            continue;
        }
        // Little-endian: the low bytes come first in the data.
        let lead = (v.trailing_zeros() / 8) as usize;
        let tail = (v.leading_zeros() / 8) as usize;
        if run + lead > 0 {
            zero_run(sink, run + lead);
        }
        let body = &word[lead..8 - tail];
        if body.len() == 8 {
            sink.literals8(body);
        } else {
            for b in body {
                sink.literal(*b);
            }
        }
        run = tail;
    }
    for b in words.remainder() {
        if *b == 0 {
            run += 1;
        } else {
            if run > 0 {
                zero_run(sink, run);
            }
            run = 0;
            sink.literal(*b);
        }
    }
    if run > 0 {
        zero_run(sink, run);
    }
}

/// Symbol counts of the literal/length alphabet.
struct Counts([u32; 286]);

impl Sink for Counts {
    #[inline]
    fn literal(&mut self, b: u8) {
        self.0[b as usize] += 1;
    }
    #[inline]
    fn repeat(&mut self, len: u16) {
        self.0[257 + length_symbol(len)] += 1;
    }
}

/// Huffman code lengths for `freqs`, no longer than `limit` (symbols of frequency 0 get 0).
fn code_lengths(freqs: &[u32], limit: usize) -> Vec<u8> {
    let mut used: Vec<(u32, usize)> = freqs
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0)
        .map(|(s, f)| (*f, s))
        .collect();
    let mut lengths = vec![0u8; freqs.len()];
    match used.len() {
        0 => return lengths,
        1 => {
            // A complete code needs two codes: the one symbol gets a 1-bit code.
            lengths[used[0].1] = 1;
            return lengths;
        }
        _ => {}
    }
    // Huffman's algorithm on depths: two queues of (weight, node) with leaves sorted.
    used.sort_unstable();
    let n = used.len();
    let mut parent = vec![0usize; 2 * n - 1];
    let mut weight: Vec<u64> = used.iter().map(|(f, _)| u64::from(*f)).collect();
    weight.resize(2 * n - 1, 0);
    let (mut leaf, mut inner, mut next) = (0, n, n);
    let take = |leaf: &mut usize, inner: &mut usize, next: usize, weight: &[u64]| {
        if *leaf < n && (*inner >= next || weight[*leaf] <= weight[*inner]) {
            *leaf += 1;
            *leaf - 1
        } else {
            *inner += 1;
            *inner - 1
        }
    };
    while next < 2 * n - 1 {
        let a = take(&mut leaf, &mut inner, next, &weight);
        let b = take(&mut leaf, &mut inner, next, &weight);
        weight[next] = weight[a] + weight[b];
        parent[a] = next;
        parent[b] = next;
        next += 1;
    }
    // Depth of each leaf, then the count of codes of each length.
    let mut depth = vec![0usize; 2 * n - 1];
    for node in (0..2 * n - 2).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    let max = depth[..n].iter().copied().max().unwrap_or(1);
    let mut count = vec![0usize; max.max(limit) + 1];
    for d in &depth[..n] {
        count[*d] += 1;
    }
    // Limit the lengths keeping Kraft's sum (the JPEG standard's Annex K.3 adjustment).
    for i in (limit + 1..=max).rev() {
        while count[i] > 0 {
            let mut j = i - 2;
            while count[j] == 0 {
                j -= 1;
            }
            count[i] -= 2;
            count[i - 1] += 1;
            count[j + 1] += 2;
            count[j] -= 1;
        }
    }
    // Most frequent symbols get the shortest codes.
    let mut by_freq: Vec<&(u32, usize)> = used.iter().collect();
    by_freq.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut symbols = by_freq.into_iter();
    for (len, c) in count.iter().enumerate().take(limit + 1).skip(1) {
        for _ in 0..*c {
            if let Some((_, s)) = symbols.next() {
                lengths[*s] = len as u8;
            }
        }
    }
    lengths
}

/// Canonical codes for `lengths` (RFC 1951 3.2.2), bit-reversed for LSB-first writing.
fn codes(lengths: &[u8]) -> Vec<u16> {
    let mut count = [0u16; MAX_BITS + 1];
    for l in lengths {
        count[*l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; MAX_BITS + 2];
    let mut code = 0u16;
    for bits in 1..=MAX_BITS {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|l| {
            let l = *l as usize;
            if l == 0 {
                return 0;
            }
            let c = next[l];
            next[l] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

/// Bits written least significant first.
struct BitWriter {
    out: Vec<u8>,
    buffer: u64,
    nbits: u32,
}

impl BitWriter {
    fn with_capacity(bytes: usize) -> BitWriter {
        BitWriter {
            out: Vec::with_capacity(bytes),
            buffer: 0,
            nbits: 0,
        }
    }

    /// Writes the low `n` bits of `bits` (`n` ≤ 64).
    #[inline]
    fn write(&mut self, bits: u64, n: u32) {
        self.buffer |= bits.checked_shl(self.nbits).unwrap_or(0);
        self.nbits += n;
        if self.nbits >= 64 {
            self.out.extend_from_slice(&self.buffer.to_le_bytes());
            self.nbits -= 64;
            self.buffer = bits.checked_shr(n - self.nbits).unwrap_or(0);
        }
    }

    /// Pads to a byte boundary with zero bits and writes out what is buffered.
    fn align(&mut self) {
        let bytes = self.nbits.div_ceil(8);
        for i in 0..bytes {
            self.out.push((self.buffer >> (i * 8)) as u8);
        }
        self.buffer = 0;
        self.nbits = 0;
    }
}

/// A Huffman code of the literal/length alphabet with every symbol present, so it encodes
/// any data (a piece's code is fitted to a sample of the image, not to the piece itself).
pub(crate) struct Code {
    lengths: Vec<u8>,
    /// Per literal byte: the bit-reversed code in the low 16 bits, its length above.
    literal: [u32; 256],
    /// Per symbol: the bit-reversed code and its length.
    codes: Vec<(u64, u32)>,
}

impl Code {
    /// A code fitted to the symbols `sample` produces.
    pub fn fitted(sample: &[u8]) -> Code {
        let mut counts = Counts([0; 286]);
        tokenize(sample, &mut counts);
        // Every symbol at least once: the pieces may hold what the sample did not.
        for c in counts.0.iter_mut() {
            *c = c.saturating_mul(8).saturating_add(1);
        }
        let lengths = code_lengths(&counts.0, MAX_BITS);
        let codes: Vec<(u64, u32)> = codes(&lengths)
            .into_iter()
            .zip(&lengths)
            .map(|(c, l)| (u64::from(c), u32::from(*l)))
            .collect();
        let mut literal = [0u32; 256];
        for (b, l) in literal.iter_mut().enumerate() {
            *l = codes[b].0 as u32 | codes[b].1 << 16;
        }
        Code {
            lengths,
            literal,
            codes,
        }
    }
}

/// Writes tokens with a code, the bit buffer in locals (the hot loop of PNG export).
struct Writer<'a> {
    out: Vec<u8>,
    buffer: u64,
    nbits: u32,
    literal: &'a [u32; 256],
    code: &'a Code,
}

impl Writer<'_> {
    #[inline(always)]
    fn put(&mut self, bits: u64, n: u32) {
        self.buffer |= bits.checked_shl(self.nbits).unwrap_or(0);
        self.nbits += n;
        if self.nbits >= 64 {
            self.out.extend_from_slice(&self.buffer.to_le_bytes());
            self.nbits -= 64;
            self.buffer = bits.checked_shr(n - self.nbits).unwrap_or(0);
        }
    }
}

impl Sink for Writer<'_> {
    #[inline(always)]
    fn literal(&mut self, b: u8) {
        let c = self.literal[b as usize];
        self.put(u64::from(c & 0xFFFF), c >> 16);
    }
    #[inline(always)]
    fn literals8(&mut self, bytes: &[u8]) {
        // Four codes of at most 15 bits fit one 64-bit write.
        let t = self.literal;
        for four in bytes.chunks_exact(4) {
            let (c0, c1, c2, c3) = (
                t[four[0] as usize],
                t[four[1] as usize],
                t[four[2] as usize],
                t[four[3] as usize],
            );
            let (l0, l1, l2) = (c0 >> 16, c1 >> 16, c2 >> 16);
            let bits = u64::from(c0 & 0xFFFF)
                | u64::from(c1 & 0xFFFF) << l0
                | u64::from(c2 & 0xFFFF) << (l0 + l1)
                | u64::from(c3 & 0xFFFF) << (l0 + l1 + l2);
            self.put(bits, l0 + l1 + l2 + (c3 >> 16));
        }
    }
    #[inline(always)]
    fn repeat(&mut self, len: u16) {
        let s = length_symbol(len);
        let (c, l) = self.code.codes[257 + s];
        let extra = u32::from(LENGTH_EXTRA[s]);
        // The length code, its extra bits, and the one-bit distance code (0).
        let bits = c | (u64::from(len - LENGTH_BASE[s]) << l);
        self.put(bits, l + extra + 1);
    }
}

/// Compresses one piece of the stream as a dynamic-Huffman block with `code`; `last` marks
/// the stream's final block, otherwise the piece ends with an empty stored block
/// (byte-aligned, so the next piece follows at a byte boundary).
pub(crate) fn compress_piece(data: &[u8], code: &Code, last: bool) -> Vec<u8> {
    let lit_lengths = &code.lengths;
    // One distance code (distance 1), sent as one bit.
    let dist_lengths = [1u8];
    let hlit = lit_lengths
        .iter()
        .rposition(|l| *l > 0)
        .map_or(257, |i| i + 1)
        .max(257);
    // The code lengths, run-length encoded with symbols 16, 17, 18.
    let mut all: Vec<u8> = lit_lengths[..hlit].to_vec();
    all.extend_from_slice(&dist_lengths);
    let mut rle: Vec<(u8, u8)> = Vec::new(); // (symbol, extra value)
    let mut i = 0;
    while i < all.len() {
        let l = all[i];
        let run = all[i..].iter().take_while(|v| **v == l).count();
        if l == 0 && run >= 3 {
            let r = run.min(138);
            if r >= 11 {
                rle.push((18, (r - 11) as u8));
            } else {
                rle.push((17, (r - 3) as u8));
            }
            i += r;
        } else if l != 0 && run >= 4 {
            rle.push((l, 0));
            let r = (run - 1).min(6);
            rle.push((16, (r - 3) as u8));
            i += 1 + r;
        } else {
            rle.push((l, 0));
            i += 1;
        }
    }
    let mut cl_freq = [0u32; 19];
    for (s, _) in &rle {
        cl_freq[*s as usize] += 1;
    }
    let cl_lengths = code_lengths(&cl_freq, MAX_CL_BITS);
    let cl_codes = codes(&cl_lengths);
    let hclen = CL_ORDER
        .iter()
        .rposition(|s| cl_lengths[*s] > 0)
        .map_or(4, |i| i + 1)
        .max(4);

    let mut w = BitWriter::with_capacity(data.len() / 2 + 1024);
    w.write(u64::from(last), 1);
    w.write(0b10, 2); // dynamic Huffman
    w.write((hlit - 257) as u64, 5);
    w.write(0, 5); // one distance code
    w.write((hclen - 4) as u64, 4);
    for s in &CL_ORDER[..hclen] {
        w.write(u64::from(cl_lengths[*s]), 3);
    }
    for (s, extra) in &rle {
        w.write(
            u64::from(cl_codes[*s as usize]),
            u32::from(cl_lengths[*s as usize]),
        );
        match s {
            16 => w.write(u64::from(*extra), 2),
            17 => w.write(u64::from(*extra), 3),
            18 => w.write(u64::from(*extra), 7),
            _ => {}
        }
    }
    let mut writer = Writer {
        out: w.out,
        buffer: w.buffer,
        nbits: w.nbits,
        literal: &code.literal,
        code,
    };
    tokenize(data, &mut writer);
    let mut w = BitWriter {
        out: writer.out,
        buffer: writer.buffer,
        nbits: writer.nbits,
    };
    let (c, l) = code.codes[256];
    w.write(c, l);
    if !last {
        // An empty stored block: BFINAL 0, BTYPE 00, aligned, LEN 0, NLEN 0xFFFF.
        w.write(0, 3);
        w.align();
        w.out.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
    } else {
        w.align();
    }
    w.out
}

/// The Adler-32 of two concatenated pieces from theirs (zlib's `adler32_combine`).
pub(crate) fn adler32_combine(a1: u32, a2: u32, len2: usize) -> u32 {
    const BASE: u64 = 65521;
    let rem = len2 as u64 % BASE;
    let mut sum1 = u64::from(a1 & 0xffff);
    let mut sum2 = (rem * sum1) % BASE;
    sum1 += u64::from(a2 & 0xffff) + BASE - 1;
    sum2 += u64::from(a1 >> 16) + u64::from(a2 >> 16) + BASE - rem;
    sum1 %= BASE;
    sum2 %= BASE;
    (sum1 | (sum2 << 16)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate(stream: &[u8]) -> Vec<u8> {
        fdeflate::decompress_to_vec(stream).unwrap_or_else(|e| panic!("invalid stream: {e:?}"))
    }

    /// A zlib stream of `pieces`.
    fn zlib(pieces: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let mut adler = 1u32;
        let code = Code::fitted(pieces[0]);
        for (i, p) in pieces.iter().enumerate() {
            out.extend(compress_piece(p, &code, i + 1 == pieces.len()));
            adler = adler32_combine(adler, simd_adler32::adler32(p), p.len());
        }
        out.extend(adler.to_be_bytes());
        out
    }

    #[test]
    fn pieces_concatenate_into_one_stream() {
        let mut r = 12345u32;
        let mut noise = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    r = r.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    // Small values and runs of zeros, like filtered rows.
                    if (r >> 16).is_multiple_of(3) {
                        0
                    } else {
                        (r >> 24) as u8 % 9
                    }
                })
                .collect()
        };
        let a = noise(10_000);
        let b = vec![0u8; 5_000];
        let c = noise(777);
        let whole: Vec<u8> = [a.clone(), b.clone(), c.clone()].concat();
        assert_eq!(inflate(&zlib(&[&a, &b, &c])), whole);
        assert_eq!(inflate(&zlib(&[&whole])), whole);
        // Every byte value, every run length around the match limits.
        let mut edge: Vec<u8> = (0..=255).collect();
        for run in [1, 2, 3, 4, 257, 258, 259, 260, 261, 516, 517] {
            edge.extend(std::iter::repeat_n(0, run));
            edge.push(7);
        }
        assert_eq!(
            inflate(&zlib(&[&edge, &[1]])),
            [edge.clone(), vec![1]].concat()
        );
        assert_eq!(inflate(&zlib(&[&[0]])), [0]);
    }

    #[test]
    fn skewed_counts_stay_within_fifteen_bits() {
        // Fibonacci frequencies force a Huffman tree far deeper than 15.
        let mut f = vec![0u32; 286];
        let (mut x, mut y) = (1u32, 1u32);
        for v in f.iter_mut().take(30) {
            *v = x;
            (x, y) = (y, x.saturating_add(y));
        }
        let l = code_lengths(&f, MAX_BITS);
        assert!(l.iter().all(|l| *l as usize <= MAX_BITS));
        let kraft: f64 = l
            .iter()
            .filter(|l| **l > 0)
            .map(|l| 0.5f64.powi(i32::from(*l)))
            .sum();
        assert!((kraft - 1.0).abs() < 1e-9, "a complete code: {kraft}");
    }

    #[test]
    fn adler_combines() {
        let (a, b) = (b"hello ".as_slice(), b"world".as_slice());
        let joined = [a, b].concat();
        let whole = simd_adler32::adler32(&joined.as_slice());
        let combined = adler32_combine(
            simd_adler32::adler32(&a),
            simd_adler32::adler32(&b),
            b.len(),
        );
        assert_eq!(combined, whole);
    }
}
