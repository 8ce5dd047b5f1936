//! What a push tells: the counts of each outcome, the summary line, and the failed file beside
//! the input, which holds the failed records as they were read plus their errors, ready to be
//! fixed and pushed again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::input::{ERROR_FIELD, Format, Input};

/// How many records ended how.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged + self.failed
    }

    /// `created 3, updated 1, unchanged 0, failed 1 (5 records in 0.2 s, 25 records/s)`; a dry
    /// run says what would happen.
    pub fn line(&self, dry_run: bool, elapsed: Duration) -> String {
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { self.total() as f64 / seconds } else { 0.0 };
        let speed = format!("{} records in {seconds:.1} s, {rate:.0} records/s", self.total());
        let Tally { created, updated, unchanged, failed } = self;
        if dry_run {
            format!(
                "dry run: would create {created}, would update {updated}, unchanged {unchanged}, would fail \
                 {failed} ({speed}); nothing was written"
            )
        } else {
            format!("created {created}, updated {updated}, unchanged {unchanged}, failed {failed} ({speed})")
        }
    }
}

/// `jobs.csv` → `jobs.failed.csv`, beside it.
pub fn failed_path(file: &Path, format: Format) -> PathBuf {
    let stem = file.file_stem().map_or_else(|| "push".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.failed.{}", format.extension()))
}

/// Writes the failed records (`(index in input.records, error)`, in file order) to `path`; with
/// none, removes an older file of that name so that it always tells of the last push.
pub fn write_failed(path: &Path, input: &Input, failures: &[(usize, String)]) -> Result<()> {
    if failures.is_empty() {
        return match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("removing the old {}", path.display()))
            }
            _ => Ok(()),
        };
    }
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let written = match input.format {
        Format::Csv => write_csv(file, input, failures),
        Format::Jsonl => write_jsonl(file, input, failures),
    };
    written.with_context(|| format!("writing {}", path.display()))
}

fn write_csv(file: std::fs::File, input: &Input, failures: &[(usize, String)]) -> Result<()> {
    let header = input.header.as_ref().expect("a CSV input has a header");
    // An `_error` column of an earlier failed file is replaced, not repeated.
    let kept: Vec<usize> = (0..header.len()).filter(|&i| &header[i] != ERROR_FIELD).collect();
    let mut writer = csv::Writer::from_writer(file);
    writer.write_record(kept.iter().map(|&i| &header[i]).chain([ERROR_FIELD]))?;
    for (index, error) in failures {
        let row = input.records[*index].row.as_ref().expect("a CSV record keeps its row");
        writer.write_record(kept.iter().map(|&i| row.get(i).unwrap_or("")).chain([error.as_str()]))?;
    }
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

fn write_jsonl(file: std::fs::File, input: &Input, failures: &[(usize, String)]) -> Result<()> {
    let mut writer = std::io::BufWriter::new(file);
    for (index, error) in failures {
        let mut object = input.records[*index].value.clone();
        object[ERROR_FIELD] = error.as_str().into();
        serde_json::to_writer(&mut writer, &object)?;
        writer.write_all(b"\n")?;
    }
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failed_file_sits_beside_the_input() {
        let path = failed_path(Path::new("/data/jobs.csv"), Format::Csv);
        assert_eq!(path, Path::new("/data/jobs.failed.csv"));
        let again = failed_path(&path, Format::Csv);
        assert_eq!(again, Path::new("/data/jobs.failed.failed.csv"));
        assert_eq!(failed_path(Path::new("parts.ndjson"), Format::Jsonl), Path::new("parts.failed.jsonl"));
    }
}
