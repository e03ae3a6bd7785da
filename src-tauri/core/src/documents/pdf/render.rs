//! Pages drawn as pictures with hayro, for the pages whose text cannot be
//! read: the model reads the picture instead (vision reads scans well).

use std::io::Cursor;
use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings, render};
use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};

use super::super::image::encode;
use super::super::{DocumentError, DocumentImage, MAX_IMAGE_BYTES, fit, guarded};

/// Pixels per PDF point at most: 150 dpi, plenty for body text, before the
/// image limits (which bring an A4 page to about 110 dpi) apply.
const MAX_SCALE: f32 = 150.0 / 72.0;

/// A channel this far from the page's first pixel counts as ink: enough to
/// ignore rounding, little enough to keep pale pencil.
const INK_THRESHOLD: u8 = 24;

/// What drawing a page gave.
pub(super) enum Drawn {
    Image(DocumentImage),
    /// One colour all over: nothing to send.
    Blank,
}

/// A parsed PDF, ready to draw pages from.
pub(super) struct Pages {
    pdf: Pdf,
}

impl Pages {
    pub(super) fn open(name: &str, bytes: &[u8]) -> Result<Self, DocumentError> {
        let data = Arc::new(bytes.to_vec());
        let pdf = guarded(name, || {
            Pdf::new(data).map_err(|e| DocumentError::Corrupt {
                name: name.to_owned(),
                detail: format!("its pages cannot be drawn ({e:?})"),
            })
        })?;
        Ok(Self { pdf })
    }

    /// Draws page `index` (from 0) within the API's image limits. Each page
    /// has its own cache so a page that panics leaves nothing half-built
    /// for the next.
    pub(super) fn draw(&self, name: &str, index: usize) -> Result<Drawn, DocumentError> {
        let failed = |detail: String| DocumentError::Corrupt {
            name: name.to_owned(),
            detail,
        };
        guarded(name, || {
            let number = index + 1;
            let page = self
                .pdf
                .pages()
                .get(index)
                .ok_or_else(|| failed(format!("page {number} cannot be found")))?;
            let (width, height) = page.render_dimensions();
            if !(width.is_finite() && height.is_finite() && width >= 1.0 && height >= 1.0) {
                return Err(failed(format!("page {number} has no size")));
            }
            // `as` saturates, and fit() brings any size within the limits.
            let (w, h) = fit((width * MAX_SCALE) as u32, (height * MAX_SCALE) as u32);
            let settings = PixmapSettings {
                x_scale: w as f32 / width,
                y_scale: h as f32 / height,
                bg_color: WHITE,
            };
            let pixmap = render(
                page,
                &RenderCache::new(),
                &InterpreterSettings::default(),
                &RenderSettings::default(),
                &settings,
            );
            let (w, h) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
            // Drawn on opaque white, so premultiplied RGBA is plain RGBA.
            let rgb: Vec<u8> = pixmap
                .data_as_u8_slice()
                .chunks_exact(4)
                .flat_map(|px| px.iter().take(3).copied())
                .collect();
            let img = RgbImage::from_raw(w, h, rgb)
                .ok_or_else(|| failed(format!("page {number} was drawn at a wrong size")))?;
            if is_blank(&img) {
                return Ok(Drawn::Blank);
            }
            let (data, media_type) = encode_page(name, img)?;
            Ok(Drawn::Image(DocumentImage {
                data,
                media_type: media_type.to_owned(),
                width: w,
                height: h,
            }))
        })
    }
}

fn is_blank(img: &RgbImage) -> bool {
    let Some(first) = img.pixels().next() else {
        return true;
    };
    img.pixels().all(|px| {
        px.0.iter()
            .zip(first.0)
            .all(|(a, b)| a.abs_diff(b) <= INK_THRESHOLD)
    })
}

/// PNG, in grey when the page has no colour (a third of the bytes); JPEG
/// when the PNG is over [`MAX_IMAGE_BYTES`] (a photo-like scan).
fn encode_page(name: &str, img: RgbImage) -> Result<(Vec<u8>, &'static str), DocumentError> {
    let grey = img
        .pixels()
        .all(|px| px.0[0] == px.0[1] && px.0[1] == px.0[2]);
    let img = if grey {
        let (w, h) = img.dimensions();
        let luma: Vec<u8> = img.pixels().map(|px| px.0[0]).collect();
        GrayImage::from_raw(w, h, luma)
            .map_or(DynamicImage::ImageRgb8(img), DynamicImage::ImageLuma8)
    } else {
        DynamicImage::ImageRgb8(img)
    };
    let mut png = Vec::new();
    if img
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .is_ok()
        && png.len() <= MAX_IMAGE_BYTES
    {
        return Ok((png, "image/png"));
    }
    encode(name, &img, Some(ImageFormat::Jpeg))
}
