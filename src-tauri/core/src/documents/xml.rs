//! Small helpers over quick-xml events shared by the DOCX and ODT readers.

use quick_xml::events::{BytesRef, BytesStart};

/// An element's name without its namespace prefix (`w:p` -> `p`).
pub(crate) fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

/// An attribute's value by its local name (`w:val` -> `val`).
pub(crate) fn attr(e: &BytesStart<'_>, local_name: &[u8]) -> Option<String> {
    e.attributes()
        .filter_map(Result::ok)
        .find(|a| a.key.local_name().as_ref().as_bytes() == local_name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// `&amp;`, `&#1071;` and the other references XML text is split at.
pub(crate) fn reference(r: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    let name = r.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .unwrap_or_default()
        .to_owned()
}

/// One step of a walk over an XML part. An empty element (`<w:br/>`) is an
/// `Open` followed by a `Close`.
pub(crate) enum Ev<'a> {
    Open(&'a [u8], &'a BytesStart<'a>),
    Close(&'a [u8]),
    Text(&'a str),
}

/// Feeds every element and text run of `xml` to `f`. Unknown elements are
/// the caller's to ignore; only malformed XML is an error.
pub(crate) fn walk(xml: &str, mut f: impl FnMut(Ev<'_>)) -> Result<(), quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event()? {
            Event::Start(e) => f(Ev::Open(local(&e).as_bytes(), &e)),
            Event::Empty(e) => {
                let name = local(&e);
                f(Ev::Open(name.as_bytes(), &e));
                f(Ev::Close(name.as_bytes()));
            }
            Event::End(e) => f(Ev::Close(e.local_name().as_ref().as_bytes())),
            Event::Text(t) => f(Ev::Text(&t.xml10_content())),
            Event::CData(t) => f(Ev::Text(&t.into_inner())),
            Event::GeneralRef(r) => f(Ev::Text(&reference(&r))),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}
