//! A display list's layers, checked and arranged as the tree both backends paint: items in
//! order, each layer's items under it.

use crate::display_list::{DisplayList, Layer, MAX_LAYER_DEPTH};
use crate::{Error, Result};

/// One node of the paint tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// `list.items[i]`.
    Item(usize),
    /// `list.layers[layer]` holding its items and inner layers.
    Layer { layer: usize, children: Vec<Node> },
}

fn bad(index: usize, reason: String) -> Error {
    Error::InvalidLayer { index, reason }
}

/// Checks the layers of `list` (ranges inside the list, opacity in `0..=1`, proper nesting,
/// depth) and returns the paint tree. Empty layers are left out: they draw nothing.
pub(crate) fn tree(list: &DisplayList) -> Result<Vec<Node>> {
    let n = list.items.len();
    let mut order = Vec::with_capacity(list.layers.len());
    for (index, layer) in list.layers.iter().enumerate() {
        let Layer { items, opacity, .. } = layer;
        if items.start > items.end || items.end > n {
            return Err(bad(
                index,
                format!(
                    "items {}..{} outside the list's {n} items",
                    items.start, items.end
                ),
            ));
        }
        if !opacity.is_finite() || !(0.0..=1.0).contains(opacity) {
            return Err(bad(index, format!("opacity {opacity} outside 0..=1")));
        }
        if !items.is_empty() {
            order.push(index);
        }
    }
    // Outer layers first: by start, then the longer range, then list order.
    order.sort_by_key(|&i| {
        let r = &list.layers[i].items;
        (r.start, std::cmp::Reverse(r.end), i)
    });
    // Children being built, one list per open layer (the root first).
    let mut stack: Vec<(Option<usize>, Vec<Node>)> = vec![(None, Vec::with_capacity(n))];
    let close = |stack: &mut Vec<(Option<usize>, Vec<Node>)>| {
        if let Some((Some(layer), children)) = stack.pop()
            && let Some((_, parent)) = stack.last_mut()
        {
            parent.push(Node::Layer { layer, children });
        }
    };
    let end_of = |open: Option<usize>| open.map_or(n, |l| list.layers[l].items.end);
    let mut next = order.into_iter().peekable();
    for item in 0..=n {
        while stack.len() > 1 && end_of(stack.last().and_then(|s| s.0)) <= item {
            close(&mut stack);
        }
        while let Some(&layer) = next.peek() {
            let range = &list.layers[layer].items;
            if range.start != item {
                break;
            }
            let outer = stack.last().and_then(|s| s.0);
            if range.end > end_of(outer) {
                let o = outer.map_or(0, |o| o);
                return Err(bad(
                    layer,
                    format!(
                        "items {}..{} cross layer {o}'s {}..{}: layers must nest",
                        range.start,
                        range.end,
                        list.layers[o].items.start,
                        list.layers[o].items.end
                    ),
                ));
            }
            if stack.len() > MAX_LAYER_DEPTH {
                return Err(bad(
                    layer,
                    format!(
                        "nested {} deep, over the limit of {MAX_LAYER_DEPTH}",
                        stack.len()
                    ),
                ));
            }
            stack.push((Some(layer), Vec::new()));
            next.next();
        }
        if item < n
            && let Some((_, children)) = stack.last_mut()
        {
            children.push(Node::Item(item));
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    Ok(stack.pop().map(|s| s.1).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BlendMode, Color, DisplayItem, PathShape, Transform};

    fn list(n: usize, layers: &[(usize, usize)]) -> DisplayList {
        let item = DisplayItem::filled(
            PathShape::Ellipse {
                width: 1.0,
                height: 1.0,
            },
            Transform::IDENTITY,
            Color::BLACK,
        );
        DisplayList {
            width: 1,
            height: 1,
            background: Color::WHITE,
            items: vec![item; n],
            layers: layers
                .iter()
                .map(|&(start, end)| Layer {
                    items: start..end,
                    opacity: 0.5,
                    blend: BlendMode::Multiply,
                })
                .collect(),
        }
    }

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Item(i) => i.to_string(),
                Node::Layer { layer, children } => format!("L{layer}[{}]", shape(children)),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn layers_nest_into_a_tree() {
        let t = tree(&list(5, &[(1, 4), (2, 3), (0, 0), (1, 4)])).unwrap_or_default();
        assert_eq!(shape(&t), "0 L0[L3[1 L1[2] 3]] 4");
        let t = tree(&list(3, &[(0, 3), (0, 1), (1, 3)])).unwrap_or_default();
        assert_eq!(shape(&t), "L0[L1[0] L2[1 2]]");
    }

    #[test]
    fn bad_layers_are_errors_naming_them() {
        let err = |l: DisplayList| tree(&l).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err(list(3, &[(0, 2), (1, 3)])),
            "display layer 1: items 1..3 cross layer 0's 0..2: layers must nest"
        );
        assert!(err(list(3, &[(2, 4)])).contains("items 2..4 outside the list's 3 items"));
        let mut l = list(2, &[(0, 2)]);
        l.layers[0].opacity = f32::NAN;
        assert!(err(l).contains("opacity NaN"));
        let deep: Vec<(usize, usize)> = (0..=MAX_LAYER_DEPTH).map(|_| (0, 1)).collect();
        assert!(err(list(1, &deep)).contains("over the limit of 16"));
        let ok: Vec<(usize, usize)> = (0..MAX_LAYER_DEPTH).map(|_| (0, 1)).collect();
        assert!(tree(&list(1, &ok)).is_ok());
    }
}
