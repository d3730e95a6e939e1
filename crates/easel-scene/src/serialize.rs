//! Versioned JSON save/load of a scene or of a list of blocks.

use crate::graph::{Block, validate};
use crate::schema::{Computed, PropertySpec, schema};
use crate::{
    BlockId, BlockType, Error, GradientStop, PropertyType, PropertyValue, Result, SceneGraph,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version this build writes; it also reads version 1.
///
/// Files store only the properties that differ from their defaults, so a changed default
/// is a new version. Version 2: a fresh text block says "Text" at 10 pt with an Absolute
/// height, as the reference's does (version 1: empty, 12 pt, Auto height).
pub const FORMAT_VERSION: u64 = 2;

/// The defaults version 1 had where version 2 changed them (all a text block's): a version
/// 1 file that leaves these out meant these values.
fn version_1_text_defaults() -> [(&'static str, PropertyValue); 3] {
    [
        (crate::keys::TEXT_TEXT, PropertyValue::String(String::new())),
        (crate::keys::TEXT_FONT_SIZE, PropertyValue::Float(12.0)),
        (crate::keys::HEIGHT_MODE, PropertyValue::Enum("Auto".into())),
    ]
}

const FORMAT_NAME: &str = "easel/scene";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedDocument {
    format: String,
    version: u64,
    /// Indices of the top-level blocks; for a scene document, the first is the scene.
    roots: Vec<usize>,
    blocks: Vec<SavedBlock>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedBlock {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    children: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shape: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fill: Option<usize>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gradient_stops: Option<Vec<GradientStop>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dash_array: Vec<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    text_runs: Vec<crate::TextRun>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typeface: Option<crate::Typeface>,
}

impl SceneGraph {
    /// Saves the current scene as versioned JSON.
    pub fn save_to_string(&self) -> Result<String> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        self.save_blocks_to_string(&[scene])
    }

    /// Saves blocks (with their subtrees, shapes and fills) as versioned JSON.
    pub fn save_blocks_to_string(&self, roots: &[BlockId]) -> Result<String> {
        let mut doc = SavedDocument {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            roots: Vec::new(),
            blocks: Vec::new(),
        };
        for root in roots {
            let index = self.save_block(*root, &mut doc.blocks)?;
            doc.roots.push(index);
        }
        serde_json::to_string(&doc).map_err(|e| Error::Malformed(e.to_string()))
    }

    /// Saves a subtree in pre-order (each block, its shape, its fill, then its children's
    /// subtrees in order), without recursion. Returns the root's index.
    fn save_block(&self, root: BlockId, out: &mut Vec<SavedBlock>) -> Result<usize> {
        let root_index = out.len();
        let mut pending: Vec<(BlockId, Option<usize>)> = vec![(root, None)];
        while let Some((id, parent)) = pending.pop() {
            let index = self.save_one(id, out)?;
            if let Some(p) = parent {
                out[p].children.push(index);
            }
            let block = self.block(id)?;
            if let Some(s) = block.shape {
                out[index].shape = Some(self.save_one(s, out)?);
            }
            if let Some(f) = block.fill {
                out[index].fill = Some(self.save_one(f, out)?);
            }
            pending.extend(block.children.iter().rev().map(|c| (*c, Some(index))));
        }
        Ok(root_index)
    }

    /// Appends one block's own data (no children, shape or fill references yet).
    fn save_one(&self, id: BlockId, out: &mut Vec<SavedBlock>) -> Result<usize> {
        let block = self.block(id)?;
        let specs = &schema(block.ty).specs;
        let properties = block
            .props
            .iter()
            .map(|(i, v)| (specs[*i as usize].key.to_string(), v.to_json()))
            .collect();
        let index = out.len();
        out.push(SavedBlock {
            ty: block.ty.long_name(),
            children: Vec::new(),
            shape: None,
            fill: None,
            properties,
            metadata: block.metadata.clone(),
            kind: block.kind.clone(),
            gradient_stops: matches!(block.ty, BlockType::Fill(_))
                .then(|| block.gradient_stops.clone())
                .filter(|s| !s.is_empty()),
            dash_array: block.dash_array.clone(),
            text_runs: match block.ty {
                BlockType::Text => self.text_runs(id)?,
                _ => Vec::new(),
            },
            typeface: block.text.as_ref().and_then(|t| t.typeface.clone()),
        });
        Ok(index)
    }

    /// Loads a scene saved by [`Self::save_to_string`], replacing the current scene. On any
    /// error the graph is left as it was.
    pub fn load_from_string(&mut self, json: &str) -> Result<BlockId> {
        let doc = parse(json)?;
        self.load_document(doc)
    }

    /// Loads a checked document (Easel's own, or a translated foreign scene) as the scene,
    /// replacing the current one. The document's first root must be a scene.
    pub(crate) fn load_document(&mut self, doc: LoadedDocument) -> Result<BlockId> {
        let (root, ty) = doc
            .roots
            .first()
            .and_then(|r| Some((*r, doc.blocks.get(*r)?.block.ty)))
            .ok_or_else(|| Error::Malformed("no root block".into()))?;
        if ty != BlockType::Scene {
            return Err(Error::Malformed(format!(
                "the first root is a {}, not a scene",
                ty.long_name()
            )));
        }
        if let Some(old) = self.scene {
            self.destroy(old)?;
        }
        let ids = self.insert_all(doc.blocks)?;
        self.scene = Some(ids[root]);
        Ok(ids[root])
    }

    /// Loads blocks saved by [`Self::save_blocks_to_string`]; they come back unattached.
    pub fn load_blocks_from_string(&mut self, json: &str) -> Result<Vec<BlockId>> {
        let doc = parse(json)?;
        let roots = doc.roots.clone();
        let ids = self.insert_all(doc.blocks)?;
        Ok(roots.iter().map(|r| ids[*r]).collect())
    }

    fn insert_all(&mut self, blocks: Vec<LoadedBlock>) -> Result<Vec<BlockId>> {
        let mut links = Vec::with_capacity(blocks.len());
        let ids: Vec<BlockId> = blocks
            .into_iter()
            .map(|b| {
                links.push(b.links);
                self.insert(b.block)
            })
            .collect();
        for (i, l) in links.into_iter().enumerate() {
            let id = ids[i];
            let children: Vec<BlockId> = l.children.iter().map(|c| ids[*c]).collect();
            for c in &children {
                self.block_mut(*c)?.parent = Some(id);
            }
            let shape = l.shape.map(|s| ids[s]);
            let fill = l.fill.map(|f| ids[f]);
            for part in shape.iter().chain(fill.iter()) {
                self.block_mut(*part)?.owner = Some(id);
            }
            let b = self.block_mut(id)?;
            b.children = children;
            b.shape = shape;
            b.fill = fill;
        }
        self.layout_dirty = true;
        Ok(ids)
    }
}

/// A document ready to insert: every block built and checked, and the links between them
/// (indices into `blocks`) checked to form a forest of allowed parent/child kinds. Built
/// from Easel's own files by [`parse`] and from foreign scenes by their translators, which
/// go through [`LoadedDocument::check`] the same way.
pub(crate) struct LoadedDocument {
    /// Indices of the top-level blocks; for a scene, the first is the scene.
    pub roots: Vec<usize>,
    pub blocks: Vec<LoadedBlock>,
}

/// One block of a [`LoadedDocument`] with its links.
pub(crate) struct LoadedBlock {
    pub block: Block,
    pub links: Links,
}

/// A block's children, shape and fill, as indices into the document's blocks.
#[derive(Default)]
pub(crate) struct Links {
    pub children: Vec<usize>,
    pub shape: Option<usize>,
    pub fill: Option<usize>,
}

/// Sets a stored property of a block being loaded, with the setters' checks on the value's
/// type and range. A number given for an `Int`, `Float` or `Double` property is converted to
/// it, a string to a `String` or `Enum`. Returns false, storing nothing, when the block type
/// has no such stored property (a newer file's keys are ignored, as in Easel's own files).
pub(crate) fn load_property(block: &mut Block, key: &str, value: PropertyValue) -> Result<bool> {
    let Some((index, spec)) = stored_spec(block.ty, key) else {
        return Ok(false);
    };
    let value = match (spec.ty, value) {
        (PropertyType::Float, PropertyValue::Double(d)) => PropertyValue::Float(d as f32),
        (PropertyType::Double, PropertyValue::Float(f)) => PropertyValue::Double(f as f64),
        (PropertyType::Int, PropertyValue::Double(d))
            if d.fract() == 0.0 && d.abs() <= i32::MAX as f64 =>
        {
            PropertyValue::Int(d as i32)
        }
        (PropertyType::String, PropertyValue::Enum(s)) => PropertyValue::String(s),
        (PropertyType::Enum, PropertyValue::String(s)) => PropertyValue::Enum(s),
        (ty, value) if value.property_type() == ty => value,
        (ty, value) => {
            return Err(Error::Malformed(format!(
                "`{key}` of a {} is a {ty} property, not {value}",
                block.ty.long_name()
            )));
        }
    };
    validate(spec, &value)?;
    block.store(index, value, &spec.default);
    Ok(true)
}

/// A stored property of a block type by key, with its index: what a load may set (keys of a
/// newer format version, and computed ones, are not).
fn stored_spec(ty: BlockType, key: &str) -> Option<(u16, &'static PropertySpec)> {
    let schema = schema(ty);
    let index = schema.index(key)?;
    let spec = &schema.specs[index as usize];
    (spec.computed == Computed::Stored).then_some((index, spec))
}

/// Gives a text block its runs and typeface, once its text is set: the runs must cover the
/// text end to end (or be empty: the block's defaults then style all of it).
pub(crate) fn load_text(
    label: &dyn std::fmt::Display,
    block: &mut Block,
    runs: Vec<crate::TextRun>,
    typeface: Option<crate::Typeface>,
) -> Result<()> {
    let schema = schema(BlockType::Text);
    let index = schema.index(crate::keys::TEXT_TEXT).unwrap_or(0);
    let text = match block
        .stored(index)
        .or_else(|| schema.specs.get(index as usize).map(|s| &s.default))
    {
        Some(PropertyValue::String(t)) => t.as_str(),
        _ => "",
    };
    check_runs(label, text, &runs)?;
    block.text = Some(Box::new(crate::text::TextData {
        runs,
        typeface,
        measure: None,
    }));
    Ok(())
}

/// Parses and fully validates a document before anything is inserted.
fn parse(json: &str) -> Result<LoadedDocument> {
    // Check the version first, so a document from another version gets that error rather
    // than whatever its different structure trips over.
    #[derive(Deserialize)]
    struct VersionProbe {
        version: Option<u64>,
    }
    let probe: VersionProbe =
        serde_json::from_str(json).map_err(|e| Error::Malformed(e.to_string()))?;
    let version = match probe.version {
        Some(v @ (1 | FORMAT_VERSION)) => v,
        Some(found) => {
            return Err(Error::UnsupportedVersion {
                found,
                supported: FORMAT_VERSION,
            });
        }
        None => return Err(Error::Malformed("missing numeric `version`".into())),
    };
    let doc: SavedDocument =
        serde_json::from_str(json).map_err(|e| Error::Malformed(e.to_string()))?;
    if doc.format != FORMAT_NAME {
        return Err(Error::Malformed(format!(
            "format is `{}`, expected `{FORMAT_NAME}`",
            doc.format
        )));
    }
    let blocks = doc
        .blocks
        .into_iter()
        .enumerate()
        .map(|(i, saved)| loaded_block(i, saved, version))
        .collect::<Result<_>>()?;
    let doc = LoadedDocument {
        roots: doc.roots,
        blocks,
    };
    doc.check()?;
    Ok(doc)
}

/// Builds one saved block of a file of format `version`.
fn loaded_block(i: usize, saved: SavedBlock, version: u64) -> Result<LoadedBlock> {
    let ty = BlockType::parse(&saved.ty)?;
    let mut block = Block::new(ty);
    if version == 1 && ty == BlockType::Text {
        for (key, value) in version_1_text_defaults() {
            if let Some((index, spec)) = stored_spec(ty, key) {
                block.store(index, value, &spec.default);
            }
        }
    }
    for (key, json) in &saved.properties {
        // Keys from a newer format version are ignored.
        let Some((index, spec)) = stored_spec(ty, key) else {
            continue;
        };
        let value = PropertyValue::from_json(spec.ty, json).ok_or_else(|| {
            Error::Malformed(format!("block {i}: `{key}` is not a {}: {json}", spec.ty))
        })?;
        validate(spec, &value)?;
        block.store(index, value, &spec.default);
    }
    block.metadata = saved.metadata;
    if saved.kind.is_some() && !block.ty.is_design_block() {
        return Err(Error::Malformed(format!(
            "block {i}: a {} has no kind",
            block.ty.long_name()
        )));
    }
    block.kind = saved.kind;
    // The setters' own checks: what loads also saves and loads again.
    if let Some(stops) = saved.gradient_stops {
        crate::typed::check_gradient_stops(&stops)
            .map_err(|e| Error::Malformed(format!("block {i}: {e}")))?;
        block.gradient_stops = stops;
    }
    crate::typed::check_dash_array(&saved.dash_array)
        .map_err(|e| Error::Malformed(format!("block {i}: {e}")))?;
    block.dash_array = saved.dash_array;
    if ty == BlockType::Text {
        load_text(
            &format_args!("block {i}"),
            &mut block,
            saved.text_runs,
            saved.typeface,
        )?;
    }
    Ok(LoadedBlock {
        block,
        links: Links {
            children: saved.children,
            shape: saved.shape,
            fill: saved.fill,
        },
    })
}

impl LoadedDocument {
    /// Checks the links: every block is reachable exactly once from the roots (so the
    /// structure is a forest), not deeper than [`crate::MAX_DEPTH`], with shapes in shape
    /// slots, fills in fill slots and children of kinds their parents may hold.
    pub(crate) fn check(&self) -> Result<()> {
        let n = self.blocks.len();
        let mut referenced = vec![false; n];
        let mut mark = |i: usize, what: &str| -> Result<()> {
            match referenced.get_mut(i) {
                None => Err(Error::Malformed(format!(
                    "{what} index {i} is out of range"
                ))),
                Some(true) => Err(Error::Malformed(format!("block {i} is referenced twice"))),
                Some(r) => {
                    *r = true;
                    Ok(())
                }
            }
        };
        for r in &self.roots {
            mark(*r, "root")?;
        }
        for b in &self.blocks {
            for c in &b.links.children {
                mark(*c, "child")?;
            }
            for s in b.links.shape.iter().chain(b.links.fill.iter()) {
                mark(*s, "shape/fill")?;
            }
        }
        if referenced.iter().any(|r| !r) {
            return Err(Error::Malformed(
                "some blocks are not reachable from a root".into(),
            ));
        }
        // How deep the forest goes, without recursing: the limit every entry point applies.
        let mut pending: Vec<(usize, usize)> = self.roots.iter().map(|r| (*r, 1)).collect();
        while let Some((i, depth)) = pending.pop() {
            if depth > crate::MAX_DEPTH {
                return Err(Error::Malformed(format!(
                    "blocks nest too deep: block {i} is at depth {depth}, more than {}",
                    crate::MAX_DEPTH
                )));
            }
            pending.extend(
                self.blocks[i]
                    .links
                    .children
                    .iter()
                    .map(|c| (*c, depth + 1)),
            );
        }
        let ty = |i: usize| self.blocks[i].block.ty;
        for (i, b) in self.blocks.iter().enumerate() {
            if let Some(s) = b.links.shape
                && !matches!(ty(s), BlockType::Shape(_))
            {
                return Err(Error::Malformed(format!(
                    "block {i}: shape {s} is not a shape"
                )));
            }
            if let Some(f) = b.links.fill
                && !matches!(ty(f), BlockType::Fill(_))
            {
                return Err(Error::Malformed(format!(
                    "block {i}: fill {f} is not a fill"
                )));
            }
            for c in &b.links.children {
                if !crate::hierarchy::allowed(ty(i), ty(*c)) {
                    return Err(Error::Malformed(format!(
                        "block {c} ({}) cannot be a child of block {i} ({})",
                        ty(*c).long_name(),
                        ty(i).long_name()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Saved runs must cover the text end to end, in order, on character boundaries (or be
/// absent: the block's defaults then style all of it).
fn check_runs(block: &dyn std::fmt::Display, text: &str, runs: &[crate::TextRun]) -> Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let len = crate::utf16_len(text);
    let mut at = 0;
    for r in runs {
        if r.start != at || r.end < r.start || crate::utf16_to_byte(text, r.end).is_none() {
            return Err(Error::Malformed(format!(
                "block {block}: text run {}..{} does not continue at {at} on a character boundary of a text of {len} UTF-16 units",
                r.start, r.end
            )));
        }
        if !(r.font_size.is_finite() && r.font_size > 0.0 && r.font_size <= 10_000.0) {
            return Err(Error::Malformed(format!(
                "block {block}: text run {}..{} has font size {}",
                r.start, r.end, r.font_size
            )));
        }
        at = r.end;
    }
    if at != len {
        return Err(Error::Malformed(format!(
            "block {block}: text runs end at {at}, the text has {len} UTF-16 units"
        )));
    }
    Ok(())
}
