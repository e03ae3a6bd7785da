//! Office files and images made by real tools at test time (LibreOffice,
//! ImageMagick, exiv2, iconv) read by `documents`: what people actually
//! drop in, rather than the minimal hand-made containers of documents.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tools;

use std::time::{Duration, Instant};

use megallm_core::documents::{
    Document, DocumentError, DocumentKind, MAX_IMAGE_EDGE, MAX_IMAGE_PIXELS, MAX_SHEET_ROWS,
    extract,
};
use tools::{Scratch, libreoffice, path_str, recall, run, words};

const ODF_NS: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"office:version="1.3""#
);

const HEADER: &str = "ООО «Ромашка»: отчёт для совета директоров";
const FOOTER: &str = "Конфиденциально, только для внутреннего использования";
const HEADING: &str = "Отчёт о продажах за третий квартал";
const FOOTNOTE: &str = "По данным бухгалтерии на первое октября";
const SENTENCES: [&str; 5] = [
    "Выручка выросла на двенадцать процентов благодаря экспорту",
    "Расходы на логистику снизились после переезда склада",
    "Новые клиенты пришли в основном из Казани и Новосибирска",
    "The board asked for a forecast in English as well",
    "Съешь же ещё этих мягких французских булок да выпей чаю",
];
const TABLE: [[&str; 3]; 4] = [
    ["Регион", "Выручка, млн ₽", "Рост"],
    ["Москва", "120", "12%"],
    ["Санкт-Петербург", "85,5", "7%"],
    ["Казань", "40", "21%"],
];

