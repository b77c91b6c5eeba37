//! Live images for every client that does not run AMP: `GET /live/<email>/<block>.png?t=<token>`
//! draws the block's feed shape (`tessera_core::live`) at open time, from the block type's SVG
//! template rasterized by resvg at twice the CSS pixel size, with text set in the Lato font shipped
//! in `crates/live/fonts/` (no system font is looked up). `.svg` answers the SVG itself, for
//! checking the drawing against another rasterizer.
//!
//! - The token (purpose `live-image`) carries the profile id, the email and the block and must
//!   match the path; a forged, expired, revoked or mismatched token, or a block that does not opt in
//!   to live images, gets 403 with an empty body.
//! - Images are cached per (token, minute): an open within the same minute gets the same bytes
//!   (a new minute starts an empty cache; each cache is bounded in bytes).
//! - An image whose data cannot be read within [`BUDGET`](crate::feeds::BUDGET) (a slow or
//!   failing store), or that cannot be drawn, is answered with the last image drawn for that
//!   recipient and block; else with the block drawn from the values it showed the recipient when
//!   the email was sent (`.tessera/sent-values.db`, see `tessera_store::sent_values`); else from
//!   the block's own fields without recipient data. A countdown needs no store: it always counts
//!   from the block's own end time. All with `Cache-Control: no-store`: never a broken image. The
//!   `.svg` answers the same way (the drawing of the send-time values, or the defaults).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use resvg::{tiny_skia, usvg};
use serde_json::Value;
use tessera_core::live::{LiveSvg, Shape};
use tessera_core::model::Feed;
use tessera_workspace::amp::{LiveFeed, IMAGE_PURPOSE};

use crate::feeds::{query_param, BUDGET};
use crate::server::Shared;

/// Pixels per CSS pixel.
pub const DENSITY: f32 = 2.0;
/// Bytes of images each cache keeps before it is emptied (memory stays flat under load).
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Images by key, emptied when over [`CACHE_BYTES`].
struct Bounded<K> {
    bytes: usize,
    images: HashMap<K, Bytes>,
}

impl<K: std::hash::Hash + Eq> Bounded<K> {
    fn new() -> Self {
        Self {
            bytes: 0,
            images: HashMap::new(),
        }
    }

    fn insert(&mut self, key: K, image: Bytes) {
        if self.bytes + image.len() > CACHE_BYTES {
            self.images.clear();
            self.bytes = 0;
        }
        self.bytes += image.len();
        if let Some(old) = self.images.insert(key, image) {
            self.bytes -= old.len();
        }
    }
}

/// This minute's images by token: a new minute starts empty.
struct ThisMinute {
    minute: i64,
    images: Bounded<String>,
}

static LATO_REGULAR: &[u8] = include_bytes!("../fonts/Lato-Regular.ttf");
static LATO_BOLD: &[u8] = include_bytes!("../fonts/Lato-Bold.ttf");

/// Why a live image could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// The SVG did not parse (a template bug).
    #[error("the live image's SVG is invalid: {0}")]
    Svg(#[from] usvg::Error),
    /// The image has no pixels or is too large.
    #[error("the live image's size is invalid")]
    Size,
    /// PNG encoding failed.
    #[error("the live image could not be encoded: {0}")]
    Png(String),
}

/// The rasterizer with the shipped fonts, and the caches.
pub struct Images {
    options: usvg::Options<'static>,
    by_minute: Mutex<ThisMinute>,
    last: Mutex<Bounded<(i64, String, String)>>,
}

impl Default for Images {
    fn default() -> Self {
        Self::new()
    }
}

impl Images {
    /// A rasterizer that knows only the fonts shipped with the project.
    #[must_use]
    pub fn new() -> Self {
        let mut options = usvg::Options {
            font_family: tessera_core::live::svg::FONT_FAMILY.to_owned(),
            ..usvg::Options::default()
        };
        let fonts = options.fontdb_mut();
        fonts.load_font_data(LATO_REGULAR.to_vec());
        fonts.load_font_data(LATO_BOLD.to_vec());
        Self {
            options,
            by_minute: Mutex::new(ThisMinute {
                minute: 0,
                images: Bounded::new(),
            }),
            last: Mutex::new(Bounded::new()),
        }
    }

