//! The rebase section of the report: what renderers see.

use serde::{Deserialize, Serialize};

pub use super::diff3::{ConflictHunk, LineRange};
use crate::cost::HoursRange;

/// Why a path cannot be merged automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// Both sides changed the same lines differently.
    Content,
    /// One side modified the file, the other deleted it.
    ModifyDelete,
    /// Both sides added different files at the same path.
    AddAdd,
    /// One side renamed the file, the other deleted it.
    RenameDelete,
    /// Both sides renamed the file, to different paths.
    RenameRename,
    /// One side renamed a file onto a path the other side added.
    RenameAdd,
    /// A binary file changed differently on both sides.
    Binary,
    /// Both sides changed the file mode differently.
    Mode,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Content => "content",
            ConflictKind::ModifyDelete => "modify-delete",
            ConflictKind::AddAdd => "add-add",
            ConflictKind::RenameDelete => "rename-delete",
            ConflictKind::RenameRename => "rename-rename",
            ConflictKind::RenameAdd => "rename-add",
            ConflictKind::Binary => "binary",
            ConflictKind::Mode => "mode",
        }
    }
}

/// Which side of the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeSide {
    Upstream,
    Fork,
}

/// An upstream commit, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRef {
    pub oid: String,
    pub summary: String,
}

/// One conflict hunk with the upstream commits that touched its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HunkReport {
    #[serde(flatten)]
    pub lines: ConflictHunk,
    /// Upstream commits (between the ancestor and the target) that changed these lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream_commits: Vec<CommitRef>,
}

/// A path that will not merge automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileConflict {
    /// The path in the merge result (for renames: the new path).
    pub path: String,
    pub kind: ConflictKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<MergeSide>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hunks: Vec<HunkReport>,
    /// For modify/delete: the upstream commit that deleted the file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in: Option<CommitRef>,
    /// False when no fork commit since the base touches the path: the conflict comes from the
    /// base release's own branch (e.g. its `RELEASE_LINE`), and `git rebase --onto` avoids it.
    #[serde(default = "yes")]
    pub fork_changed: bool,
}

fn yes() -> bool {
    true
}

/// A path changed on both sides that merges without conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanMerge {
    pub path: String,
    /// Both sides made the very same change.
    pub identical: bool,
    /// The blobs merged (ancestor, upstream, fork), for the overlap analysis; not serialized.
    #[serde(skip)]
    pub blobs: Option<MergedBlobs>,
}

/// The three versions of a cleanly merged file (the ancestor's is `None` for an addition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedBlobs {
    pub base: Option<git2::Oid>,
    pub upstream: git2::Oid,
    pub fork: git2::Oid,
    /// The ancestor's path when one side renamed the file.
    pub renamed_from: Option<String>,
}

/// How a fork commit replays onto the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Applies without conflict and changes the target.
    Clean,
    /// Changes lines the target also changed.
    Conflict,
    /// Edits a file the target removed.
    TargetDeleted,
    /// Changes nothing on top of the target: already there.
    Empty,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clean => "clean",
            Outcome::Conflict => "conflict",
            Outcome::TargetDeleted => "target-deleted",
            Outcome::Empty => "empty",
        }
    }
}

/// How a fork commit was found to be upstream already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchMethod {
    /// Same stable patch-id as an upstream commit (what `git cherry` checks).
    PatchId,
    /// Every file the commit touches is byte-identical in the target.
    Content,
}

/// A fork commit found upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamMatch {
    pub method: MatchMethod,
    /// The matching upstream commit (patch-id matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
    /// Where the match was found: `target` (between base and target) or the development branch.
    pub found_in: String,
    /// The stable patch-id (hex) of the fork commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch_id: Option<String>,
    /// True when the content of every touched file also equals the target's.
    pub content_equal: bool,
}

/// A commit trailer (`Upstream: <url>`, `Forwarded: no`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

/// One fork commit replayed onto the target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitReplay {
    pub oid: String,
    pub summary: String,
    pub author: String,
    /// A merge commit (replayed as its diff against the first parent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merge: bool,
    pub files: Vec<String>,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<FileConflict>,
    /// Files the commit edits that the target deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_deleted: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamMatch>,
    /// Upstream already, yet replaying it still changes these files (residue to review).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub residue: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailers: Vec<Trailer>,
    /// The fork commit this one cancels (or is cancelled by): together they change nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<CommitRef>,
    /// With `cancelled_by`: this commit undoes only some of the paths the earlier commit
    /// changed (the earlier commit still carries the rest).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverts_part: bool,
    pub cost: HoursRange,
}

/// Counts for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebaseSummary {
    pub commits: usize,
    pub clean: usize,
    pub conflict: usize,
    pub target_deleted: usize,
    pub empty: usize,
    pub already_upstream: usize,
    pub conflicted_files: usize,
    pub conflict_hunks: usize,
}

/// Per-file cost line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileCost {
    pub path: String,
    pub cost: HoursRange,
    pub reason: String,
}

/// One line of a cost: what, how many, how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostItem {
    /// What the work is, e.g. `conflicted files` (the weight's unit, plural).
    pub what: String,
    /// The cost-model weight (`per_conflict_hunk`).
    pub weight: String,
    pub count: usize,
    pub cost: HoursRange,
}

/// The estimate split into work every release costs again and work paid once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostSplit {
    /// What the next upgrade costs, and every later one while the fork keeps its changes.
    pub per_release: HoursRange,
    /// Largest first.
    pub per_release_items: Vec<CostItem>,
    /// Work paid once that lowers every later release's cost.
    pub one_time: HoursRange,
    /// Largest first.
    pub one_time_items: Vec<CostItem>,
}

/// The `rebase` section of the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RebaseSection {
    /// The fork head analysed.
    pub head: String,
    /// The target release commit.
    pub target: String,
    /// The common ancestor used for the merge.
    pub ancestor: String,
    /// `merge-base` (git's merge base of head and target) or `detected-base` (no shared
    /// history: the detected base release stands in for it).
    pub ancestor_method: String,
    pub summary: RebaseSummary,
    /// Paths that will conflict when the fork is merged onto the target (same set as
    /// `git merge-tree --write-tree --name-only`).
    pub conflicts: Vec<FileConflict>,
    /// Paths changed on both sides that merge cleanly.
    pub clean_merges: Vec<CleanMerge>,
    /// The clean merges of files the fork's commits changed, with proximity and commits
    /// (FC606).
    #[serde(default)]
    pub overlaps: Vec<super::overlap::Overlap>,
    /// Overlap and conflict files grouped by the fork commits that changed them together.
    #[serde(default)]
    pub features: Vec<super::overlap::Feature>,
    /// Every first-parent fork commit since the base, in order, replayed onto the target.
    pub commits: Vec<CommitReplay>,
    /// Estimated rebase effort per file.
    pub file_costs: Vec<FileCost>,
    /// Estimated effort of this rebase: the per-release total of `cost_split`.
    pub cost: HoursRange,
    #[serde(default)]
    pub cost_split: CostSplit,
    /// Past upgrades found in the fork's history and what they say about its cost.
    #[serde(default)]
    pub calibration: super::calibrate::Calibration,
}
