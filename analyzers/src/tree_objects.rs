//! Plumbing for git trees: a raw tree object parsed into its entries, and the cache of parsed
//! trees that every tree walker on one repository shares ([`TreeCache`], carried by each
//! repository handle). Depends on nothing of forkcheck's; [`crate::trees`] walks and compares
//! trees on top of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use git2::Oid;

/// The entries of one tree, sorted by name bytes. The names are read in place from a copy of
/// the raw tree object (one copy per tree, none per entry).
#[derive(Debug, Default)]
pub struct Entries {
    raw: Box<[u8]>,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    start: u32,
    len: u32,
    id: Oid,
    mode: u32,
}

/// One tree entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub name: &'a [u8],
    pub id: Oid,
    pub mode: u32,
}

impl Entries {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<Entry<'_>> {
        self.items.get(i).map(|item| self.entry(item))
    }

    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> {
        self.items.iter().map(|item| self.entry(item))
    }

    /// The entry called `name`.
    pub fn find(&self, name: &[u8]) -> Option<Entry<'_>> {
        self.items
            .binary_search_by(|item| self.name(item).cmp(name))
            .ok()
            .map(|i| self.entry(&self.items[i]))
    }

    fn name(&self, item: &Item) -> &[u8] {
        let start = item.start as usize;
        &self.raw[start..start + item.len as usize]
    }

    fn entry(&self, item: &Item) -> Entry<'_> {
        Entry {
            name: self.name(item),
            id: item.id,
            mode: item.mode,
        }
    }
}

