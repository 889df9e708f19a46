use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::sync::Arc;

/// A record's JSON text, exactly as written: on its own, or packed with its
/// neighbours into a compressed block once it is held by an [`EventRing`]
/// (CloudTrail JSON compresses about tenfold in blocks, which is what keeps
/// 100,000 held events small).
#[derive(Clone)]
pub struct Raw(RawRepr);

#[derive(Clone)]
enum RawRepr {
    Text(Box<str>),
    Packed { block: Arc<PackedBlock>, index: u32 },
}

/// Records concatenated and deflated; `ends[i]` is where record i ends.
struct PackedBlock {
    deflated: Vec<u8>,
    ends: Vec<u32>,
}

impl PackedBlock {
    fn pack(texts: &[&str]) -> Option<Self> {
        use std::io::Write;
        let mut ends = Vec::with_capacity(texts.len());
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut end = 0u32;
        for t in texts {
            z.write_all(t.as_bytes()).ok()?;
            end = end.checked_add(u32::try_from(t.len()).ok()?)?;
            ends.push(end);
        }
        let mut deflated = z.finish().ok()?;
        deflated.shrink_to_fit();
        Some(PackedBlock { deflated, ends })
    }

    fn text(&self, index: u32) -> String {
        use std::io::Read;
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let mut all = Vec::with_capacity(end);
        let _ = flate2::read::DeflateDecoder::new(&self.deflated[..])
            .take(end as u64)
            .read_to_end(&mut all);
        all.get(start..end)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }
}

impl Raw {
    pub fn new(text: &str) -> Self {
        Raw(RawRepr::Text(text.into()))
    }

    /// The record's JSON text.
    pub fn get(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            RawRepr::Text(t) => std::borrow::Cow::Borrowed(t),
            RawRepr::Packed { block, index } => std::borrow::Cow::Owned(block.text(*index)),
        }
    }

    pub(super) fn text(&self) -> Option<&str> {
        match &self.0 {
            RawRepr::Text(t) => Some(t),
            RawRepr::Packed { .. } => None,
        }
    }
}

impl std::fmt::Debug for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            RawRepr::Text(t) => write!(f, "Raw({} bytes)", t.len()),
            RawRepr::Packed { index, .. } => write!(f, "Raw(packed #{index})"),
        }
    }
}

impl Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value =
            RawValue::from_string(self.get().into_owned()).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value: Box<RawValue> = Deserialize::deserialize(d)?;
        Ok(Raw::new(value.get()))
    }
}

/// Pack these records into blocks of `BLOCK` records.
pub fn pack(raws: &mut [&mut Raw]) {
    const BLOCK: usize = 256;
    for chunk in raws.chunks_mut(BLOCK) {
        let texts: Option<Vec<&str>> = chunk.iter().map(|r| r.text()).collect();
        let Some(block) = texts.and_then(|t| PackedBlock::pack(&t)) else {
            continue;
        };
        let block = Arc::new(block);
        for (i, r) in chunk.iter_mut().enumerate() {
            **r = Raw(RawRepr::Packed {
                block: block.clone(),
                index: i as u32,
            });
        }
    }
}
