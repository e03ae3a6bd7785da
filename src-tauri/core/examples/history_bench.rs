//! Scale benchmark of the history store (not a test: it prints figures).
//!
//! Generates a synthetic history (mixed Russian and English, realistic
//! lengths, a few very long conversations) into a temporary folder, then
//! measures what a user waits for: the first page of the list, search as you
//! type, opening a long conversation, and start-up on a big history against
//! an empty one. See `scripts/bench/history.sh` and `docs/HISTORY.md`.
//!
//!     cargo run --release -p megallm-core --example history_bench -- \
//!         --conversations 100000 --messages 1000000

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use megallm_core::api::types::Usage;
use megallm_core::store::{
    ConversationId, FinishMessage, ListQuery, MessageId, MessageStatus, NewConversation,
    NewMessage, Role, SamplingSettings, SearchQuery, Store,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

type Res<T> = Result<T, Box<dyn Error>>;

struct Args {
    conversations: usize,
    messages: usize,
    big: usize,
    big_size: usize,
    repeats: usize,
    queries: usize,
    dir: Option<PathBuf>,
    seed: u64,
    reuse: bool,
    window: Option<u32>,
    /// The `megallm` binary: also time a whole process start-up.
    cli: Option<PathBuf>,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        conversations: 100_000,
        messages: 1_000_000,
        big: 3,
        big_size: 10_000,
        repeats: 31,
        queries: 100,
        dir: None,
        seed: 42,
        reuse: false,
        window: None,
        cli: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--conversations" => a.conversations = value()?.parse()?,
            "--messages" => a.messages = value()?.parse()?,
            "--big" => a.big = value()?.parse()?,
            "--big-size" => a.big_size = value()?.parse()?,
            "--repeats" => a.repeats = value()?.parse()?,
            "--queries" => a.queries = value()?.parse()?,
            "--dir" => a.dir = Some(PathBuf::from(value()?)),
            "--seed" => a.seed = value()?.parse()?,
            "--reuse" => a.reuse = true,
            "--window" => a.window = Some(value()?.parse()?),
            "--cli" => a.cli = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!(
                    "history_bench [--conversations N] [--messages N] [--big N] [--big-size N]\n\
                     \x20             [--repeats N] [--queries N] [--dir PATH] [--seed N]\n\
                     \x20             [--reuse] [--window N] [--cli PATH]\n\
                     --big conversations of --big-size messages are included in --messages.\n\
                     --reuse measures the history already in --dir (same sizes and seed).\n\
                     --window sets Store::set_search_window.\n\
                     --cli PATH also times `megallm history list` start to exit on each history."
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    if a.big * a.big_size > a.messages || a.conversations <= a.big {
        return Err(
            "--messages must cover the big conversations, and --conversations exceed --big".into(),
        );
    }
    Ok(a)
}

/// Deterministic vocabularies with a long tail, like real text: a few
/// hundred frequent words and thousands of rarer ones.
struct Vocab {
    en: Vec<String>,
    ru: Vec<String>,
}

const EN_COMMON: &str = "the be to of and a in that have it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us is are was were has had been did said code data file error function value model user system test build server client request response message token memory thread async query index table search result type string number list page bread coffee music travel weather history science market money health sleep running garden kitchen recipe language review summary question answer example problem solution design release version update performance database network security";
const RU_COMMON: &str = "и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год от так о для ты же все тот мочь вы человек такой его сказать только или ещё бы себя один как уже до время если сам когда другой вот говорить наш мой знать стать при чтобы дело жизнь кто первый очень два день её новый рука даже во со раз где там под можно ну какой после их работа без самый потом надо хотеть ли слово идти большой должен место иметь ничто код данные файл ошибка функция значение модель пользователь система тест сборка сервер клиент запрос ответ сообщение память поток запрос индекс таблица поиск результат тип строка число список страница хлеб кофе музыка путешествие погода история наука рынок деньги здоровье сон бег сад кухня рецепт язык обзор вопрос пример задача решение дизайн выпуск версия обновление скорость база сеть безопасность привет спасибо пожалуйста";

fn pseudo_words(rng: &mut StdRng, consonants: &[&str], vowels: &[&str], n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let syllables = rng.random_range(2..=4);
            (0..syllables)
                .map(|_| {
                    format!(
                        "{}{}",
                        consonants[rng.random_range(0..consonants.len())],
                        vowels[rng.random_range(0..vowels.len())]
                    )
                })
                .collect::<String>()
        })
        .collect()
}

