//! Versioned JSON save/load of a scene or of a list of blocks.

use crate::graph::{Block, validate};
use crate::schema::{Computed, schema};
use crate::{BlockId, BlockType, Error, GradientStop, PropertyValue, Result, SceneGraph};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;
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
        let parsed = parse(json)?;
        self.load_parsed(parsed)
    }

    /// Loads a scene document given as a JSON value (a translated foreign scene), with the
    /// same checks as [`Self::load_from_string`].
    pub(crate) fn load_from_value(&mut self, value: serde_json::Value) -> Result<BlockId> {
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            _ => return Err(Error::Malformed("missing or unsupported `version`".into())),
        }
        let doc: SavedDocument =
            serde_json::from_value(value).map_err(|e| Error::Malformed(e.to_string()))?;
        let parsed = parse_document(doc)?;
        self.load_parsed(parsed)
    }

    fn load_parsed(&mut self, (doc, blocks): (SavedDocument, Vec<Block>)) -> Result<BlockId> {
        let root = *doc
            .roots
            .first()
            .ok_or_else(|| Error::Malformed("no root block".into()))?;
        if blocks[root].ty != BlockType::Scene {
            return Err(Error::Malformed(format!(
                "the first root is a {}, not a scene",
                blocks[root].ty.long_name()
            )));
        }
        if let Some(old) = self.scene {
            self.destroy(old)?;
        }
        let ids = self.insert_all(&doc, blocks)?;
        self.scene = Some(ids[root]);
        Ok(ids[root])
    }

    /// Loads blocks saved by [`Self::save_blocks_to_string`]; they come back unattached.
    pub fn load_blocks_from_string(&mut self, json: &str) -> Result<Vec<BlockId>> {
        let (doc, blocks) = parse(json)?;
        let ids = self.insert_all(&doc, blocks)?;
        Ok(doc.roots.iter().map(|r| ids[*r]).collect())
    }

    fn insert_all(&mut self, doc: &SavedDocument, blocks: Vec<Block>) -> Result<Vec<BlockId>> {
        let ids: Vec<BlockId> = blocks.into_iter().map(|b| self.insert(b)).collect();
        for (i, saved) in doc.blocks.iter().enumerate() {
            let id = ids[i];
            let children: Vec<BlockId> = saved.children.iter().map(|c| ids[*c]).collect();
            for c in &children {
                self.block_mut(*c)?.parent = Some(id);
            }
            let shape = saved.shape.map(|s| ids[s]);
            let fill = saved.fill.map(|f| ids[f]);
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

/// Parses and fully validates a document before anything is inserted.
fn parse(json: &str) -> Result<(SavedDocument, Vec<Block>)> {
    // Check the version first, so a document from another version gets that error rather
    // than whatever its different structure trips over.
    #[derive(Deserialize)]
    struct VersionProbe {
        version: Option<u64>,
    }
    let probe: VersionProbe =
        serde_json::from_str(json).map_err(|e| Error::Malformed(e.to_string()))?;
    match probe.version {
        Some(FORMAT_VERSION) => {}
        Some(found) => {
            return Err(Error::UnsupportedVersion {
                found,
                supported: FORMAT_VERSION,
            });
        }
        None => return Err(Error::Malformed("missing numeric `version`".into())),
    }
    let doc: SavedDocument =
        serde_json::from_str(json).map_err(|e| Error::Malformed(e.to_string()))?;
    parse_document(doc)
}

/// Validates a deserialized document and builds its blocks.
fn parse_document(doc: SavedDocument) -> Result<(SavedDocument, Vec<Block>)> {
    if doc.format != FORMAT_NAME {
        return Err(Error::Malformed(format!(
            "format is `{}`, expected `{FORMAT_NAME}`",
            doc.format
        )));
    }
    let n = doc.blocks.len();
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
    for r in &doc.roots {
        mark(*r, "root")?;
    }
    let mut blocks = Vec::with_capacity(n);
    for (i, saved) in doc.blocks.iter().enumerate() {
        let ty = BlockType::parse(&saved.ty)?;
        for c in &saved.children {
            mark(*c, "child")?;
        }
        for s in saved.shape.iter().chain(saved.fill.iter()) {
            mark(*s, "shape/fill")?;
        }
        let mut block = Block::new(ty);
        let schema = schema(ty);
        for (key, json) in &saved.properties {
            // Keys from a newer format version are ignored.
            let Some(index) = schema.index(key) else {
                continue;
            };
            let spec = &schema.specs[index as usize];
            if spec.computed != Computed::Stored {
                continue;
            }
            let value = PropertyValue::from_json(spec.ty, json).ok_or_else(|| {
                Error::Malformed(format!("block {i}: `{key}` is not a {}: {json}", spec.ty))
            })?;
            validate(spec, &value)?;
            block.store(index, value, &spec.default);
        }
        block.metadata = saved.metadata.clone();
        if saved.kind.is_some() && !block.ty.is_design_block() {
            return Err(Error::Malformed(format!(
                "block {i}: a {} has no kind",
                block.ty.long_name()
            )));
        }
        block.kind = saved.kind.clone();
        // The setters' own checks: what loads also saves and loads again.
        if let Some(stops) = &saved.gradient_stops {
            crate::typed::check_gradient_stops(stops)
                .map_err(|e| Error::Malformed(format!("block {i}: {e}")))?;
            block.gradient_stops = stops.clone();
        }
        crate::typed::check_dash_array(&saved.dash_array)
            .map_err(|e| Error::Malformed(format!("block {i}: {e}")))?;
        block.dash_array = saved.dash_array.clone();
        if ty == BlockType::Text {
            let text = match block.stored(schema.index(crate::keys::TEXT_TEXT).unwrap_or(0)) {
                Some(PropertyValue::String(t)) => t.clone(),
                _ => String::new(),
            };
            check_runs(i, &text, &saved.text_runs)?;
            block.text = Some(Box::new(crate::text::TextData {
                runs: saved.text_runs.clone(),
                typeface: saved.typeface.clone(),
                measure: None,
            }));
        }
        blocks.push(block);
    }
    // Every block is reachable exactly once from the roots, so the structure is a forest;
    // now check kinds along the edges.
    if referenced.iter().any(|r| !r) {
        return Err(Error::Malformed(
            "some blocks are not reachable from a root".into(),
        ));
    }
    // How deep the forest goes, without recursing: the limit every entry point applies.
    let mut pending: Vec<(usize, usize)> = doc.roots.iter().map(|r| (*r, 1)).collect();
    while let Some((i, depth)) = pending.pop() {
        if depth > crate::MAX_DEPTH {
            return Err(Error::Malformed(format!(
                "blocks nest too deep: block {i} is at depth {depth}, more than {}",
                crate::MAX_DEPTH
            )));
        }
        pending.extend(doc.blocks[i].children.iter().map(|c| (*c, depth + 1)));
    }
    for (i, saved) in doc.blocks.iter().enumerate() {
        if let Some(s) = &saved.shape
            && !matches!(blocks[*s].ty, BlockType::Shape(_))
        {
            return Err(Error::Malformed(format!(
                "block {i}: shape {s} is not a shape"
            )));
        }
        if let Some(f) = &saved.fill
            && !matches!(blocks[*f].ty, BlockType::Fill(_))
        {
            return Err(Error::Malformed(format!(
                "block {i}: fill {f} is not a fill"
            )));
        }
        for c in &saved.children {
            if !crate::hierarchy::allowed(blocks[i].ty, blocks[*c].ty) {
                return Err(Error::Malformed(format!(
                    "block {c} ({}) cannot be a child of block {i} ({})",
                    blocks[*c].ty.long_name(),
                    blocks[i].ty.long_name()
                )));
            }
        }
    }
    Ok((doc, blocks))
}

/// Saved runs must cover the text end to end, in order, on character boundaries (or be
/// absent: the block's defaults then style all of it).
fn check_runs(block: usize, text: &str, runs: &[crate::TextRun]) -> Result<()> {
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
