//! Registered fonts: the only fonts layout ever uses (no system fonts), their metrics and
//! their glyph outlines.

use crate::{Error, Result};
use easel_geom::{Outline, PathVerb};
use parley::fontique::{Blob, Collection, CollectionOptions, FontInfoOverride, SourceCache};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{
    DrawSettings, Engine, HintingInstance, HintingOptions, OutlinePen, SmoothMode, Target,
};
use skrifa::{FontRef, GlyphId, MetadataProvider};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A font registered in a [`FontLibrary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub u32);

/// Vertical metrics of a font, in em (font units divided by units per em).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FontMetrics {
    /// Distance from the baseline up to the ascender line.
    pub ascent: f32,
    /// Distance from the baseline down to the descender line (positive).
    pub descent: f32,
}

pub(crate) struct FontEntry {
    pub uri: String,
    /// The unique family name the font is registered under in the collection.
    pub family: String,
    pub blob: Blob<u8>,
    pub metrics: FontMetrics,
    /// Identifies the font's bytes across libraries (a hash of them).
    pub content: u64,
    units_per_em: f32,
}

/// The fonts text can use, by URI, with a parley font context over exactly these fonts.
///
/// ```
/// use easel_text::{FontLibrary, default_fonts};
///
/// let mut fonts = FontLibrary::new();
/// let regular = fonts.register("easel://NotoSans-Regular.ttf", default_fonts::REGULAR.to_vec())?;
/// assert_eq!(fonts.uri(regular)?, "easel://NotoSans-Regular.ttf");
/// assert!(fonts.register("bad.ttf", b"not a font".to_vec()).is_err());
/// # Ok::<(), easel_text::Error>(())
/// ```
pub struct FontLibrary {
    pub(crate) fonts: Vec<FontEntry>,
    by_uri: HashMap<String, FontId>,
    pub(crate) by_blob: HashMap<u64, FontId>,
    pub(crate) context: parley::FontContext,
    pub(crate) layout: parley::LayoutContext<u32>,
    outlines: HashMap<(FontId, u32), Arc<Outline>>,
    /// Hinted outlines by font, glyph and size (the bits of the pixels per em).
    hinted: HashMap<(FontId, u32, u32), Arc<Outline>>,
    /// A font's hinting state at a size; `None` when the font cannot be hinted there.
    hinters: HashMap<(FontId, u32), Option<HintingInstance>>,
}

/// Hinted outlines kept before the cache starts again empty (sizes are unbounded: each
/// automatic font size is one); at about a kilobyte an outline, some 16 MB.
const HINTED_CACHE_LIMIT: usize = 1 << 14;
/// Sizes above this many pixels per em draw unhinted: moving edges by under half a pixel
/// is lost in glyphs this large, and hinting them would only cost time.
pub const MAX_HINTED_PPEM: f32 = 4096.0;

impl Default for FontLibrary {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for FontLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontLibrary")
            .field(
                "fonts",
                &self.fonts.iter().map(|e| &e.uri).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl FontLibrary {
    /// An empty library. It never looks at the fonts installed on the machine, so the same
    /// text lays out the same everywhere.
    pub fn new() -> FontLibrary {
        FontLibrary {
            fonts: Vec::new(),
            by_uri: HashMap::new(),
            by_blob: HashMap::new(),
            context: parley::FontContext {
                collection: Collection::new(CollectionOptions {
                    shared: false,
                    system_fonts: false,
                }),
                source_cache: SourceCache::default(),
            },
            layout: parley::LayoutContext::new(),
            outlines: HashMap::new(),
            hinted: HashMap::new(),
            hinters: HashMap::new(),
        }
    }

    /// Registers the font file `bytes` under `uri` (the first face of a collection). A URI
    /// registered before keeps its font and id. Fails, naming the URI, if the bytes are not
    /// a font with outlines.
    pub fn register(&mut self, uri: &str, bytes: Vec<u8>) -> Result<FontId> {
        if let Some(id) = self.by_uri.get(uri) {
            return Ok(*id);
        }
        let invalid = |reason: String| Error::InvalidFont {
            uri: uri.to_string(),
            reason,
        };
        let (metrics, units_per_em) = {
            let font = FontRef::new(&bytes).map_err(|e| invalid(e.to_string()))?;
            if font.outline_glyphs().iter().next().is_none() {
                return Err(invalid("it has no glyph outlines".into()));
            }
            let m = font.metrics(Size::unscaled(), LocationRef::default());
            let upem = f32::from(m.units_per_em);
            if upem < 16.0 {
                return Err(invalid(format!("units per em {upem} is not usable")));
            }
            (
                FontMetrics {
                    ascent: m.ascent / upem,
                    descent: -m.descent / upem,
                },
                upem,
            )
        };
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        let content = hasher.finish();
        let id = FontId(self.fonts.len() as u32);
        let family = format!("easel-font-{}", id.0);
        let blob = Blob::new(Arc::new(bytes));
        let registered = self.context.collection.register_fonts(
            blob.clone(),
            Some(FontInfoOverride {
                family_name: Some(&family),
                ..Default::default()
            }),
        );
        if registered.is_empty() {
            return Err(invalid("the font collection found no usable face".into()));
        }
        self.by_blob.insert(blob.id(), id);
        self.by_uri.insert(uri.to_string(), id);
        self.fonts.push(FontEntry {
            uri: uri.to_string(),
            family,
            blob,
            metrics,
            content,
            units_per_em,
        });
        Ok(id)
    }

    /// The font registered under `uri`, if any.
    pub fn find(&self, uri: &str) -> Option<FontId> {
        self.by_uri.get(uri).copied()
    }

    pub(crate) fn entry(&self, id: FontId) -> Result<&FontEntry> {
        self.fonts
            .get(id.0 as usize)
            .ok_or(Error::UnknownFont(id.0))
    }

    /// The URI a font was registered under.
    pub fn uri(&self, id: FontId) -> Result<&str> {
        Ok(&self.entry(id)?.uri)
    }

    /// The font's vertical metrics.
    pub fn metrics(&self, id: FontId) -> Result<FontMetrics> {
        Ok(self.entry(id)?.metrics)
    }

    /// True when the font has a glyph for `c`.
    pub fn has_char(&self, id: FontId, c: char) -> Result<bool> {
        let entry = self.entry(id)?;
        Ok(FontRef::new(entry.blob.data())
            .ok()
            .and_then(|f| f.charmap().map(c))
            .is_some())
    }

    /// The outline of a glyph at 1 px per em (y down, origin on the baseline), cached. Its
    /// [`Outline::id`] names the font's bytes and the glyph, so the renderer can cache work
    /// on it across sizes, blocks and engines. A glyph the font does not have draws empty.
    pub fn outline(&mut self, font: FontId, glyph: u32) -> Result<Arc<Outline>> {
        if let Some(o) = self.outlines.get(&(font, glyph)) {
            return Ok(o.clone());
        }
        let entry = self.entry(font)?;
        let scale = 1.0 / entry.units_per_em;
        let mut pen = Pen {
            verbs: Vec::new(),
            scale,
        };
        if let Ok(f) = FontRef::new(entry.blob.data())
            && let Some(g) = f.outline_glyphs().get(GlyphId::new(glyph))
        {
            // A glyph that fails to draw (corrupt data) draws nothing rather than failing
            // the whole text.
            if g.draw(
                DrawSettings::unhinted(Size::unscaled(), LocationRef::default()),
                &mut pen,
            )
            .is_err()
            {
                pen.verbs.clear();
            }
        }
        let outline = Arc::new(Outline {
            id: entry.content.rotate_left(20) ^ u64::from(glyph),
            verbs: pen.verbs,
        });
        self.outlines.insert((font, glyph), outline.clone());
        Ok(outline)
    }

    /// The outline of a glyph hinted for `ppem` pixels per em, scaled back to 1 px per em
    /// (y down, origin on the baseline), cached. Hinting moves edges onto the pixel grid
    /// vertically only (FreeType's light hinting, through the font's own TrueType
    /// instructions or the automatic hinter for fonts without them), so advances and
    /// horizontal shapes stay as laid out: drawn at `ppem` on a baseline at a whole pixel,
    /// the bottoms and tops of letters fall on pixel edges, as CE.SDK draws them. A size
    /// that is not positive and finite, or above [`MAX_HINTED_PPEM`], or a glyph or font
    /// that cannot be hinted, gives the unhinted [`FontLibrary::outline`].
    ///
    /// ```
    /// use easel_text::{FontLibrary, default_fonts};
    ///
    /// let mut fonts = FontLibrary::new();
    /// let f = fonts.register("noto", default_fonts::REGULAR.to_vec())?;
    /// let hinted = fonts.hinted_outline(f, 43, 25.0)?; // "H" at 25 px per em
    /// assert_ne!(hinted.id, fonts.outline(f, 43)?.id);
    /// assert_eq!(fonts.hinted_outline(f, 43, f32::NAN)?.id, fonts.outline(f, 43)?.id);
    /// # Ok::<(), easel_text::Error>(())
    /// ```
    pub fn hinted_outline(&mut self, font: FontId, glyph: u32, ppem: f32) -> Result<Arc<Outline>> {
        if !(ppem > 0.0 && ppem <= MAX_HINTED_PPEM) {
            return self.outline(font, glyph);
        }
        let key = (font, glyph, ppem.to_bits());
        if let Some(o) = self.hinted.get(&key) {
            return Ok(o.clone());
        }
        if self.hinted.len() >= HINTED_CACHE_LIMIT {
            self.hinted.clear();
            self.hinters.clear();
        }
        let entry = self
            .fonts
            .get(font.0 as usize)
            .ok_or(Error::UnknownFont(font.0))?;
        let Ok(f) = FontRef::new(entry.blob.data()) else {
            return self.outline(font, glyph);
        };
        let glyphs = f.outline_glyphs();
        let hinter = self
            .hinters
            .entry((font, ppem.to_bits()))
            .or_insert_with(|| {
                let options = HintingOptions {
                    engine: Engine::AutoFallback,
                    target: Target::Smooth {
                        mode: SmoothMode::Light,
                        symmetric_rendering: true,
                        preserve_linear_metrics: true,
                    },
                };
                HintingInstance::new(&glyphs, Size::new(ppem), LocationRef::default(), options).ok()
            });
        let mut pen = Pen {
            verbs: Vec::new(),
            scale: 1.0 / ppem,
        };
        let drawn = match (hinter.as_ref(), glyphs.get(GlyphId::new(glyph))) {
            (Some(h), Some(g)) => g.draw(DrawSettings::hinted(h, false), &mut pen).is_ok(),
            _ => false,
        };
        if !drawn {
            return self.outline(font, glyph);
        }
        let mut id = std::collections::hash_map::DefaultHasher::new();
        (entry.content, glyph, ppem.to_bits()).hash(&mut id);
        let outline = Arc::new(Outline {
            id: id.finish(),
            verbs: pen.verbs,
        });
        self.hinted.insert(key, outline.clone());
        Ok(outline)
    }
}

struct Pen {
    verbs: Vec<PathVerb>,
    scale: f32,
}

impl Pen {
    fn p(&self, x: f32, y: f32) -> [f32; 2] {
        [x * self.scale, -y * self.scale]
    }
}

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.verbs.push(PathVerb::MoveTo(self.p(x, y)));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.verbs.push(PathVerb::LineTo(self.p(x, y)));
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.verbs
            .push(PathVerb::QuadTo(self.p(cx0, cy0), self.p(x, y)));
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.verbs.push(PathVerb::CubicTo(
            self.p(cx0, cy0),
            self.p(cx1, cy1),
            self.p(x, y),
        ));
    }
    fn close(&mut self) {
        self.verbs.push(PathVerb::Close);
    }
}