impl Vocab {
    fn new(rng: &mut StdRng) -> Self {
        let mut en: Vec<String> = EN_COMMON.split_whitespace().map(str::to_owned).collect();
        en.extend(pseudo_words(
            rng,
            &[
                "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
                "st", "tr", "ch", "sh",
            ],
            &["a", "e", "i", "o", "u", "ea", "io"],
            6000,
        ));
        let mut ru: Vec<String> = RU_COMMON.split_whitespace().map(str::to_owned).collect();
        ru.extend(pseudo_words(
            rng,
            &[
                "б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х",
                "ч", "ш", "ст", "пр",
            ],
            &["а", "е", "и", "о", "у", "ы", "я", "ю", "ё"],
            6000,
        ));
        Self { en, ru }
    }

    /// Zipf-like: low ranks far more often than high ones.
    fn word<'a>(&'a self, rng: &mut StdRng, ru: bool) -> &'a str {
        let list = if ru { &self.ru } else { &self.en };
        let r: f64 = rng.random();
        let i = ((list.len() as f64) * r.powf(3.0)) as usize;
        &list[i.min(list.len() - 1)]
    }

    fn text(&self, rng: &mut StdRng, lang: u8, words: usize) -> String {
        let mut s = String::with_capacity(words * 8);
        for i in 0..words {
            // lang 0: English, 1: Russian, 2: mixed within the message.
            let ru = match lang {
                0 => false,
                1 => true,
                _ => rng.random_bool(0.5),
            };
            if i > 0 {
                s.push(if i % 11 == 0 { '\n' } else { ' ' });
            }
            s.push_str(self.word(rng, ru));
            if i % 9 == 8 {
                s.push('.');
            }
        }
        s
    }
}

/// Realistic lengths in words: short questions, longer answers, a tail.
fn length(rng: &mut StdRng, role: Role) -> usize {
    let r: f64 = rng.random();
    match role {
        Role::User => 4 + (r.powf(2.0) * 80.0) as usize,
        Role::Assistant => 20 + (r.powf(1.5) * 350.0) as usize,
    }
}

const YEAR: i64 = 365 * 86_400_000;
const START: i64 = 1_672_531_200_000; // 2023-01-01

struct Generated {
    big_ids: Vec<ConversationId>,
}

