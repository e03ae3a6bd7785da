//! Scripted, deterministic replies chosen by `[[markers]]` in the prompt,
//! planned as token-sized chunks so the streamed and the non-streamed
//! message are the same message.

use serde_json::{Value, json};

use crate::tokens;
use crate::validate::MessageRequest;

const MARKDOWN: &str = include_str!("markdown_reply.md");
const TOOL_PREAMBLE: &str = "Let me look that up.";
const DEFAULT_TOOL: &str = "get_weather";
/// Caps `[[long:N]]` so a typo cannot make the mock build gigabytes.
const MAX_LONG_WORDS: usize = 200_000;
/// Caps `[[markdown:N]]` the same way (about 600 tokens each).
const MAX_MARKDOWN_TIMES: usize = 1_000;

/// The markers found in the last user message.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Markers {
    pub markdown: bool,
    /// `[[markdown:N]]`: the tour N times over (a long answer of every shape).
    pub markdown_times: usize,
    pub tool: bool,
    pub thinking: bool,
    pub long: Option<usize>,
    /// `[[code:N]]`: one fenced Rust block of N lines.
    pub code: Option<usize>,
    /// `[[line:N]]`: one paragraph of N words on a single line.
    pub line: Option<usize>,
    pub rate: Option<f64>,
    pub fault: Option<String>,
}

impl Markers {
    pub fn parse(text: &str) -> Markers {
        let mut m = Markers::default();
        let mut rest = text;
        while let Some(start) = rest.find("[[") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("]]") else { break };
            let inner = &after[..end];
            let (name, arg) = match inner.split_once(':') {
                Some((n, a)) => (n.trim(), Some(a.trim())),
                None => (inner.trim(), None),
            };
            match (name, arg) {
                ("markdown", None) => {
                    m.markdown = true;
                    m.markdown_times = 1;
                }
                ("markdown", Some(n)) => {
                    m.markdown = true;
                    m.markdown_times = n.parse::<usize>().unwrap_or(1).clamp(1, MAX_MARKDOWN_TIMES);
                }
                ("tool", None) => m.tool = true,
                ("thinking", None) => m.thinking = true,
                ("long", Some(n)) => {
                    m.long = n.parse::<usize>().ok().map(|n| n.min(MAX_LONG_WORDS))
                }
                ("code", Some(n)) => {
                    m.code = n.parse::<usize>().ok().map(|n| n.min(MAX_LONG_WORDS))
                }
                ("line", Some(n)) => {
                    m.line = n.parse::<usize>().ok().map(|n| n.min(MAX_LONG_WORDS))
                }
                ("rate", Some(r)) => m.rate = parse_rate(r),
                ("fault", Some(spec)) if m.fault.is_none() => m.fault = Some(spec.to_owned()),
                _ => {}
            }
            rest = &after[end + 2..];
        }
        m
    }
}

/// The tour once, or `times` tours each headed by "Part k." (the numbered
/// parts the request log times: `RequestRecord::parts_written_ms`).
fn markdown_tour(times: usize) -> String {
    if times <= 1 {
        return MARKDOWN.to_owned();
    }
    (1..=times)
        .map(|k| format!("Part {k}.\n\n{MARKDOWN}\n"))
        .collect()
}

pub fn parse_rate(raw: &str) -> Option<f64> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r >= 0.0)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Text {
        chunks: Vec<String>,
    },
    Thinking {
        chunks: Vec<String>,
        signature: String,
    },
    /// `pieces` are the `partial_json` deltas; the first is `""` as Anthropic sends it.
    ToolUse {
        id: String,
        name: String,
        input: Value,
        pieces: Vec<String>,
    },
}

impl Block {
    /// How many output tokens the block costs: one per non-empty delta.
    fn cost(&self) -> u64 {
        match self {
            Block::Text { chunks } | Block::Thinking { chunks, .. } => chunks.len() as u64,
            Block::ToolUse { pieces, .. } => pieces.iter().filter(|p| !p.is_empty()).count() as u64,
        }
    }