/// Parse a raw tree object: entries `<octal mode> <name>\0<20-byte id>`, one after another,
/// in the object's order.
fn parse_tree(data: &[u8]) -> Option<Entries> {
    // An entry takes at least 28 bytes (`<mode> <name>\0<id>` with a 5-digit mode and a
    // 1-byte name).
    let mut items = Vec::with_capacity(data.len() / 28 + 1);
    let mut at = 0;
    while at < data.len() {
        let mut mode = 0u32;
        loop {
            let b = *data.get(at)?;
            at += 1;
            if b == b' ' {
                break;
            }
            if !(b'0'..=b'7').contains(&b) {
                return None;
            }
            mode = mode.checked_mul(8)?.checked_add(u32::from(b - b'0'))?;
        }
        let rest = &data[at..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let id = Oid::from_bytes(rest.get(nul + 1..nul + 21)?).ok()?;
        items.push(Item {
            start: u32::try_from(at).ok()?,
            len: u32::try_from(nul).ok()?,
            id,
            mode: normalize_mode(mode),
        });
        at += nul + 21;
    }
    Some(Entries {
        raw: data.into(),
        items,
    })
}

/// The mode as libgit2 reports it (`git_tree_entry_filemode`, as git's `canon_mode`):
/// symlinks, submodules and trees kept, any other blob 100755 or 100644.
fn normalize_mode(mode: u32) -> u32 {
    match mode {
        0o120000 | 0o160000 => mode,
        _ if mode & 0o170000 == TREE => TREE,
        _ if mode & 0o100 != 0 => 0o100755,
        _ => 0o100644,
    }
}

/// The file mode of a subtree entry.
pub const TREE: u32 = 0o040000;

impl Entries {
    /// Heap bytes held (for [`TreeCache`]'s budget).
    fn heap_bytes(&self) -> usize {
        self.raw.len() + self.items.capacity() * std::mem::size_of::<Item>()
    }
}

/// Bytes of parsed trees a [`TreeCache`] holds at most; when the next tree would pass it, the
/// cache starts again empty (the trees a long history walk needs next are its newest ones).
const TREE_CACHE_BYTES: usize = 64 << 20;

/// Parsed trees shared by every tree walker on one repository, across analyses and threads
/// (each repository handle carries the same one): the base's, head's and target's trees and
/// the commits' trees are inflated and parsed once per run, not once per analysis. Bounded by
/// [`TREE_CACHE_BYTES`]; a tree id names its content, so a cached tree is never stale.
#[derive(Default)]
pub struct TreeCache {
    map: Mutex<HashMap<Oid, Arc<Entries>>>,
    bytes: AtomicUsize,
}

impl std::fmt::Debug for TreeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeCache")
            .field("bytes", &self.bytes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl TreeCache {
    pub(crate) fn get(&self, tree: &Oid) -> Option<Arc<Entries>> {
        self.map.lock().ok()?.get(tree).cloned()
    }

    pub(crate) fn put(&self, tree: Oid, entries: &Arc<Entries>) {
        let size = entries.heap_bytes() + 64;
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        if self.bytes.load(Ordering::Relaxed) + size > TREE_CACHE_BYTES {
            map.clear();
            self.bytes.store(0, Ordering::Relaxed);
        }
        if map.insert(tree, entries.clone()).is_none() {
            self.bytes.fetch_add(size, Ordering::Relaxed);
        }
    }
}

impl Entries {
    /// A raw tree object's entries in plain byte order of their names (git orders a directory
    /// as if its name ended in `/`; merging two trees' entries needs plain byte order); `None`
    /// when the object is not a well-formed tree.
    pub fn parse(data: &[u8]) -> Option<Entries> {
        let mut entries = parse_tree(data)?;
        let Entries { raw, items } = &mut entries;
        let name = |i: &Item| &raw[i.start as usize..(i.start + i.len) as usize];
        // Most trees are in byte order already (git's order differs only where a directory's
        // name is a prefix of a sibling's, `foo/` after `foo.txt`).
        if !items.is_sorted_by(|a, b| name(a) <= name(b)) {
            items.sort_unstable_by(|a, b| name(a).cmp(name(b)));
        }
        items.shrink_to_fit();
        Some(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_trees_with_libgit2s_modes() {
        let id = [7u8; 20];
        let mut raw = Vec::new();
        for (mode, name) in [
            ("100664", "a.txt"),
            ("100755", "run.sh"),
            ("40000", "dir"),
            ("120000", "link"),
            ("160000", "sub"),
        ] {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(&id);
        }
        let entries = parse_tree(&raw).expect("well-formed");
        let got: Vec<(&[u8], u32)> = entries.iter().map(|e| (e.name, e.mode)).collect();
        let want: Vec<(&[u8], u32)> = vec![
            (b"a.txt", 0o100644),
            (b"run.sh", 0o100755),
            (b"dir", TREE),
            (b"link", 0o120000),
            (b"sub", 0o160000),
        ];
        assert_eq!(got, want);
        assert!(entries.iter().all(|e| e.id.as_bytes() == id));
        assert!(parse_tree(b"100644 cut\0short").is_none());
        assert!(parse_tree(b"10x644 bad\0").is_none());
        assert!(parse_tree(b"").is_some_and(|e| e.is_empty()));
    }

    #[test]
    fn entries_come_in_byte_order_whatever_git_order_the_object_has() {
        // git orders the directory `foo` as `foo/`, after `foo-bar` and `foo.txt`.
        let mut raw = Vec::new();
        for (k, (mode, name)) in [
            ("100644", "foo-bar"),
            ("100644", "foo.txt"),
            ("40000", "foo"),
            ("100644", "g"),
        ]
        .into_iter()
        .enumerate()
        {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(&[k as u8; 20]);
        }
        let entries = Entries::parse(&raw).expect("well-formed");
        let names: Vec<&[u8]> = entries.iter().map(|e| e.name).collect();
        assert_eq!(names, [&b"foo"[..], b"foo-bar", b"foo.txt", b"g"]);
        let dir = entries.find(b"foo").expect("found by name");
        assert_eq!((dir.mode, dir.id.as_bytes()[0]), (TREE, 2));
        assert!(entries.find(b"fo").is_none());
    }

    #[test]
    fn the_shared_cache_starts_again_when_full() {
        let cache = TreeCache::default();
        let entries = Arc::new(Entries::parse(b"").expect("empty tree"));
        let (a, b) = (
            Oid::from_bytes(&[1; 20]).unwrap(),
            Oid::from_bytes(&[2; 20]).unwrap(),
        );
        cache.put(a, &entries);
        assert!(cache.get(&a).is_some());
        cache.bytes.store(TREE_CACHE_BYTES, Ordering::Relaxed);
        cache.put(b, &entries);
        assert!(cache.get(&a).is_none(), "cleared when the budget is passed");
        assert!(cache.get(&b).is_some());
    }
}
