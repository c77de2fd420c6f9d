//! Compressing a batch's raw lines (zstd) on other threads while its records are written.

use super::Compressed;
use custodian_core::ports::RawLines;

/// zstd level 1: the fastest of its standard levels, still about 8:1 on log lines.
const ZSTD_LEVEL: i32 = 1;

/// Compresses every key's lines on a few threads (one fewer than the cores), the largest first
/// so the threads finish together. Each chunk's lines are freed as soon as they are
/// compressed, and each output keeps only its compressed length (zstd's bulk output is sized
/// for the worst case, about the input's size): a week's 250 MB log would otherwise be held
/// twice over at the end.
pub(super) fn compress_all(raw: Vec<RawLines>) -> std::io::Result<Vec<Compressed>> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    // One core is left to the thread writing the records meanwhile: that is the longer job,
    // and compression that takes its core only delays it.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .saturating_sub(1)
        .clamp(1, 4)
        .min(raw.len());
    let count = raw.len();
    let mut chunks: Vec<(usize, RawLines)> = raw.into_iter().enumerate().collect();
    chunks.sort_by_key(|(_, chunk)| std::cmp::Reverse(chunk.lines.len()));
    // Greedy: each next-largest chunk goes to the least-loaded thread.
    let mut shares: Vec<(usize, Vec<(usize, RawLines)>)> =
        (0..threads).map(|_| (0, Vec::new())).collect();
    for chunk in chunks {
        if let Some(share) = shares.iter_mut().min_by_key(|(load, _)| *load) {
            share.0 += chunk.1.lines.len();
            share.1.push(chunk);
        }
    }
    let results: Vec<std::io::Result<Vec<(usize, Compressed)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|(_, share)| {
                scope.spawn(move || -> std::io::Result<Vec<(usize, Compressed)>> {
                    let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
                    share
                        .into_iter()
                        .map(|(i, chunk)| {
                            let mut data = compressor.compress(&chunk.lines)?;
                            data.shrink_to_fit();
                            let compressed = Compressed {
                                line_count: line_count(&chunk.lines),
                                key: chunk.key,
                                day: chunk.day,
                                data,
                            };
                            Ok((i, compressed))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a compression thread failed")))
            })
            .collect()
    });
    let mut all: Vec<(usize, Compressed)> = Vec::with_capacity(count);
    for result in results {
        all.extend(result?);
    }
    if all.len() != count {
        return Err(std::io::Error::other("a chunk was not compressed"));
    }
    // In the order given (by key and day), as the callers expect.
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, compressed)| compressed).collect())
}

/// Lines in newline-joined text (a last line without its newline counts).
fn line_count(lines: &[u8]) -> i64 {
    let newlines = lines.iter().filter(|&&b| b == b'\n').count();
    let partial = usize::from(!lines.is_empty() && !lines.ends_with(b"\n"));
    i64::try_from(newlines + partial).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_monitor::{LocalDay, SubjectKey};

    #[test]
    fn lines_are_counted_with_or_without_a_final_newline() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
    }

    #[test]
    fn every_chunk_is_compressed_and_decompresses_to_its_lines() {
        let raw: Vec<RawLines> = (0..9)
            .map(|i| RawLines {
                key: SubjectKey::Client(format!("10.0.0.{i}")),
                day: LocalDay(20_000 + i),
                lines: format!("line {i}\n")
                    .repeat(100 * (i as usize + 1))
                    .into_bytes(),
            })
            .collect();
        let compressed = compress_all(raw.clone()).unwrap();
        assert_eq!(compressed.len(), raw.len());
        for (chunk, original) in compressed.iter().zip(&raw) {
            assert_eq!(chunk.key, original.key);
            assert_eq!(chunk.day, original.day);
            assert_eq!(
                zstd::decode_all(chunk.data.as_slice()).unwrap(),
                original.lines
            );
        }
    }
}
