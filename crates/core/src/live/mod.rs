//! Open-time content shared by the feeds and the live images of `tessera serve`: the shape each
//! feed kind answers ([`shape`]) and the SVG a live image is drawn from ([`svg`]). The HTML part's
//! reference to a live image is written by `compose::live_image`.

pub mod shape;
pub mod svg;

pub use shape::{Product, Shape, ShapeInput};
pub use svg::{draw, LiveSvg};
