//! Turning files into what the model reads. Every fixture is built here,
//! from the bytes up, so the tests need no files and no tools.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Named so that `cargo test -p megallm-core documents` selects these tests.
mod documents {
    use std::io::{Cursor, Write};

    use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
    use megallm_core::ErrorCode;
    use megallm_core::documents::{
        Document, DocumentError, DocumentKind, MAX_FILE_BYTES, MAX_IMAGE_BYTES, MAX_IMAGE_EDGE,
        MAX_IMAGE_PIXELS, MAX_SHEET_ROWS, extract, fit,
    };
    use zip::write::SimpleFileOptions;

    const PANGRAM: &str = "Съешь же ещё этих мягких французских булок, да выпей чаю. \
        Широкая электрификация южных губерний даст мощный толчок подъёму сельского хозяйства.\n";

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    const ODF_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3""#;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            // ODF wants `mimetype` first and stored; deflate the rest.
            let method = if *name == "mimetype" {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            w.start_file(
                *name,
                SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn text_of(doc: &Document) -> &str {
        doc.text.as_deref().expect("the document has text")
    }

    fn err(name: &str, bytes: &[u8]) -> DocumentError {
        extract(name, bytes).expect_err("the file is refused")
    }

    // ---- DOCX ----

    fn docx_body(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    fn docx_fixture() -> Vec<u8> {
        let body = docx_body(concat!(
            r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Отчёт за квартал</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t xml:space="preserve">Выручка выросла </w:t></w:r><w:r><w:t>на 12%</w:t></w:r>"#,
            r#"<w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:delText>удалённое</w:delText></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>Tom &amp; Jerry&#33;</w:t></w:r></w:p>"#,
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>первый пункт</w:t></w:r></w:p>"#,
            r#"<w:p/>"#,
            r#"<w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>Регион</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Сумма</w:t></w:r></w:p></w:tc></w:tr>"#,
            r#"<w:tr><w:tc><w:p><w:r><w:t>Москва</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1 | 2</w:t></w:r></w:p><w:p><w:r><w:t>млн</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        ));
        let footnotes = format!(
            r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> По данным бухгалтерии.</w:t></w:r></w:p></w:footnote></w:footnotes>"#
        );
        let header =
            format!(r#"<w:hdr {W}><w:p><w:r><w:t>ООО «Ромашка»</w:t></w:r></w:p></w:hdr>"#);
        let footer = format!(r#"<w:ftr {W}><w:p><w:r><w:t>Страница 1</w:t></w:r></w:p></w:ftr>"#);
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", body.as_bytes()),
            ("word/footnotes.xml", footnotes.as_bytes()),
            ("word/header1.xml", header.as_bytes()),
            ("word/header2.xml", header.as_bytes()),
            ("word/footer1.xml", footer.as_bytes()),
        ])
    }

    #[test]
    fn docx_keeps_headings_lists_tables_headers_footers_and_footnotes() {
        // The name says .bin: the content decides.
        let doc = extract("report.bin", &docx_fixture()).unwrap();
        assert_eq!(doc.kind, DocumentKind::Docx);
        assert_eq!(
            text_of(&doc),
            "[Header] ООО «Ромашка»\n\n\
             # Отчёт за квартал\n\n\
             Выручка выросла на 12%[^1].\n\n\
             Tom & Jerry!\n\n\
             - первый пункт\n\n\
             | Регион | Сумма |\n\
             | --- | --- |\n\
             | Москва | 1 \\| 2 млн |\n\n\
             [Footer] Страница 1\n\n\
             [^1]: По данным бухгалтерии."
        );
        assert!(!doc.truncated);
    }

    #[test]
    fn docx_notes_are_numbered_as_the_text_cites_them_whatever_their_ids() {
        // LibreOffice numbers its notes from 2 (0 and 1 are separators);
        // here the text also cites them out of id order.
        let body = docx_body(concat!(
            r#"<w:p><w:r><w:t>Первое</w:t></w:r><w:r><w:footnoteReference w:id="5"/></w:r>"#,
            r#"<w:r><w:t xml:space="preserve"> и второе</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r>"#,
            r#"<w:r><w:t xml:space="preserve">, в конце</w:t></w:r><w:r><w:endnoteReference w:id="7"/></w:r></w:p>"#,
        ));
        let note = |tag: &str, id: &str, text: &str| {
            format!(r#"<w:{tag} w:id="{id}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}>"#)
        };
        let footnotes = format!(
            r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="0"><w:p/></w:footnote>{}{}</w:footnotes>"#,
            note("footnote", "2", "Сноска ко второму."),
            note("footnote", "5", "Сноска к первому."),
        );
        let endnotes = format!(
            r#"<w:endnotes {W}>{}</w:endnotes>"#,
            note("endnote", "7", "Концевая сноска.")
        );
        let doc = extract(
            "notes.docx",
            &zip_of(&[
                ("word/document.xml", body.as_bytes()),
                ("word/footnotes.xml", footnotes.as_bytes()),
                ("word/endnotes.xml", endnotes.as_bytes()),
            ]),
        )
        .unwrap();
        assert_eq!(
            text_of(&doc),
            "Первое[^1] и второе[^2], в конце[^e1]\n\n\
             [^1]: Сноска к первому.\n\
             [^2]: Сноска ко второму.\n\
             [^e1]: Концевая сноска."
        );
    }

    #[test]
    fn docx_nested_tables_and_text_boxes_keep_their_text() {
        let body = docx_body(concat!(
            r#"<w:p><w:r><w:t>до </w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>в рамке</w:t></w:r></w:p></w:txbxContent></w:pict></w:r><w:r><w:t>после</w:t></w:r></w:p>"#,
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>внешняя</w:t></w:r></w:p></w:tc><w:tc>"#,
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
            r#"</w:tc></w:tr></w:tbl>"#,
        ));
        let doc = extract(
            "nested.docx",
            &zip_of(&[("word/document.xml", body.as_bytes())]),
        )
        .unwrap();
        assert_eq!(
            text_of(&doc),
            "в рамке\n\nдо после\n\n| внешняя | a, b |\n| --- | --- |"
        );
    }

    // ---- ODT ----

    fn odt_fixture() -> Vec<u8> {
        let content = format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {}><office:body><office:text>"#,
                r#"<text:tracked-changes><text:changed-region><text:deletion><text:p>удалено</text:p></text:deletion></text:changed-region></text:tracked-changes>"#,
                r#"<text:h text:outline-level="2">Итоги</text:h>"#,
                r#"<text:p>Первый<text:s text:c="2"/>абзац<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Сноска к абзацу.</text:p></text:note-body></text:note> <text:span>готов</text:span>.</text:p>"#,
                r#"<text:list><text:list-item><text:p>пункт</text:p></text:list-item></text:list>"#,
                r#"<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>"#,
                r#"<table:table-row><table:table-cell><text:p>Имя</text:p></table:table-cell><table:table-cell><text:p>Возраст</text:p></table:table-cell></table:table-row>"#,
                r#"<table:table-row><table:table-cell><text:p>Анна</text:p></table:table-cell><table:table-cell><text:p>30</text:p></table:table-cell></table:table-row></table:table>"#,
                r#"</office:text></office:body></office:document-content>"#
            ),
            ODF_NS
        );
        let styles = format!(
            r#"<office:document-styles {ODF_NS}><office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Шапка</text:p></style:header><style:footer><text:p>Подвал</text:p></style:footer></style:master-page></office:master-styles></office:document-styles>"#
        );
        zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
            ("styles.xml", styles.as_bytes()),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ])
    }

    #[test]
    fn odt_keeps_headings_lists_tables_headers_footers_and_notes() {
        let doc = extract("итоги.odt", &odt_fixture()).unwrap();
        assert_eq!(doc.kind, DocumentKind::Odt);
        assert_eq!(
            text_of(&doc),
            "[Header] Шапка\n\n\
             ## Итоги\n\n\
             Первый  абзац[^1] готов.\n\n\
             - пункт\n\n\
             | Имя | Возраст |\n\
             | --- | --- |\n\
             | Анна | 30 |\n\n\
             [Footer] Подвал\n\n\
             [^1]: Сноска к абзацу."
        );
    }

    #[test]
    fn encrypted_odf_is_reported_as_encrypted() {
        let bytes = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"\x01\x02 not xml"),
            (
                "META-INF/manifest.xml",
                b"<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>",
            ),
        ]);
        assert!(matches!(
            err("secret.odt", &bytes),
            DocumentError::Encrypted { .. }
        ));
    }

    // ---- XLSX / ODS / CSV ----

    fn xlsx_sheet(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    fn xlsx_fixture(long_rows: usize) -> Vec<u8> {
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let root_rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        );
        let workbook = format!(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets><sheet name="Продажи" sheetId="1" r:id="rId1"/><sheet name="Long" sheetId="2" r:id="rId2"/></sheets></workbook>"#
        );
        let wb_rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#
        );
        let sheet1 = xlsx_sheet(concat!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Товар</t></is></c><c r="B1" t="inlineStr"><is><t>Кол-во</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>Чай</t></is></c><c r="B2"><v>3</v></c></row>"#,
            r#"<row r="3"><c r="A3" t="inlineStr"><is><t>Кофе</t></is></c><c r="B3"><v>2.5</v></c></row>"#,
        ));
        let sheet2 = xlsx_sheet(
            &(1..=long_rows)
                .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
                .collect::<String>(),
        );
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", root_rels.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet1.as_bytes()),
            ("xl/worksheets/sheet2.xml", sheet2.as_bytes()),
        ])
    }

    #[test]
    fn xlsx_every_sheet_is_a_table_under_its_name() {
        let doc = extract("sales.xlsx", &xlsx_fixture(2)).unwrap();
        assert_eq!(doc.kind, DocumentKind::Xlsx);
        assert_eq!(doc.sheets, Some(2));
        assert_eq!(
            text_of(&doc),
            "## Sheet: Продажи\n\n\
             | Товар | Кол-во |\n\
             | --- | --- |\n\
             | Чай | 3 |\n\
             | Кофе | 2.5 |\n\n\
             ## Sheet: Long\n\n\
             | 1 |\n\
             | --- |\n\
             | 2 |"
        );
        assert!(!doc.truncated);
    }

    #[test]
    fn a_long_sheet_is_capped_with_a_visible_note() {
        let doc = extract("sales.xlsx", &xlsx_fixture(MAX_SHEET_ROWS + 100)).unwrap();
        let text = text_of(&doc);
        let note = format!(
            "“Long”: only the first {MAX_SHEET_ROWS} of {} rows are included.",
            MAX_SHEET_ROWS + 100
        );
        assert!(doc.truncated);
        assert_eq!(doc.notes, vec![note.clone()]);
        assert!(
            text.ends_with(&format!("| {MAX_SHEET_ROWS} |\n\n({note})")),
            "{text}"
        );
        assert!(!text.contains(&format!("| {} |", MAX_SHEET_ROWS + 1)));
    }

    #[test]
    fn ods_sheets_are_tables_under_their_names() {
        let content = format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {} xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:body><office:spreadsheet>"#,
                r#"<table:table table:name="Лист1"><table:table-row><table:table-cell office:value-type="string"><text:p>Город</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Население</text:p></table:table-cell></table:table-row>"#,
                r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Казань</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1300000"><text:p>1300000</text:p></table:table-cell></table:table-row></table:table>"#,
                r#"</office:spreadsheet></office:body></office:document-content>"#
            ),
            ODF_NS
        );
        let bytes = zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", content.as_bytes()),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ]);
        let doc = extract("города.ods", &bytes).unwrap();
        assert_eq!(doc.kind, DocumentKind::Ods);
        assert_eq!(doc.sheets, Some(1));
        assert_eq!(
            text_of(&doc),
            "## Sheet: Лист1\n\n| Город | Население |\n| --- | --- |\n| Казань | 1300000 |"
        );
    }

    #[test]
    fn csv_in_windows_1251_with_semicolons_is_a_table() {
        // Long enough for the detector to be sure of the encoding.
        let source = format!(
            "Имя;Город\nИван;Москва\n\"Пётр; младший\";Санкт-Петербург\n{}",
            "Ольга;Екатеринбург\n".repeat(5)
        );
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&source);
        let doc = extract("люди.csv", &bytes).unwrap();
        assert_eq!(doc.kind, DocumentKind::Csv);
        assert_eq!(
            text_of(&doc),
            format!(
                "| Имя | Город |\n| --- | --- |\n| Иван | Москва |\n| Пётр; младший | Санкт-Петербург |\n{}",
                "| Ольга | Екатеринбург |\n".repeat(5).trim_end()
            )
        );
    }

    #[test]
    fn a_long_csv_is_capped() {
        let source: String = (0..=MAX_SHEET_ROWS).map(|i| format!("{i},x\n")).collect();
        let doc = extract("n.csv", source.as_bytes()).unwrap();
        assert!(doc.truncated);
        assert_eq!(doc.notes.len(), 1);
        assert!(text_of(&doc).contains(&format!("of {} rows are included", MAX_SHEET_ROWS + 1)));
    }

    // ---- Text, code, encodings ----

    #[test]
    fn russian_text_round_trips_from_every_common_encoding() {
        let text = PANGRAM.repeat(3);
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut utf8_bom = b"\xEF\xBB\xBF".to_vec();
        utf8_bom.extend(text.as_bytes());
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("utf-8", text.as_bytes().to_vec()),
            ("utf-8 with BOM", utf8_bom),
            ("utf-16le", utf16le),
            ("utf-16be", utf16be),
            (
                "windows-1251",
                encoding_rs::WINDOWS_1251.encode(&text).0.into_owned(),
            ),
            ("koi8-r", encoding_rs::KOI8_R.encode(&text).0.into_owned()),
        ];
        for (encoding, bytes) in cases {
            let doc = extract("заметка.txt", &bytes).unwrap_or_else(|e| panic!("{encoding}: {e}"));
            assert_eq!(doc.kind, DocumentKind::Text, "{encoding}");
            assert_eq!(text_of(&doc), text, "{encoding}");
        }
    }

    #[test]
    fn code_is_fenced_with_its_language_and_a_fence_longer_than_its_backticks() {
        let doc = extract("main.rs", b"fn main() {}\n").unwrap();
        assert_eq!(
            doc.kind,
            DocumentKind::Code {
                language: "rust".to_owned()
            }
        );
        assert_eq!(text_of(&doc), "```rust\nfn main() {}\n```");

        let doc = extract("notes.py", b"s = '''\n```\n'''\n").unwrap();
        assert_eq!(text_of(&doc), "````python\ns = '''\n```\n'''\n````");

        // A Makefile has no extension.
        let doc = extract("Makefile", b"all:\n\techo hi\n").unwrap();
        assert_eq!(text_of(&doc), "```make\nall:\n\techo hi\n```");
    }

    #[test]
    fn html_becomes_markdown_without_scripts_or_styles() {
        let page = concat!(
            "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style>",
            "<script>alert(1)</script></head><body><h1>Заголовок</h1>",
            "<p>Текст <b>жирный</b> и <a href=\"https://example.com\">ссылка</a></p>",
            "<script>evil()</script><noscript>включите JS</noscript>",
            "<ul><li>один</li><li>два</li></ul>",
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table></body></html>"
        );
        // Named .txt: the content says HTML.
        let doc = extract("page.txt", page.as_bytes()).unwrap();
        assert_eq!(doc.kind, DocumentKind::Html);
        let text = text_of(&doc);
        for kept in [
            "# Заголовок",
            "Текст **жирный** и [ссылка](https://example.com)",
        ] {
            assert!(text.contains(kept), "{kept:?} missing in {text}");
        }
        assert!(text.contains("один") && text.contains("два"), "{text}");
        assert!(text.contains("| a | b |"), "{text}");
        for dropped in ["alert", "evil", "color", "включите"] {
            assert!(!text.contains(dropped), "{dropped:?} kept in {text}");
        }
    }

    #[test]
    fn html_in_windows_1251_declared_by_meta_charset() {
        let page = "<html><head><meta charset=\"windows-1251\"></head><body><p>Привет, мир</p></body></html>";
        let bytes = encoding_rs::WINDOWS_1251.encode(page).0.into_owned();
        let doc = extract("old.htm", &bytes).unwrap();
        assert_eq!(text_of(&doc), "Привет, мир");
    }

    #[test]
    fn a_file_name_with_markup_is_kept_verbatim_as_plain_text() {
        let name = r#""><img src=x onerror=alert(1)>.txt"#;
        let doc = extract(name, b"hello").unwrap();
        assert_eq!(doc.name, name);
        assert_eq!(doc.kind, DocumentKind::Text);
        assert_eq!(text_of(&doc), "hello");
        let e = err(name, b"").to_app_error();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(
            e.message,
            format!("“{name}” is empty. Choose the file again; it may not have finished saving.")
        );
    }

    // ---- Images ----

    fn png(img: DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn encoded(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    fn gradient(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        }))
    }

    fn decoded(doc: &Document) -> DynamicImage {
        let img = doc.image.as_ref().expect("an image");
        image::load_from_memory(&img.data).unwrap()
    }

    #[test]
    fn a_wide_png_is_resized_to_the_long_edge_limit() {
        let doc = extract("wide.png", &png(gradient(3000, 1000))).unwrap();
        assert_eq!(doc.kind, DocumentKind::Image);
        let img = doc.image.as_ref().unwrap();
        assert_eq!((img.width, img.height), (MAX_IMAGE_EDGE, 522));
        assert_eq!(img.media_type, "image/png");
        assert_eq!(decoded(&doc).width(), MAX_IMAGE_EDGE);
        assert_eq!(
            doc.notes,
            vec!["Resized from 3000×1000 to 1568×522 pixels.".to_owned()]
        );
        assert!(doc.text.is_none());
    }

    #[test]
    fn a_large_square_jpeg_is_resized_to_the_pixel_limit() {
        let doc = extract("photo", &encoded(gradient(1200, 1200), ImageFormat::Jpeg)).unwrap();
        let img = doc.image.as_ref().unwrap();
        assert_eq!((img.width, img.height), (1072, 1072));
        assert!(u64::from(img.width) * u64::from(img.height) <= MAX_IMAGE_PIXELS);
        assert_eq!(img.media_type, "image/jpeg");
        assert!(img.data.len() <= MAX_IMAGE_BYTES);
    }

    #[test]
    fn fit_keeps_both_limits_and_the_aspect() {
        assert_eq!(fit(800, 600), (800, 600));
        assert_eq!(fit(1568, 100), (1568, 100));
        assert_eq!(fit(10_000, 10), (MAX_IMAGE_EDGE, 1));
        for (w, h) in [(4000, 3000), (1500, 1500), (100, 20_000), (7, 9)] {
            let (nw, nh) = fit(w, h);
            assert!(
                nw.max(nh) <= MAX_IMAGE_EDGE && u64::from(nw) * u64::from(nh) <= MAX_IMAGE_PIXELS
            );
        }
    }

    /// A JPEG with an EXIF APP1 segment saying "rotate 90° clockwise to view"
    /// (orientation 6), as phones write them.
    fn jpeg_with_orientation(img: DynamicImage, orientation: u16) -> Vec<u8> {
        let jpeg = encoded(img, ImageFormat::Jpeg);
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend(1u16.to_le_bytes()); // one IFD entry
        tiff.extend(0x0112u16.to_le_bytes()); // Orientation
        tiff.extend(3u16.to_le_bytes()); // SHORT
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(orientation.to_le_bytes());
        tiff.extend([0, 0]);
        tiff.extend(0u32.to_le_bytes()); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend([0xFF, 0xE1]);
        out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn exif_orientation_is_applied() {
        // 40x20: left half red, right half blue.
        let src = DynamicImage::ImageRgb8(RgbImage::from_fn(40, 20, |x, _| {
            if x < 20 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        }));
        let doc = extract("phone.jpg", &jpeg_with_orientation(src, 6)).unwrap();
        let img = doc.image.as_ref().unwrap();
        assert_eq!((img.width, img.height), (20, 40));
        // Turned clockwise, the left (red) half is now on top.
        let out = decoded(&doc).to_rgb8();
        let top = out.get_pixel(10, 5);
        let bottom = out.get_pixel(10, 35);
        assert!(top[0] > 200 && top[2] < 60, "top {top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "bottom {bottom:?}");
    }

    #[test]
    fn small_images_within_the_limits_are_sent_unchanged() {
        let rgba = DynamicImage::ImageRgba8(RgbaImage::from_pixel(30, 20, Rgba([1, 2, 3, 128])));
        for (format, media_type) in [
            (ImageFormat::Png, "image/png"),
            (ImageFormat::Gif, "image/gif"),
            (ImageFormat::WebP, "image/webp"),
        ] {
            let bytes = encoded(rgba.clone(), format);
            let doc = extract("small", &bytes).unwrap();
            let img = doc.image.as_ref().unwrap();
            assert_eq!(img.media_type, media_type);
            assert_eq!(img.data, bytes, "{media_type}");
            assert_eq!((img.width, img.height), (30, 20));
            assert!(doc.notes.is_empty());
        }
    }

    // ---- Bad files ----

    #[test]
    fn an_empty_file_is_empty_and_white_space_has_no_text() {
        assert!(matches!(err("a.txt", b""), DocumentError::Empty { .. }));
        assert!(matches!(
            err("a.txt", b" \n\t\n"),
            DocumentError::NoText { .. }
        ));
        let empty_docx = zip_of(&[("word/document.xml", docx_body("<w:p/>").as_bytes())]);
        assert!(matches!(
            err("blank.docx", &empty_docx),
            DocumentError::NoText { .. }
        ));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_before_parsing() {
        let bytes = vec![b'a'; usize::try_from(MAX_FILE_BYTES).unwrap() + 1];
        let e = err("huge.txt", &bytes);
        assert!(matches!(e, DocumentError::TooLarge { .. }));
        let app = e.to_app_error();
        assert_eq!(app.code, ErrorCode::TooLarge);
        assert_eq!(
            app.message,
            "“huge.txt” is too large: 100.1 MB (the limit is 100 MB). Split it into smaller files, or attach only the part you need."
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_by_ratio_and_by_entry_count() {
        let zeros = vec![0u8; 20 * 1024 * 1024];
        let bomb = zip_of(&[("word/document.xml", &zeros)]);
        let e = err("bomb.docx", &bomb);
        assert!(matches!(e, DocumentError::ZipBomb { .. }), "{e}");
        assert_eq!(e.to_app_error().code, ErrorCode::TooLarge);

        let names: Vec<String> = (0..10_001).map(|i| format!("x/{i}")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let e = err("many.xlsx", &zip_of(&entries));
        assert_eq!(
            e.to_string(),
            "“many.xlsx” looks like a zip bomb: 10001 entries (the limit is 10000)"
        );
    }

    #[test]
    fn truncated_and_malformed_files_are_corrupt() {
        for (name, bytes) in [
            ("cut.docx", docx_fixture()),
            ("cut.xlsx", xlsx_fixture(3)),
            ("cut.png", png(gradient(64, 64))),
        ] {
            let half = &bytes[..bytes.len() / 2];
            let e = err(name, half);
            assert!(matches!(e, DocumentError::Corrupt { .. }), "{name}: {e}");
            assert!(
                e.to_app_error()
                    .message
                    .starts_with(&format!("“{name}” is damaged"))
            );
        }
        let bad_xml = zip_of(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]);
        assert!(matches!(
            err("bad.docx", &bad_xml),
            DocumentError::Corrupt { .. }
        ));
    }

    #[test]
    fn encrypted_office_files_are_reported_as_encrypted() {
        // Office saves a password-protected DOCX/XLSX as an OLE compound
        // file holding an EncryptedPackage stream.
        let mut cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
        cfb.extend([0u8; 504]);
        cfb.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        let e = err("secret.docx", &cfb);
        assert_eq!(
            e.to_app_error().message,
            "“secret.docx” is encrypted. Save a copy without a password and attach that."
        );
        let mut legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
        legacy.extend([0u8; 504]);
        assert!(matches!(
            err("old.doc", &legacy),
            DocumentError::Unsupported { .. }
        ));
    }

    /// A PDF with one Helvetica text page per entry (lines split at `\n`);
    /// an empty entry is a page with no text, as a scan has none.
    fn pdf_of(pages: &[&str]) -> Vec<u8> {
        const ID: &str = "0123456789abcdef0123456789abcdef";
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                (0..pages.len())
                    .map(|i| format!("{} 0 R", 4 + 2 * i))
                    .collect::<Vec<_>>()
                    .join(" "),
                pages.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_owned(),
        ];
        for (i, text) in pages.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            ));
            let mut content = String::new();
            if !text.is_empty() {
                content.push_str("BT /F1 12 Tf 72 720 Td 16 TL");
                for line in text.split('\n') {
                    content.push_str(&format!(" ({line}) Tj T*"));
                }
                content.push_str(" ET");
            }
            objects.push(format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ));
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /ID [<{ID}> <{ID}>] >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn pdf_text_comes_page_by_page_with_markers_and_pages_without_text_noted() {
        let bytes = pdf_of(&[
            "Quarterly report\nRevenue grew by twelve percent.",
            "",
            "Last page.",
        ]);
        // The name says .txt: the content decides.
        let doc = extract("paper.txt", &bytes).unwrap();
        assert_eq!(doc.kind, DocumentKind::Pdf);
        assert_eq!(doc.pages, Some(3));
        // pdf-inspector joins a page's lines into paragraphs and takes a
        // short last line for a heading.
        assert_eq!(
            text_of(&doc),
            "[Page 1]\n\nQuarterly report Revenue grew by twelve percent.\n\n\
             [Page 2] (no text layer)\n\n\
             [Page 3]\n\n## Last page."
        );
        assert_eq!(
            doc.notes,
            vec![
                "No readable text on page 2 (scanned, or a font without a Unicode map).".to_owned()
            ]
        );
    }

    #[test]
    fn a_pdf_with_a_user_password_is_encrypted() {
        use lopdf::{EncryptionState, EncryptionVersion, Permissions};
        let mut doc = lopdf::Document::load_mem(&pdf_of(&["Secret text."])).unwrap();
        let state = EncryptionState::try_from(EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: "user",
            key_length: 128,
            permissions: Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&state).unwrap();
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let e = err("locked.pdf", &bytes);
        assert_eq!(
            e.to_app_error().message,
            "“locked.pdf” is encrypted. Save a copy without a password and attach that."
        );
    }

    #[test]
    fn a_pdf_without_any_text_has_no_text_and_a_cut_one_is_corrupt() {
        assert!(matches!(
            err("scan.pdf", &pdf_of(&["", ""])),
            DocumentError::NoText { .. }
        ));
        let bytes = pdf_of(&["Some text."]);
        let e = err("cut.pdf", &bytes[..20]);
        assert!(matches!(e, DocumentError::Corrupt { .. }), "{e}");
    }

    #[test]
    fn text_that_starts_like_a_bitmap_is_still_text() {
        let doc = extract("cars.txt", b"BMW and Audi sold more cars this year.\n").unwrap();
        assert_eq!(doc.kind, DocumentKind::Text);
        assert!(text_of(&doc).starts_with("BMW and Audi"));
    }

    #[test]
    fn unsupported_types_say_what_they_are() {
        assert_eq!(
            err("tool", b"\x7fELF\x02\x01\x01\0rest").to_string(),
            "“tool” is a program, which cannot be read"
        );
        let pptx = zip_of(&[("ppt/presentation.xml", b"<p:presentation/>")]);
        assert_eq!(
            err("deck.pptx", &pptx).to_string(),
            "“deck.pptx” is a PowerPoint presentation, which cannot be read"
        );
        let plain_zip = zip_of(&[("a.txt", b"hi")]);
        assert!(
            err("a.zip", &plain_zip)
                .to_string()
                .contains("a zip archive")
        );
        assert!(matches!(
            err("blob.dat", b"\x00\x01\x02\x03binary\x00"),
            DocumentError::Unsupported { .. }
        ));
    }

    #[test]
    fn the_document_serializes_for_the_ui() {
        let doc = extract("main.rs", b"fn main() {}").unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            json["kind"],
            serde_json::json!({"type": "code", "language": "rust"})
        );
        assert_eq!(json["truncated"], false);
        let img = extract("i.png", &png(gradient(4, 4))).unwrap();
        let json = serde_json::to_value(&img).unwrap();
        assert!(json["image"]["data"].as_str().unwrap().starts_with("iVBOR"));
        let back: Document = serde_json::from_value(json).unwrap();
        assert_eq!(back, img);
    }

    /// Cut and scrambled versions of every fixture: each gives a document
    /// or a typed error, never a panic.
    #[test]
    fn cut_and_scrambled_files_never_panic() {
        let fixtures = [
            ("f.docx", docx_fixture()),
            ("f.odt", odt_fixture()),
            ("f.xlsx", xlsx_fixture(20)),
            ("f.png", png(gradient(40, 30))),
            ("f.jpg", jpeg_with_orientation(gradient(40, 30), 6)),
            ("f.html", b"<html><body><p>x</p></body></html>".to_vec()),
            ("f.pdf", pdf_of(&["Page one text.", "Page two text."])),
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (name, bytes) in &fixtures {
            for cut in (1..bytes.len()).step_by(bytes.len() / 40 + 1) {
                let _ = extract(name, &bytes[..cut]);
            }
            for _ in 0..40 {
                let mut scrambled = bytes.clone();
                for _ in 0..8 {
                    let at = usize::try_from(next() % bytes.len() as u64).unwrap();
                    scrambled[at] = (next() & 0xFF) as u8;
                }
                let _ = extract(name, &scrambled);
            }
        }
    }
}