    /// Rasterizes `drawn` at [`DENSITY`] into a PNG.
    ///
    /// # Errors
    /// See [`DrawError`].
    pub fn png(&self, drawn: &LiveSvg) -> Result<Vec<u8>, DrawError> {
        let tree = usvg::Tree::from_str(&drawn.svg, &self.options)?;
        let size = tree.size().to_int_size().scale_by(DENSITY).ok_or(DrawError::Size)?;
        SCRATCH.with_borrow_mut(|(kept, straight)| {
            let pixmap = match kept {
                Some(p) if (p.width(), p.height()) == (size.width(), size.height()) => {
                    p.fill(tiny_skia::Color::TRANSPARENT);
                    p
                }
                slot => slot.insert(tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(DrawError::Size)?),
            };
            resvg::render(
                &tree,
                tiny_skia::Transform::from_scale(DENSITY, DENSITY),
                &mut pixmap.as_mut(),
            );
            encode_png(pixmap, straight).map_err(|e| DrawError::Png(e.to_string()))
        })
    }
}

thread_local! {
    /// Each drawing thread's last pixmap and colour buffer, reused while the size is the same:
    /// allocating 1.6 MB afresh per image cost more in page faults than clearing it does.
    static SCRATCH: std::cell::RefCell<(Option<tiny_skia::Pixmap>, Vec<u8>)> =
        const { std::cell::RefCell::new((None, Vec::new())) };
}

/// Encodes `pixmap` as a PNG with fdeflate's fast mode (`png::Compression::Fast`): a few times
/// cheaper than resvg's own `encode_png` (miniz at its default level), for files about twice as
/// large. `straight` is the buffer the colours are written to. An opaque drawing is written as
/// RGB (premultiplied and straight colours are the same there); otherwise RGBA, demultiplying
/// only the pixels that are neither opaque nor fully transparent (the templates' rounded corners).
fn encode_png(pixmap: &tiny_skia::Pixmap, straight: &mut Vec<u8>) -> Result<Vec<u8>, png::EncodingError> {
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    straight.clear();
    let colour = if opaque {
        for pixel in pixmap.data().chunks_exact(4) {
            straight.extend_from_slice(&pixel[..3]);
        }
        png::ColorType::Rgb
    } else {
        for pixel in pixmap.data().chunks_exact(4) {
            match pixel[3] {
                0 | u8::MAX => straight.extend_from_slice(pixel),
                alpha => {
                    let demultiply = |c: u8| {
                        let c = (u16::from(c) * 255 + u16::from(alpha) / 2) / u16::from(alpha);
                        u8::try_from(c).unwrap_or(u8::MAX)
                    };
                    straight.extend([demultiply(pixel[0]), demultiply(pixel[1]), demultiply(pixel[2]), alpha]);
                }
            }
        }
        png::ColorType::Rgba
    };
    let mut out = Vec::with_capacity(straight.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(straight)?;
    writer.finish()?;
    Ok(out)
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "").into_response()
}