fn generate(path: &Path, a: &Args, rng: &mut StdRng, vocab: &Vocab) -> Res<Generated> {
    let mut store = Store::open(path)?;
    let clock = Arc::new(AtomicI64::new(START));
    let c = clock.clone();
    store.set_clock(move || c.load(Ordering::Relaxed));

    // Message counts: the big ones, then the rest spread unevenly.
    let normal = a.conversations - a.big;
    let rest = a.messages - a.big * a.big_size;
    let avg = rest as f64 / normal as f64;
    let mut plan: Vec<(usize, bool)> = (0..normal)
        .map(|_| {
            let r: f64 = rng.random();
            (((avg * 2.0 * r).round() as usize).max(1), false)
        })
        .collect();
    // Fix the total exactly.
    let mut total: usize = plan.iter().map(|p| p.0).sum();
    let mut i = 0;
    while total != rest {
        let k = i % normal;
        if total > rest && plan[k].0 > 1 {
            plan[k].0 -= 1;
            total -= 1;
        } else if total < rest {
            plan[k].0 += 1;
            total += 1;
        }
        i += 1;
    }
    // The big ones sit at random places in time.
    for _ in 0..a.big {
        let at = rng.random_range(0..plan.len());
        plan.insert(at, (a.big_size, true));
    }

    let started = Instant::now();
    let mut written = 0usize;
    let mut next_report = a.messages / 20;
    let mut big_ids = Vec::new();
    let step = (2 * YEAR) / a.conversations as i64;
    let mut ci = 0;
    let batch_msgs = 20_000;
    while ci < plan.len() {
        store.batch(|s| {
            let mut in_batch = 0;
            while ci < plan.len() && in_batch < batch_msgs {
                let (n, is_big) = plan[ci];
                let t = START + ci as i64 * step;
                clock.store(t, Ordering::Relaxed);
                let lang = rng.random_range(0..10u8);
                let lang = if lang < 5 {
                    1
                } else if lang < 9 {
                    0
                } else {
                    2
                };
                let model = [
                    "claude-sonnet-4",
                    "claude-3.7-sonnet",
                    "claude-opus-4-1-20250805",
                ][rng.random_range(0..3)];
                let title_words = rng.random_range(2..7);
                let title = vocab.text(rng, lang, title_words);
                let id = s.create_conversation(&NewConversation {
                    title,
                    model: model.to_owned(),
                    system_prompt: None,
                    sampling: SamplingSettings::default(),
                })?;
                if is_big {
                    big_ids.push(id);
                }
                let mut parent: Option<MessageId> = None;
                for k in 0..n {
                    let role = if k % 2 == 0 {
                        Role::User
                    } else {
                        Role::Assistant
                    };
                    let words = length(rng, role);
                    let text = vocab.text(rng, lang, words);
                    clock.store(t + k as i64 * 30_000, Ordering::Relaxed);
                    // One reply in ten goes through streaming + finish, so
                    // usage records and the update trigger are exercised.
                    let streamed = role == Role::Assistant && rng.random_bool(0.1);
                    let mid = s.append_message(&NewMessage {
                        conversation_id: id,
                        parent_id: parent,
                        role,
                        content: json!([{"type": "text", "text": text}]),
                        text: if streamed {
                            String::new()
                        } else {
                            text.clone()
                        },
                        model: (role == Role::Assistant).then(|| model.to_owned()),
                        status: if streamed {
                            MessageStatus::Streaming
                        } else {
                            MessageStatus::Complete
                        },
                    })?;
                    if streamed {
                        s.finish_message(
                            mid,
                            &FinishMessage {
                                content: json!([{"type": "text", "text": text}]),
                                text,
                                status: MessageStatus::Complete,
                                stop_reason: Some("end_turn".into()),
                                usage: Some(Usage {
                                    input_tokens: 200 + k as u64 * 50,
                                    output_tokens: words as u64 * 2,
                                    cache_creation_input_tokens: None,
                                    cache_read_input_tokens: None,
                                }),
                                error: None,
                            },
                        )?;
                    }
                    parent = Some(mid);
                }
                let r: f64 = if is_big { 1.0 } else { rng.random() };
                if r < 0.01 {
                    s.set_pinned(id, true)?;
                } else if r < 0.06 {
                    s.set_archived(id, true)?;
                } else if r < 0.065 {
                    s.delete_conversation(id)?;
                }
                written += n;
                in_batch += n;
                ci += 1;
            }
            Ok(())
        })?;
        if written >= next_report || ci == plan.len() {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "  generated {written}/{} messages, {ci}/{} conversations, {:.0} s ({:.0} msg/s)",
                a.messages,
                plan.len(),
                secs,
                written as f64 / secs.max(1e-9)
            );
            next_report = written + a.messages / 20;
        }
    }
    // Replies cut off by a "crash", for recovery at start-up to find.
    let leaf = store.current_leaf(big_ids.first().copied().unwrap_or(1))?;
    for _ in 0..5 {
        let cid = big_ids.first().copied().unwrap_or(1);
        store.append_message(&NewMessage {
            conversation_id: cid,
            parent_id: leaf,
            role: Role::Assistant,
            content: json!([]),
            text: "partial".into(),
            model: None,
            status: MessageStatus::Streaming,
        })?;
    }
    Ok(Generated { big_ids })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn time<T>(f: impl FnOnce() -> Res<T>) -> Res<(Duration, T)> {
    let t = Instant::now();
    let v = f()?;
    Ok((t.elapsed(), v))
}

/// Start-up as the app does it: open (migrations check), recover, list.
/// Returns the whole and the `Store::open` part.
fn startup(path: &Path) -> Res<(Duration, Duration)> {
    let t = Instant::now();
    let mut s = Store::open(path)?;
    let opened = t.elapsed();
    s.recover_interrupted()?;
    let page = s.list_conversations(&ListQuery {
        archived: false,
        limit: 50,
        cursor: None,
    })?;
    let total = t.elapsed();
    drop(page);
    Ok((total, opened))
}

