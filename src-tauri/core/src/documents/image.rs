//! Images the model can see: PNG, JPEG, GIF and WebP, turned upright by
//! their EXIF orientation and brought within the API's limits.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::{Document, DocumentError, DocumentImage, DocumentKind, guarded};

/// The API downscales anything whose long edge is longer.
pub const MAX_IMAGE_EDGE: u32 = 1568;
/// About 1,600 tokens; larger images cost more and are downscaled.
pub const MAX_IMAGE_PIXELS: u64 = 1_150_000;
/// Encoded size; the gateways' (Bedrock, Vertex) limit, under the direct
/// API's 10 MB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Larger pictures are refused before decoding (a 20,000 x 20,000 RGBA
/// image is 1.6 GB).
pub const MAX_DECODE_EDGE: u32 = 20_000;
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// JPEG qualities tried in turn until the image fits [`MAX_IMAGE_BYTES`].
const JPEG_QUALITIES: [u8; 4] = [85, 70, 55, 40];

pub fn image(name: &str, bytes: &[u8]) -> Result<Document, DocumentError> {
    guarded(name, || {
        let (data, media_type, width, height, note) = prepare(name, bytes)?;
        let mut doc = Document::new(name, DocumentKind::Image);
        doc.image = Some(DocumentImage {
            data,
            media_type: media_type.to_owned(),
            width,
            height,
        });
        doc.notes.extend(note);
        Ok(doc)
    })
}

type Prepared = (Vec<u8>, &'static str, u32, u32, Option<String>);

fn prepare(name: &str, bytes: &[u8]) -> Result<Prepared, DocumentError> {
    let err = |e: ImageError| image_error(name, e);
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| err(ImageError::IoError(e)))?;
    let format = reader.format();
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_EDGE);
    limits.max_image_height = Some(MAX_DECODE_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(err)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(err)?;
    img.apply_orientation(orientation);

    let (w, h) = (img.width(), img.height());
    let (nw, nh) = fit(w, h);
    let passthrough = media_type(format).filter(|_| {
        orientation == Orientation::NoTransforms
            && (nw, nh) == (w, h)
            && bytes.len() <= MAX_IMAGE_BYTES
    });
    if let Some(media_type) = passthrough {
        return Ok((bytes.to_vec(), media_type, w, h, None));
    }
    if (nw, nh) != (w, h) {
        img = img.resize_exact(nw, nh, FilterType::Lanczos3);
    }
    let note = ((nw, nh) != (w, h)).then(|| format!("Resized from {w}×{h} to {nw}×{nh} pixels."));
    let (data, media_type) = encode(name, &img, format)?;
    Ok((data, media_type, nw, nh, note))
}

/// The size within the long-edge and pixel-count limits, aspect kept
/// (rounded down, so never over either limit).
pub fn fit(w: u32, h: u32) -> (u32, u32) {
    let (w64, h64, edge) = (u64::from(w), u64::from(h), u64::from(MAX_IMAGE_EDGE));
    let (mut nw, mut nh) = (w64, h64);
    if w64.max(h64) > edge {
        // Integer arithmetic, so the long edge lands exactly on the limit.
        if w64 >= h64 {
            (nw, nh) = (edge, h64 * edge / w64);
        } else {
            (nw, nh) = (w64 * edge / h64, edge);
        }
    }
    if nw * nh > MAX_IMAGE_PIXELS {
        let scale = (MAX_IMAGE_PIXELS as f64 / (nw * nh) as f64).sqrt();
        nw = (nw as f64 * scale).floor() as u64;
        nh = (nh as f64 * scale).floor() as u64;
        while nw * nh > MAX_IMAGE_PIXELS {
            if nw >= nh { nw -= 1 } else { nh -= 1 }
        }
    }
    let clamp = |v: u64| u32::try_from(v.max(1)).unwrap_or(MAX_IMAGE_EDGE);
    (clamp(nw), clamp(nh))
}

fn media_type(format: Option<ImageFormat>) -> Option<&'static str> {
    match format? {
        ImageFormat::Png => Some("image/png"),
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::Gif => Some("image/gif"),
        ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

/// PNG for pictures with transparency or from lossless sources when it
/// fits, JPEG otherwise (quality lowered until it fits).
pub(crate) fn encode(
    name: &str,
    img: &DynamicImage,
    source: Option<ImageFormat>,
) -> Result<(Vec<u8>, &'static str), DocumentError> {
    let lossless_source = !matches!(source, Some(ImageFormat::Jpeg));
    if img.color().has_alpha() || lossless_source {
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(img.to_rgba8())
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| image_error(name, e))?;
        if png.len() <= MAX_IMAGE_BYTES {
            return Ok((png, "image/png"));
        }
    }
    let rgb = img.to_rgb8();
    for quality in JPEG_QUALITIES {
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(&rgb)
            .map_err(|e| image_error(name, e))?;
        if jpeg.len() <= MAX_IMAGE_BYTES {
            return Ok((jpeg, "image/jpeg"));
        }
    }
    Err(DocumentError::TooLarge {
        name: name.to_owned(),
        what: format!("even as a JPEG it is over {MAX_IMAGE_BYTES} bytes"),
    })
}

fn image_error(name: &str, e: ImageError) -> DocumentError {
    let name = name.to_owned();
    match e {
        ImageError::Limits(_) => DocumentError::TooLarge {
            name,
            what: format!(
                "images over {MAX_DECODE_EDGE} pixels a side or {MAX_DECODE_BYTES} bytes decoded are not opened"
            ),
        },
        ImageError::Unsupported(u) => DocumentError::Unsupported {
            name,
            what: format!("an image this version cannot decode ({u})"),
        },
        other => DocumentError::Corrupt {
            name,
            detail: format!("the image cannot be decoded ({other})"),
        },
    }
}