    /// The block as it appears in a non-streamed message.
    pub fn to_json(&self) -> Value {
        match self {
            Block::Text { chunks } => json!({"type": "text", "text": chunks.concat()}),
            Block::Thinking { chunks, signature } => {
                json!({"type": "thinking", "thinking": chunks.concat(), "signature": signature})
            }
            Block::ToolUse {
                id, name, input, ..
            } => {
                json!({"type": "tool_use", "id": id, "name": name, "input": input})
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: String,
    pub model: String,
    pub blocks: Vec<Block>,
    pub stop_reason: &'static str,
    pub stop_sequence: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Reply {
    pub fn usage(&self, output_tokens: u64) -> Value {
        json!({
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": output_tokens,
        })
    }

    /// The message envelope; `content` and the stop fields are left empty
    /// for `message_start`.
    pub fn message(&self, complete: bool) -> Value {
        let (content, stop_reason, stop_sequence, output) = if complete {
            let content: Vec<Value> = self.blocks.iter().map(Block::to_json).collect();
            (
                content,
                json!(self.stop_reason),
                json!(self.stop_sequence),
                self.output_tokens,
            )
        } else {
            (Vec::new(), Value::Null, Value::Null, 1)
        };
        json!({
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "usage": self.usage(output),
        })
    }
}

/// Plans the whole reply for a validated request. `n` numbers the ids.
pub fn plan(req: &MessageRequest, n: u64) -> Reply {
    let markers = Markers::parse(&req.last_user_text);
    let mut raw: Vec<Raw> = Vec::new();
    if markers.thinking || req.thinking {
        raw.push(Raw::Thinking(thinking_text(&req.last_user_text)));
    }
    if markers.tool {
        raw.push(Raw::Text(TOOL_PREAMBLE.to_owned()));
        raw.push(Raw::Tool);
    } else if markers.markdown {
        raw.push(Raw::Text(markdown_tour(markers.markdown_times)));
    } else if let Some(words) = markers.long {
        raw.push(Raw::Text(long_prose(words)));
    } else if let Some(lines) = markers.code {
        raw.push(Raw::Text(long_code(lines)));
    } else if let Some(words) = markers.line {
        raw.push(Raw::Text(long_prose(words).replace('\n', " ")));
    } else {
        raw.push(Raw::Text(format!("Echo: {}", req.last_user_text)));
    }
    // A prefilled reply picks up where the prefill ends: the scripted text
    // minus what the prefill already says, so stop + continue gives the
    // same text as one uninterrupted reply.
    if let Some(prefill) = &req.prefill {
        raw.retain(|r| !matches!(r, Raw::Thinking(_)));
        if let Some(Raw::Text(t)) = raw.first_mut()
            && let Some(rest) = t.strip_prefix(prefill.as_str())
        {
            *t = rest.to_owned();
        }
    }

    let mut stop_reason = if markers.tool { "tool_use" } else { "end_turn" };
    let mut stop_sequence = None;

    // The model stops generating at a stop sequence: cut the text there and
    // drop whatever would have come after it.
    if let Some((i, at, seq)) = first_stop(&raw, &req.stop_sequences) {
        if let Raw::Text(t) = &mut raw[i] {
            t.truncate(at);
        }
        raw.truncate(i + 1);
        stop_reason = "stop_sequence";
        stop_sequence = Some(seq);
    }

    let mut blocks: Vec<Block> = raw.into_iter().map(|r| r.into_block(req, n)).collect();

    // max_tokens: chunks are tokens; a tool call either fits whole or is
    // dropped (a half-written call would be useless to the client anyway).
    let mut budget = req.max_tokens.unwrap_or(u64::MAX);
    let mut kept = Vec::with_capacity(blocks.len());
    let mut cut = false;
    for mut block in blocks.drain(..) {
        if budget == 0 {
            cut = true;
            break;
        }
        let cost = block.cost();
        if cost <= budget {
            budget -= cost;
            kept.push(block);
            continue;
        }
        cut = true;
        match &mut block {
            Block::Text { chunks } | Block::Thinking { chunks, .. } => {
                chunks.truncate(budget as usize);
                kept.push(block);
            }
            Block::ToolUse { .. } => {}
        }
        break;
    }
    if cut {
        stop_reason = "max_tokens";
        stop_sequence = None;
    }

    let output_tokens = kept.iter().map(Block::cost).sum();
    Reply {
        id: format!("msg_mock_{n}"),
        model: req.model.clone(),
        blocks: kept,
        stop_reason,
        stop_sequence,
        input_tokens: req.input_tokens,
        output_tokens,
    }
}

enum Raw {
    Thinking(String),
    Text(String),
    Tool,
}

impl Raw {
    fn into_block(self, req: &MessageRequest, n: u64) -> Block {
        match self {
            Raw::Text(t) => Block::Text {
                chunks: tokens::chunks(&t),
            },
            Raw::Thinking(t) => {
                let signature = signature(&t);
                Block::Thinking {
                    chunks: tokens::chunks(&t),
                    signature,
                }
            }
            Raw::Tool => {
                let input = json!({"location": "Paris, France", "unit": "celsius"});
                let mut pieces = vec![String::new()];
                pieces.extend(tokens::split_chars(&input.to_string(), 7));
                Block::ToolUse {
                    id: format!("toolu_mock_{n}"),
                    name: req
                        .first_tool
                        .clone()
                        .unwrap_or_else(|| DEFAULT_TOOL.to_owned()),
                    input,
                    pieces,
                }
            }
        }
    }
}

/// (block index, byte offset, sequence) of the earliest stop sequence in
/// the text blocks.
fn first_stop(raw: &[Raw], stops: &[String]) -> Option<(usize, usize, String)> {
    raw.iter().enumerate().find_map(|(i, r)| {
        let Raw::Text(text) = r else { return None };
        stops
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| text.find(s.as_str()).map(|at| (at, s)))
            .min_by_key(|(at, _)| *at)
            .map(|(at, s)| (i, at, s.clone()))
    })
}

fn thinking_text(prompt: &str) -> String {
    format!(
        "The user wrote {} characters. Let me think about this step by step. \
         First, I should understand what is being asked. Then I will consider \
         the relevant facts, check them against each other, and only then write \
         a clear, well-structured answer.",
        prompt.chars().count()
    )
}

/// Deterministic stand-in for Anthropic's opaque signature: looks like
/// base64, is stable for the same thinking text.
fn signature(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("EqMock");
    for i in 0..64u64 {
        for b in text.bytes().chain(i.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push(char::from(ALPHABET[(h % 64) as usize]));
    }
    out.push_str("==");
    out
}

const WORDS: &[&str] = &[
    "river",
    "lantern",
    "quiet",
    "mountain",
    "harbor",
    "copper",
    "meadow",
    "signal",
    "orchard",
    "winter",
    "compass",
    "ember",
    "thread",
    "island",
    "morning",
    "stone",
    "window",
    "garden",
    "echo",
    "silver",
    "journey",
    "candle",
    "forest",
    "bridge",
    "letter",
    "violet",
    "horizon",
    "market",
    "shadow",
    "feather",
    "tide",
    "story",
    "engine",
    "cloud",
    "valley",
    "whisper",
    "amber",
    "station",
    "meridian",
    "pebble",
    "falcon",
    "library",
    "storm",
    "ribbon",
    "canyon",
    "marble",
    "glacier",
    "velvet",
    "beacon",
    "prairie",
    "tunnel",
    "saffron",
    "cobalt",
    "lighthouse",
    "the",
    "a",
    "of",
    "and",
    "through",
    "beneath",
    "toward",
    "with",
    "slowly",
    "bright",
];

/// A fenced Rust block of `lines` numbered lines, with characters that
/// need escaping, between a sentence before and after.
pub fn long_code(lines: usize) -> String {
    let mut out = String::from("Here is the code:\n\n```rust\n");
    for i in 0..lines {
        out.push_str(&format!("let v{i} = \"<{i}> & more\";\n"));
    }
    out.push_str("```\n\nThat is all.");
    out
}

/// `words` words of varied, deterministic prose: sentences of 6-15 words,
/// a paragraph break every 60 words.
pub fn long_prose(words: usize) -> String {
    let mut out = String::with_capacity(words * 8);
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut sentence_left = 0;
    for i in 0..words {
        if i > 0 {
            out.push_str(if i % 60 == 0 { "\n\n" } else { " " });
        }
        let word = WORDS[next() % WORDS.len()];
        if sentence_left == 0 {
            sentence_left = 6 + next() % 10;
            let mut cs = word.chars();
            if let Some(first) = cs.next() {
                out.extend(first.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(word);
        }
        sentence_left -= 1;
        if sentence_left == 0 || i + 1 == words || (i + 1) % 60 == 0 {
            out.push('.');
            sentence_left = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let m = Markers::parse("hi [[tool]] [[rate:12.5]] [[long:30]] [[fault:429 times=1]]");
        assert!(m.tool && !m.markdown);
        assert_eq!(m.rate, Some(12.5));
        assert_eq!(m.long, Some(30));
        assert_eq!(m.fault.as_deref(), Some("429 times=1"));
    }

    #[test]
    fn markdown_takes_a_count() {
        let once = Markers::parse("[[markdown]]");
        assert!(once.markdown);
        assert_eq!(once.markdown_times, 1);
        assert_eq!(Markers::parse("[[markdown:170]]").markdown_times, 170);
        assert_eq!(Markers::parse("[[markdown:0]]").markdown_times, 1);
        assert_eq!(
            Markers::parse("[[markdown:9999999]]").markdown_times,
            MAX_MARKDOWN_TIMES
        );
        assert_eq!(Markers::parse("[[markdown:many]]").markdown_times, 1);
    }

    #[test]
    fn a_repeated_tour_numbers_its_parts() {
        assert_eq!(markdown_tour(1), MARKDOWN);
        let three = markdown_tour(3);
        assert_eq!(three.matches("# A tour of Markdown").count(), 3);
        assert!(three.starts_with("Part 1.\n\n# A tour"));
        assert!(three.contains("Part 2.\n\n") && three.contains("Part 3.\n\n"));
    }

    #[test]
    fn long_prose_counts_words() {
        let text = long_prose(130);
        assert_eq!(text.split_whitespace().count(), 130);
        assert_eq!(text.matches("\n\n").count(), 2);
        assert_eq!(text, long_prose(130), "deterministic");
    }

    #[test]
    fn markdown_reply_has_what_renderers_need() {
        for needle in [
            "# ",
            "**",
            "`",
            "](",
            "| ",
            "```rust",
            "```python",
            "> ",
            "1. ",
            "  - ",
            "Привет",
            "🚀",
        ] {
            assert!(MARKDOWN.contains(needle), "{needle}");
        }
        assert!(
            (2000..=3500).contains(&MARKDOWN.len()),
            "{}",
            MARKDOWN.len()
        );
    }
}