/// A whole program start on each history: spawn `megallm history list`
/// (open the store, read the first page, print it, exit), interleaved,
/// medians. This is what a user waits for, process start included.
fn process_startup(
    cli: &Path,
    big_dir: &Path,
    empty_dir: &Path,
    repeats: usize,
) -> Res<(Duration, Duration)> {
    let run = |data: &Path| -> Res<Duration> {
        let t = Instant::now();
        let out = std::process::Command::new(cli)
            .args(["history", "list"])
            .env("MEGALLM_DATA_DIR", data)
            .stdout(std::process::Stdio::null())
            .output()?;
        let took = t.elapsed();
        if !out.status.success() {
            return Err(format!(
                "{} history list failed: {}",
                cli.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(took)
    };
    run(big_dir)?;
    run(empty_dir)?;
    let (mut big, mut empty) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        big.push(run(big_dir)?);
        empty.push(run(empty_dir)?);
    }
    Ok((median(big), median(empty)))
}

fn queries(rng: &mut StdRng, vocab: &Vocab, n: usize) -> Vec<String> {
    // Users search for distinctive words, so terms come from the whole
    // vocabulary uniformly, not weighted by frequency; a third are
    // prefixes being typed, some are upper case, some two words.
    (0..n)
        .map(|i| {
            let ru = i % 2 == 0;
            let list = if ru { &vocab.ru } else { &vocab.en };
            let mut w = list[rng.random_range(0..list.len())].clone();
            match i % 6 {
                0 | 3 => {
                    let keep = w.chars().count().clamp(2, rng.random_range(3..6));
                    w = w.chars().take(keep).collect();
                }
                1 => w = w.to_uppercase(),
                2 => {
                    let other = &list[rng.random_range(0..list.len())];
                    w = format!("{w} {}", &other.chars().take(4).collect::<String>());
                }
                _ => {}
            }
            w
        })
        .collect()
}

fn main() -> Res<()> {
    let a = parse_args()?;
    let tmp = tempfile::tempdir()?;
    let dir = a.dir.clone().unwrap_or_else(|| tmp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    // Each history in a data folder of its own, as the app and CLI find it.
    let (big_dir, empty_dir) = (dir.join("big"), dir.join("empty"));
    std::fs::create_dir_all(&big_dir)?;
    std::fs::create_dir_all(&empty_dir)?;
    let big_path = big_dir.join("history.db");
    let empty_path = empty_dir.join("history.db");
    let mut rng = StdRng::seed_from_u64(a.seed);
    let vocab = Vocab::new(&mut rng);

    println!(
        "history_bench: {} conversations, {} messages ({} of {} messages), repeats {}",
        a.conversations, a.messages, a.big, a.big_size, a.repeats
    );
    let generated = if a.reuse && big_path.exists() {
        println!("reusing {}", big_path.display());
        let s = Store::open(&big_path)?;
        // The big conversations are the ones with --big-size messages.
        let mut big_ids = Vec::new();
        let mut cursor = None;
        loop {
            let page = s.list_conversations(&ListQuery {
                archived: false,
                limit: 500,
                cursor,
            })?;
            big_ids.extend(
                page.items
                    .iter()
                    .filter(|c| c.message_count as usize >= a.big_size)
                    .map(|c| c.id),
            );
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Generated { big_ids }
    } else {
        let _ = std::fs::remove_file(&big_path);
        let (gen_time, generated) = time(|| generate(&big_path, &a, &mut rng, &vocab))?;
        println!("generated in {:.1} s", gen_time.as_secs_f64());
        generated
    };
    let size = std::fs::metadata(&big_path)?.len();
    println!("database {:.1} MB", size as f64 / 1e6);
    drop(Store::open(&empty_path)?);

    // Start-up: big vs empty, interleaved so drift hits both alike.
    startup(&big_path)?; // the first one recovers the "crashed" replies
    startup(&empty_path)?;
    let (mut big_t, mut empty_t) = (Vec::new(), Vec::new());
    let (mut big_open, mut empty_open) = (Vec::new(), Vec::new());
    for _ in 0..a.repeats {
        let (t, o) = startup(&big_path)?;
        big_t.push(t);
        big_open.push(o);
        let (t, o) = startup(&empty_path)?;
        empty_t.push(t);
        empty_open.push(o);
    }
    let (big_m, empty_m) = (median(big_t), median(empty_t));
    let process = match &a.cli {
        Some(cli) => Some(process_startup(cli, &big_dir, &empty_dir, a.repeats)?),
        None => None,
    };

    let mut store = Store::open(&big_path)?;
    if store.recover_interrupted()? != 0 {
        return Err("start-up left replies streaming".into());
    }
    if let Some(w) = a.window {
        store.set_search_window(w);
    }

    // The conversation list.
    let mut list_t = Vec::new();
    let mut deep_t = Vec::new();
    let mut cursor = None;
    for _ in 0..20 {
        let page = store.list_conversations(&ListQuery {
            archived: false,
            limit: 50,
            cursor,
        })?;
        cursor = page.next_cursor;
    }
    for _ in 0..a.repeats {
        list_t.push(
            time(|| {
                Ok(store.list_conversations(&ListQuery {
                    archived: false,
                    limit: 50,
                    cursor: None,
                })?)
            })?
            .0,
        );
        deep_t.push(
            time(|| {
                Ok(store.list_conversations(&ListQuery {
                    archived: false,
                    limit: 50,
                    cursor,
                })?)
            })?
            .0,
        );
    }

    // Opening a 10,000-message conversation: settings + first page.
    let mut open_t = Vec::new();
    let mut older_t = Vec::new();
    if let Some(&big) = generated.big_ids.get(1).or(generated.big_ids.first()) {
        for _ in 0..a.repeats {
            let (d, first) = time(|| {
                store.get_conversation(big)?;
                Ok(store.open_page(big, None, 50)?.0)
            })?;
            open_t.push(d);
            let before = first.first().map(|m| m.id);
            older_t.push(time(|| Ok(store.open_page(big, before, 50)?))?.0);
        }
    }

    // Search.
    let qs = queries(&mut rng, &vocab, a.queries);
    for q in qs.iter().take(5) {
        store.search(&SearchQuery::text(q.clone(), 20))?; // warm the cache
    }
    let mut search_t = Vec::new();
    let mut total_hits = 0;
    for q in &qs {
        let (d, hits) = time(|| Ok(store.search(&SearchQuery::text(q.clone(), 20))?))?;
        total_hits += hits.len();
        search_t.push(d);
    }
    let mut slowest: Vec<_> = qs.iter().zip(&search_t).collect();
    slowest.sort_by(|x, y| y.1.cmp(x.1));
    // Search as you type, by the length typed so far: prefixes of the
    // common words (the ones a prefix matches most of) in both languages.
    let common: Vec<&str> = EN_COMMON
        .split(' ')
        .chain(RU_COMMON.split(' '))
        .filter(|w| w.chars().count() >= 6)
        .collect();
    let mut by_length = Vec::new();
    for n in 2..=5 {
        let mut t = Vec::new();
        for w in &common {
            let q: String = w.chars().take(n).collect();
            t.push(time(|| Ok(store.search(&SearchQuery::text(q.clone(), 20))?))?.0);
        }
        by_length.push((n, t));
    }
    let (common_t, common_hits) = time(|| Ok(store.search(&SearchQuery::text("the", 20))?.len()))?;
    let (common_ru_t, _) = time(|| Ok(store.search(&SearchQuery::text("привет", 20))?.len()))?;

    println!("\nquery plans at start-up:");
    for (name, lines) in store.startup_query_plans()? {
        println!("  {name}: {}", lines.join(" | "));
    }

    println!(
        "\nresults ({} conversations, {} messages, {:.0} MB):",
        a.conversations,
        a.messages,
        size as f64 / 1e6
    );
    println!(
        "  list first page (50)            median {}   (target < 10 ms)",
        ms(median(list_t))
    );
    println!(
        "  list page 21 (keyset)           median {}",
        ms(median(deep_t))
    );
    println!(
        "  search over {} queries           p50 {}  p95 {}  max {}   (target p95 < 20 ms; {:.1} hits/query)",
        qs.len(),
        ms(percentile(&search_t, 0.5)),
        ms(percentile(&search_t, 0.95)),
        ms(percentile(&search_t, 1.0)),
        total_hits as f64 / qs.len().max(1) as f64
    );
    for (n, t) in &by_length {
        println!(
            "  {n}-letter prefixes ({} common words) p50 {}  p95 {}  max {}",
            t.len(),
            ms(percentile(t, 0.5)),
            ms(percentile(t, 0.95)),
            ms(percentile(t, 1.0)),
        );
    }
    println!(
        "    slowest: {}",
        slowest
            .iter()
            .take(3)
            .map(|(q, d)| format!("{q:?} {}", ms(**d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "    very common words: \"the\" {} ({common_hits} hits), \"привет\" {}",
        ms(common_t),
        ms(common_ru_t)
    );
    if !open_t.is_empty() {
        println!(
            "  open {}-message conversation    median {}   (target < 50 ms)",
            a.big_size,
            ms(median(open_t))
        );
        println!(
            "    its next older page           median {}",
            ms(median(older_t))
        );
    }
    println!(
        "  start-up (open+recover+list)    big {}  empty {}  ratio {:.2}   (target <= 1.1)",
        ms(big_m),
        ms(empty_m),
        big_m.as_secs_f64() / empty_m.as_secs_f64()
    );
    println!(
        "    of which Store::open          big {}  empty {}",
        ms(median(big_open)),
        ms(median(empty_open))
    );
    if let Some((big_p, empty_p)) = process {
        println!(
            "  process start-up (`megallm history list`, spawn to exit)\n                                  big {}  empty {}  ratio {:.2}   (target <= 1.1)",
            ms(big_p),
            ms(empty_p),
            big_p.as_secs_f64() / empty_p.as_secs_f64()
        );
    }
    drop(store);
    if a.dir.is_some() {
        println!("kept in {}", dir.display());
    }
    Ok(())
}