fn paragraphs() -> Vec<String> {
    (0..12)
        .map(|i| {
            (0..3)
                .map(|j| {
                    format!(
                        "{} (пункт {}).",
                        SENTENCES[(i + j) % SENTENCES.len()],
                        i * 3 + j
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// A flat ODT with a header and a footer on its master page, a heading, a
/// footnote, a table and a list: every part the readers must keep.
fn report_fodt() -> String {
    let body: String = paragraphs()
        .iter()
        .map(|p| format!("<text:p>{p}</text:p>"))
        .collect();
    let cell = |text: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
        )
    };
    let rows: String = TABLE
        .iter()
        .map(|row| {
            let cells: String = row.iter().map(|c| cell(c)).collect();
            format!("<table:table-row>{cells}</table:table-row>")
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document {ODF_NS} office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="8.5in" fo:page-height="11in" fo:margin="0.8in"/><style:header-style><style:header-footer-properties fo:min-height="0.3in"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0.3in"/></style:footer-style></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"><style:header><text:p>{HEADER}</text:p></style:header><style:footer><text:p>{FOOTER}</text:p></style:footer></style:master-page></office:master-styles>
<office:body><office:text>
<text:h text:outline-level="1">{HEADING}</text:h>
<text:p>Итоги квартала<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>{FOOTNOTE}</text:p></text:note-body></text:note> приведены ниже.</text:p>
{body}
<table:table table:name="Регионы"><table:table-column table:number-columns-repeated="3"/>{rows}</table:table>
<text:list><text:list-item><text:p>Первый вывод: экспорт растёт</text:p></text:list-item><text:list-item><text:p>Второй вывод: склад окупился</text:p></text:list-item></text:list>
</office:text></office:body></office:document>"#
    )
}

/// Every word the report holds, in any order: what the model must get.
fn report_words() -> Vec<String> {
    let mut all = vec![
        HEADER.to_owned(),
        FOOTER.to_owned(),
        HEADING.to_owned(),
        format!("Итоги квартала приведены ниже. {FOOTNOTE}"),
        "Первый вывод: экспорт растёт. Второй вывод: склад окупился".to_owned(),
    ];
    all.extend(paragraphs());
    all.extend(TABLE.iter().map(|row| row.join(" ")));
    words(&all.join("\n"))
}

const LOG_ROWS: usize = MAX_SHEET_ROWS + 20;

/// A flat ODS: a small sheet of strings and numbers, and a long one that
/// the reader must cap with a note.
fn workbook_fods() -> String {
    let string = |t: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
        )
    };
    let float = |v: f64| {
        format!(
            r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let row = |cells: String| format!("<table:table-row>{cells}</table:table-row>");
    let sales = [
        row(string("Товар") + &string("Кол-во") + &string("Цена")),
        row(string("Чай") + &float(3.0) + &float(2.5)),
        row(string("Кофе") + &float(12.0) + &float(4.75)),
        row(string("Пряники тульские") + &float(7.0) + &float(1.2)),
    ]
    .concat();
    let log: String = (1..=LOG_ROWS)
        .map(|i| row(string(&format!("запись {i}")) + &float(i as f64)))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document {ODF_NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet>
<table:table table:name="Продажи">{sales}</table:table>
<table:table table:name="Журнал">{log}</table:table>
</office:spreadsheet></office:body></office:document>"#
    )
}

struct Row {
    file: String,
    kind: String,
    bytes: usize,
    what: String,
    recall: Option<f64>,
    took: Duration,
}

fn timed(name: &str, bytes: &[u8]) -> (Document, Duration) {
    let started = Instant::now();
    let doc = extract(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (doc, started.elapsed())
}

fn print_table(rows: &[Row]) {
    println!("| file | kind | bytes | extracted | word recall | ms |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for r in rows {
        let recall = r.recall.map_or("-".to_owned(), |x| format!("{x:.3}"));
        println!(
            "| {} | {} | {} | {} | {recall} | {:.1} |",
            r.file,
            r.kind,
            r.bytes,
            r.what,
            r.took.as_secs_f64() * 1000.0
        );
    }
}

/// A copy cut in half, and one cut to its first hundred bytes, are damaged
/// files named as such; never a panic, never a partial text passed off as
/// whole.
fn assert_cut_copies_are_corrupt(name: &str, bytes: &[u8]) {
    for cut in [bytes.len() / 2, 100] {
        let e = extract(name, &bytes[..cut]).expect_err(name);
        assert!(
            matches!(e, DocumentError::Corrupt { .. }),
            "{name} cut to {cut} bytes: {e:?}"
        );
        assert!(
            e.to_app_error()
                .message
                .starts_with(&format!("“{name}” is damaged")),
            "{e}"
        );
    }
}

#[test]
fn word_documents_saved_by_libreoffice_keep_every_part() {
    let scratch = Scratch::new();
    let fodt = report_fodt();
    let expected = report_words();
    let mut rows = Vec::new();
    for (format, kind) in [("docx", DocumentKind::Docx), ("odt", DocumentKind::Odt)] {
        let name = format!("отчёт.{format}");
        let bytes = libreoffice(&scratch, "report.fodt", &fodt, format);
        let (doc, took) = timed(&name, &bytes);
        assert_eq!(doc.kind, kind, "{name}");
        let text = doc.text.as_deref().expect("a text document");
        let lines: Vec<&str> = text.lines().collect();
        for line in [
            format!("[Header] {HEADER}"),
            format!("[Footer] {FOOTER}"),
            format!("# {HEADING}"),
            format!("[^1]: {FOOTNOTE}"),
            "| Регион | Выручка, млн ₽ | Рост |".to_owned(),
            "| Санкт-Петербург | 85,5 | 7% |".to_owned(),
            "- Первый вывод: экспорт растёт".to_owned(),
        ] {
            assert!(
                lines.contains(&line.as_str()),
                "{name}: no line {line:?} in\n{text}"
            );
        }
        assert!(
            text.contains("Итоги квартала[^1] приведены ниже."),
            "{name}: the footnote mark is not where it was:\n{text}"
        );
        // The header comes first and the notes last, as a reader meets them.
        assert!(text.starts_with("[Header] "), "{name}:\n{text}");
        assert!(text.ends_with(FOOTNOTE), "{name}:\n{text}");
        let recall = recall(&words(text), &expected);
        assert!(recall >= 0.999, "{name}: word recall {recall:.3}\n{text}");
        assert!(
            !doc.truncated && doc.notes.is_empty(),
            "{name}: {:?}",
            doc.notes
        );
        assert_cut_copies_are_corrupt(&name, &bytes);
        rows.push(Row {
            file: name,
            kind: format!("{kind:?}"),
            bytes: bytes.len(),
            what: format!("{} chars", text.chars().count()),
            recall: Some(recall),
            took,
        });
    }
    print_table(&rows);
}

#[test]
fn workbooks_saved_by_libreoffice_have_every_sheet_and_cap_long_ones() {
    let scratch = Scratch::new();
    let fods = workbook_fods();
    let mut rows = Vec::new();
    let note =
        format!("“Журнал”: only the first {MAX_SHEET_ROWS} of {LOG_ROWS} rows are included.");
    for (format, kind) in [("xlsx", DocumentKind::Xlsx), ("ods", DocumentKind::Ods)] {
        let name = format!("продажи.{format}");
        let bytes = libreoffice(&scratch, "book.fods", &fods, format);
        let (doc, took) = timed(&name, &bytes);
        assert_eq!(doc.kind, kind, "{name}");
        assert_eq!(doc.sheets, Some(2), "{name}");
        let text = doc.text.as_deref().expect("a text document");
        assert!(
            text.starts_with(
                "## Sheet: Продажи\n\n\
                 | Товар | Кол-во | Цена |\n\
                 | --- | --- | --- |\n\
                 | Чай | 3 | 2.5 |\n\
                 | Кофе | 12 | 4.75 |\n\
                 | Пряники тульские | 7 | 1.2 |\n\n\
                 ## Sheet: Журнал\n\n\
                 | запись 1 | 1 |\n\
                 | --- | --- |\n\
                 | запись 2 | 2 |\n"
            ),
            "{name}:\n{}",
            &text[..text.len().min(600)]
        );
        let last_kept = format!("| запись {MAX_SHEET_ROWS} | {MAX_SHEET_ROWS} |");
        let first_left_out = format!("| запись {} |", MAX_SHEET_ROWS + 1);
        assert!(text.contains(&last_kept), "{name}");
        assert!(!text.contains(&first_left_out), "{name}");
        assert!(doc.truncated, "{name}");
        assert_eq!(doc.notes, vec![note.clone()], "{name}");
        assert!(text.ends_with(&format!("({note})")), "{name}");
        assert_cut_copies_are_corrupt(&name, &bytes);
        rows.push(Row {
            file: name,
            kind: format!("{kind:?}"),
            bytes: bytes.len(),
            what: format!("{} chars, 2 sheets", text.chars().count()),
            recall: None,
            took,
        });
    }

    // LibreOffice's CSV of the first sheet, re-encoded by iconv as an old
    // Russian Excel would save it.
    // The filter's options: comma, double quotes, UTF-8 (76), whatever the
    // machine's locale.
    let csv = libreoffice(
        &scratch,
        "book.fods",
        &fods,
        "csv:Text - txt - csv (StarCalc):44,34,76",
    );
    let csv_path = scratch.write("utf8.csv", &csv);
    let cp1251 = run(
        "iconv",
        &["-f", "UTF-8", "-t", "WINDOWS-1251", path_str(&csv_path)],
        b"",
    );
    assert!(
        std::str::from_utf8(&cp1251).is_err(),
        "iconv re-encoded the file"
    );
    let (doc, took) = timed("продажи.csv", &cp1251);
    assert_eq!(doc.kind, DocumentKind::Csv);
    let text = doc.text.as_deref().expect("a table");
    assert!(
        text.starts_with("| Товар | Кол-во | Цена |\n| --- | --- | --- |\n| Чай | 3 | 2.5 |"),
        "{text}"
    );
    rows.push(Row {
        file: "продажи.csv (windows-1251)".to_owned(),
        kind: "Csv".to_owned(),
        bytes: cp1251.len(),
        what: format!("{} chars", text.chars().count()),
        recall: None,
        took,
    });
    print_table(&rows);
}

/// `args` given to ImageMagick's `convert`, which writes `file`.
fn magick(scratch: &Scratch, args: &[&str], file: &str) -> Vec<u8> {
    let out = scratch.path(file);
    let mut all = args.to_vec();
    all.push(path_str(&out));
    run("convert", &all, b"");
    scratch.read(file)
}

fn decoded(doc: &Document) -> image::RgbImage {
    let sent = doc.image.as_ref().expect("an image");
    let img = image::load_from_memory(&sent.data).expect("what is sent decodes");
    assert_eq!(
        (img.width(), img.height()),
        (sent.width, sent.height),
        "the stated size is the real one"
    );
    img.to_rgb8()
}

fn within_limits(doc: &Document) {
    let sent = doc.image.as_ref().expect("an image");
    assert!(
        sent.width.max(sent.height) <= MAX_IMAGE_EDGE,
        "{}",
        doc.name
    );
    assert!(
        u64::from(sent.width) * u64::from(sent.height) <= MAX_IMAGE_PIXELS,
        "{}",
        doc.name
    );
}

#[test]
fn images_made_by_imagemagick_are_resized_turned_upright_and_converted() {
    let scratch = Scratch::new();
    let mut rows = Vec::new();
    let mut row = |doc: &Document, bytes: &[u8], took: Duration| {
        let sent = doc.image.as_ref().expect("an image");
        rows.push(Row {
            file: doc.name.clone(),
            kind: sent.media_type.clone(),
            bytes: bytes.len(),
            what: format!("{}×{}, {} bytes", sent.width, sent.height, sent.data.len()),
            recall: None,
            took,
        });
    };

    // Over the long-edge limit: the long edge lands on it, aspect kept.
    let wide = magick(
        &scratch,
        &["-size", "4000x1000", "gradient:red-blue"],
        "wide.png",
    );
    let (doc, took) = timed("wide.png", &wide);
    within_limits(&doc);
    let img = decoded(&doc);
    assert_eq!((img.width(), img.height()), (1568, 392));
    assert_eq!(
        doc.notes,
        vec!["Resized from 4000×1000 to 1568×392 pixels."]
    );
    row(&doc, &wide, took);

    // Within the edge but over 1.15 megapixels: a photo stays a JPEG.
    let photo = magick(
        &scratch,
        &[
            "-seed",
            "7",
            "-size",
            "1500x1500",
            "plasma:fractal",
            "-quality",
            "92",
        ],
        "photo.jpg",
    );
    let (doc, took) = timed("photo.jpg", &photo);
    within_limits(&doc);
    let sent = doc.image.as_ref().unwrap();
    assert_eq!(sent.media_type, "image/jpeg");
    assert_eq!(sent.width, sent.height, "square stays square");
    assert!(
        u64::from(sent.width + 1).pow(2) > MAX_IMAGE_PIXELS,
        "no smaller than needed"
    );
    row(&doc, &photo, took);

    // A camera's portrait: stored 300×100 with top row red, EXIF says
    // "rotate 90° clockwise to show". Shown, it is 100×300 with red on
    // the right.
    let raw = magick(
        &scratch,
        &["-size", "300x100", "gradient:red-blue"],
        "portrait.jpg",
    );
    assert!(
        !raw.windows(4).any(|w| w == b"Exif"),
        "ImageMagick wrote no EXIF"
    );
    let portrait = scratch.path("portrait.jpg");
    run(
        "exiv2",
        &[
            "-M",
            "set Exif.Image.Orientation Short 6",
            path_str(&portrait),
        ],
        b"",
    );
    let rotated = scratch.read("portrait.jpg");
    let (doc, took) = timed("portrait.jpg", &rotated);
    let img = decoded(&doc);
    assert_eq!((img.width(), img.height()), (100, 300));
    let (left, right) = (img.get_pixel(2, 150), img.get_pixel(97, 150));
    assert!(left[2] > 200 && left[0] < 60, "left edge blue: {left:?}");
    assert!(right[0] > 200 && right[2] < 60, "right edge red: {right:?}");
    row(&doc, &rotated, took);

    // Formats the API does not take arrive as PNG with the same pixels
    // ImageMagick itself decodes.
    for file in ["scan.bmp", "scan.tiff"] {
        let bytes = magick(
            &scratch,
            &[
                "-seed",
                "3",
                "-size",
                "640x480",
                "plasma:",
                "-depth",
                "8",
                "-type",
                "TrueColor",
            ],
            file,
        );
        let oracle = magick(&scratch, &[path_str(&scratch.path(file))], "oracle.png");
        let (doc, took) = timed(file, &bytes);
        assert_eq!(doc.kind, DocumentKind::Image, "{file}");
        assert_eq!(
            doc.image.as_ref().unwrap().media_type,
            "image/png",
            "{file}"
        );
        let oracle = image::load_from_memory(&oracle).unwrap().to_rgb8();
        assert!(
            decoded(&doc) == oracle,
            "{file}: pixels differ from ImageMagick's"
        );
        row(&doc, &bytes, took);
    }

    let png = magick(&scratch, &["-size", "300x200", "gradient:"], "cut.png");
    assert_cut_copies_are_corrupt("cut.png", &png);
    print_table(&rows);
}