fn answer(kind: &'static str, body: Bytes, cache: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The block's shape from its own fields, without recipient data, at `now` (Unix seconds): all a
/// countdown needs, and the last resort of the others.
fn defaults(feed: &LiveFeed, now: i64) -> Shape {
    let empty = Value::Object(serde_json::Map::new());
    Shape::compute(&tessera_core::live::ShapeInput {
        feed: feed.spec.feed,
        fields: &feed.fields,
        data: &empty,
        stock: &HashMap::new(),
        now,
    })
}

/// What is drawn when the store cannot answer: the values the block showed `profile` when the
/// email was sent, else the block's defaults (a countdown always counts from its own end time).
async fn fallback_shape(shared: &Shared, feed: &LiveFeed, profile: i64, now: i64) -> Shape {
    if feed.spec.feed != Feed::Countdown {
        let sent = shared.feeds.sent_values(profile, &feed.email, &feed.block).await;
        if let Some(shape) = sent.and_then(|s| serde_json::from_value(s.shape).ok()) {
            return shape;
        }
    }
    defaults(feed, now)
}

/// `GET /live/<email>/<block>.png?t=<token>` (and `.svg`).
pub async fn live_image(
    State(shared): State<Arc<Shared>>,
    Path((email, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let (block, svg_only) = if let Some(block) = file.strip_suffix(".png") {
        (block.to_owned(), false)
    } else if let Some(block) = file.strip_suffix(".svg") {
        (block.to_owned(), true)
    } else {
        return (StatusCode::NOT_FOUND, "").into_response();
    };
    let feeds = &shared.feeds;
    let query = query.unwrap_or_default();
    let Some(token) = query_param(&query, "t") else {
        return forbidden();
    };
    let Some(feed) = feeds.feed(&email, &block).filter(|f| f.spec.image) else {
        return forbidden();
    };
    let Some(profile) = feeds.verify(IMAGE_PURPOSE, &token, &email, &block) else {
        return forbidden();
    };
    let images = &shared.images;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let minute = now.div_euclid(60);
    if !svg_only {
        let hit = images.by_minute.lock().ok().and_then(|c| {
            (c.minute == minute)
                .then(|| c.images.images.get(&token).cloned())
                .flatten()
        });
        if let Some(hit) = hit {
            return answer("image/png", hit, "private, max-age=60");
        }
    }
    // The budget bounds the store's part (the recipient's data now); drawing is the server's own
    // work and is not cut short.
    let shape = {
        let shared = Arc::clone(&shared);
        let feed = feed.clone();
        tokio::task::spawn_blocking(move || shared.feeds.shape_now(&feed, profile, now))
    };
    let last_key = (profile, email, block);
    if let Ok(Ok(Ok(shape))) = tokio::time::timeout(BUDGET, shape).await {
        let drawn = feed.draw(&shape);
        if svg_only {
            return answer("image/svg+xml", Bytes::from(drawn.svg), "private, max-age=60");
        }
        let shared = Arc::clone(&shared);
        let png = tokio::task::spawn_blocking(move || shared.images.png(&drawn)).await;
        if let Ok(Ok(png)) = png {
            let bytes = Bytes::from(png);
            if let Ok(mut cache) = images.by_minute.lock() {
                if cache.minute != minute {
                    *cache = ThisMinute {
                        minute,
                        images: Bounded::new(),
                    };
                }
                cache.images.insert(token, bytes.clone());
            }
            if let Ok(mut last) = images.last.lock() {
                last.insert(last_key.clone(), bytes.clone());
            }
            return answer("image/png", bytes, "private, max-age=60");
        }
    }
    if !svg_only {
        let last = images.last.lock().ok().and_then(|l| l.images.get(&last_key).cloned());
        if let Some(bytes) = last {
            return answer("image/png", bytes, "no-store");
        }
    }
    let drawn = feed.draw(&fallback_shape(&shared, feed, profile, now).await);
    if svg_only {
        return answer("image/svg+xml", Bytes::from(drawn.svg), "no-store");
    }
    let png = {
        let shared = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || shared.images.png(&drawn)).await
    };
    match png {
        Ok(Ok(png)) => answer("image/png", Bytes::from(png), "no-store"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `bytes` into (colour type, width, height, pixels).
    fn decode(bytes: &[u8]) -> (png::ColorType, u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info.color_type, info.width, info.height, pixels)
    }

    #[test]
    fn opaque_drawings_are_rgb_and_translucent_ones_keep_straight_alpha() {
        let mut opaque = tiny_skia::Pixmap::new(3, 2).unwrap();
        opaque.fill(tiny_skia::Color::from_rgba8(10, 200, 30, 255));
        let (colour, w, h, pixels) = decode(&encode_png(&opaque, &mut Vec::new()).unwrap());
        assert_eq!((colour, w, h), (png::ColorType::Rgb, 3, 2));
        assert_eq!(pixels, [10, 200, 30].repeat(6));

        let mut translucent = tiny_skia::Pixmap::new(2, 1).unwrap();
        translucent.fill(tiny_skia::Color::from_rgba8(200, 100, 50, 128));
        let (colour, _, _, pixels) = decode(&encode_png(&translucent, &mut Vec::new()).unwrap());
        assert_eq!(colour, png::ColorType::Rgba);
        for pixel in pixels.chunks_exact(4) {
            assert_eq!(pixel[3], 128);
            for (got, want) in pixel[..3].iter().zip([200u8, 100, 50]) {
                assert!(got.abs_diff(want) <= 2, "{pixel:?}");
            }
        }
    }
}
