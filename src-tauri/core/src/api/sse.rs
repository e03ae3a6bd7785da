//! A server-sent-events parser that cannot be broken by how bytes arrive.
//!
//! We do not use an SSE crate: the parser works on bytes and decodes UTF-8
//! only once per complete line, so a character split across network chunks is
//! never corrupted (line breaks are ASCII and cannot occur inside a UTF-8
//! sequence), and it follows the WHATWG rules exactly: `\n`, `\r\n` and a lone
//! `\r` end lines (a `\r` at a chunk's end waits to see if `\n` follows),
//! comment lines start with `:`, several `data:` lines join with `\n`, and an
//! optional single space after the colon is dropped. It is ~100 lines, tested
//! over every split point of recorded transcripts, and does no work per byte
//! beyond one scan for line breaks.

/// One dispatched event: its `event:` name (default `message`) and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

/// Feed it bytes in any chunking; it yields complete events.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` at the start of the next
    /// chunk belongs to that line break.
    pending_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    /// A line longer than this is a broken stream, not an event.
    max_line: usize,
}

/// The stream broke the protocol badly enough that we stop reading.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SseError {
    #[error("a server-sent event line was longer than {0} bytes")]
    LineTooLong(usize),
}

const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

impl SseParser {
    pub fn new() -> Self {
        Self {
            max_line: DEFAULT_MAX_LINE,
            ..Self::default()
        }
    }

    /// Parses `chunk`, pushing every event it completes onto `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        // An empty chunk must not settle a pending `\r`: the `\n` may follow.
        if chunk.is_empty() {
            return Ok(());
        }
        if self.pending_cr {
            self.pending_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(pos) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&chunk[..pos]);
            let is_cr = chunk[pos] == b'\r';
            chunk = &chunk[pos + 1..];
            if is_cr {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    None => self.pending_cr = true,
                    Some(_) => {}
                }
            }
            self.end_line(out);
        }
        self.line.extend_from_slice(chunk);
        if self.line.len() > self.max_line {
            return Err(SseError::LineTooLong(self.max_line));
        }
        Ok(())
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        // Invalid UTF-8 is replaced, as the SSE spec's decoder does.
        let line = String::from_utf8_lossy(&line);
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (&line[..], ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // `id` and `retry` matter to browsers reconnecting, not to us.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if !self.has_data {
            self.event.clear();
            return;
        }
        let event = if self.event.is_empty() {
            "message".to_owned()
        } else {
            std::mem::take(&mut self.event)
        };
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
        });
        self.has_data = false;
    }

    /// Call at end of stream. Per the spec an unterminated final event is
    /// dropped, but a last line without its newline is still a line.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) {
        if !self.line.is_empty() {
            self.end_line(out);
        }
        self.pending_cr = false;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse_chunks(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c, &mut out).unwrap();
        }
        p.finish(&mut out);
        out
    }

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
        }
    }

    const TRANSCRIPT: &str = ": hello\r\nevent: message_start\r\ndata: {\"a\":\"привет 👋\"}\r\n\r\n\
        event: ping\ndata: {}\n\n\
        data: line1\ndata:line2\rdata:  spaced\r\r\
        event: content_block_delta\ndata: {\"t\":\"日本語\"}\n\n";

    fn expected() -> Vec<SseEvent> {
        vec![
            ev("message_start", "{\"a\":\"привет 👋\"}"),
            ev("ping", "{}"),
            ev("message", "line1\nline2\n spaced"),
            ev("content_block_delta", "{\"t\":\"日本語\"}"),
        ]
    }

    #[test]
    fn whole_transcript() {
        assert_eq!(parse_chunks(&[TRANSCRIPT.as_bytes()]), expected());
    }

    #[test]
    fn every_single_split_point() {
        let bytes = TRANSCRIPT.as_bytes();
        for i in 0..=bytes.len() {
            let got = parse_chunks(&[&bytes[..i], &bytes[i..]]);
            assert_eq!(got, expected(), "split at byte {i}");
        }
    }

    #[test]
    fn every_pair_of_split_points() {
        let bytes = TRANSCRIPT.as_bytes();
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let got = parse_chunks(&[&bytes[..i], &bytes[i..j], &bytes[j..]]);
                assert_eq!(got, expected(), "splits at {i} and {j}");
            }
        }
    }

    #[test]
    fn byte_at_a_time() {
        let chunks: Vec<&[u8]> = TRANSCRIPT.as_bytes().chunks(1).collect();
        assert_eq!(parse_chunks(&chunks), expected());
    }

    #[test]
    fn event_without_data_is_not_dispatched_and_name_resets() {
        let got = parse_chunks(&[b"event: lonely\n\ndata: x\n\n"]);
        assert_eq!(got, vec![ev("message", "x")]);
    }

    #[test]
    fn unterminated_final_event_is_dropped() {
        assert_eq!(
            parse_chunks(&[b"data: a\n\ndata: partial"]),
            vec![ev("message", "a")]
        );
    }

    #[test]
    fn overlong_line_is_an_error() {
        let mut p = SseParser::new();
        p.max_line = 8;
        let mut out = Vec::new();
        assert_eq!(
            p.feed(b"data: 0123456789", &mut out),
            Err(SseError::LineTooLong(8))
        );
    }
}
