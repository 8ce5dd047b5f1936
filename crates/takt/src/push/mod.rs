//! `takt push ENTITY FILE --server URL --key KEY`: a CSV or JSON-lines file sent through the
//! bulk-sync API in batches, with a progress bar, a summary, and the failed records written to a
//! file beside the input; `--dry-run` asks the server's diff what would happen instead.

mod client;
mod input;
mod report;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use clap::builder::PossibleValuesParser;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use reqwest::StatusCode;
use serde_json::Value;
use takt_domain::erp::{
    CELL_FIELDS, JOB_FIELDS, MAX_BULK_RECORDS, OPERATION_FIELDS, OPERATOR_FIELDS, PART_FIELDS, RESOURCE_FIELDS,
};
use takt_domain::schema::Field;

use client::{Answer, Client};
use input::{Format, Input, Record};
use report::Tally;

/// An entity `takt push` can send: its name in paths and bulk bodies, and its fields.
pub struct PushEntity {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// Every entity `takt push` can send; one line each.
pub const ENTITIES: &[PushEntity] = &[
    PushEntity { name: "jobs", fields: JOB_FIELDS },
    PushEntity { name: "parts", fields: PART_FIELDS },
    PushEntity { name: "operations", fields: OPERATION_FIELDS },
    PushEntity { name: "cells", fields: CELL_FIELDS },
    PushEntity { name: "resources", fields: RESOURCE_FIELDS },
    PushEntity { name: "operators", fields: OPERATOR_FIELDS },
];

fn entity_names() -> PossibleValuesParser {
    PossibleValuesParser::new(ENTITIES.iter().map(|e| e.name))
}

/// Failures listed on standard error before "and N more".
const LISTED: usize = 10;

#[derive(Debug, Args)]
pub struct PushArgs {
    /// What the file holds.
    #[arg(value_parser = entity_names())]
    pub entity: String,
    /// A CSV file with a header row of field names, or JSON lines (`.jsonl`, `.ndjson`).
    pub file: PathBuf,
    /// The Takt server's base URL (`https://takt.example.com`).
    #[arg(long, env = "TAKT_SERVER_URL")]
    pub server: String,
    /// An API key of the tenant to write to (better given through the environment).
    #[arg(long, env = "TAKT_API_KEY", hide_env_values = true)]
    pub key: String,
    /// The file's format, when its extension does not say.
    #[arg(long, env = "TAKT_PUSH_FORMAT", value_enum)]
    pub format: Option<Format>,
    /// Records per request.
    #[arg(long, env = "TAKT_PUSH_BATCH_SIZE", default_value_t = MAX_BULK_RECORDS,
          value_parser = batch_size)]
    pub batch_size: usize,
    /// How often a request is tried again after a network failure, 429 or 503.
    #[arg(long, env = "TAKT_PUSH_RETRIES", default_value_t = 5)]
    pub retries: u32,
    /// Ask the server what the push would do, and write nothing.
    #[arg(long, env = "TAKT_PUSH_DRY_RUN")]
    pub dry_run: bool,
    /// With --dry-run: print each update's changed fields.
    #[arg(long, short, env = "TAKT_PUSH_VERBOSE")]
    pub verbose: bool,
}

fn batch_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_BULK_RECORDS).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {MAX_BULK_RECORDS}")),
    }
}

/// Runs `takt push`; an error (after the summary) when anything failed.
pub async fn run(args: &PushArgs) -> Result<()> {
    let entity = ENTITIES.iter().find(|e| e.name == args.entity).expect("clap allows only known entities");
    let Some(format) = args.format.or_else(|| Format::of(&args.file)) else {
        bail!("{} does not end in .csv, .jsonl or .ndjson: say which it is with --format", args.file.display());
    };
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let input = match input::read(&bytes, format, entity.name, entity.fields) {
        Ok(input) => input,
        Err(problems) => {
            for problem in problems.iter().take(LISTED * 2) {
                eprintln!("{}: {problem}", args.file.display());
            }
            if problems.len() > LISTED * 2 {
                eprintln!("... and {} more", problems.len() - LISTED * 2);
            }
            bail!("{} has {} problem(s); nothing was sent", args.file.display(), problems.len());
        }
    };
    drop(bytes);
    let mut client = Client::new(&args.server, &args.key, args.retries)?;
    let progress = progress_bar(input.records.len());
    let started = Instant::now();
    let outcome = if args.dry_run {
        dry_run(&mut client, entity, &input, args, &progress).await
    } else {
        push(&mut client, entity, &input, args, &progress).await
    };
    progress.finish_and_clear();
    let (tally, stopped) = outcome?;
    println!("{}", tally.line(args.dry_run, started.elapsed()));
    if let Some(error) = stopped {
        return Err(error);
    }
    if tally.failed > 0 {
        if args.dry_run {
            bail!("{} record(s) would fail", tally.failed);
        }
        bail!("{} record(s) failed; they are in {}", tally.failed, report::failed_path(&args.file, format).display());
    }
    Ok(())
}

fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(progress_style());
    bar
}

fn progress_style() -> ProgressStyle {
    ProgressStyle::with_template("{elapsed_precise} {wide_bar} {pos}/{len} records, {rate} records/s, eta {eta}")
        .expect("a valid template")
        .with_key("rate", |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = write!(out, "{:.0}", state.per_sec());
        })
}

/// `{"<entity>": [records...]}`
fn bulk_body(entity: &PushEntity, records: &[Record]) -> Vec<u8> {
    let mut body = format!("{{\"{}\":[", entity.name).into_bytes();
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, &record.value).expect("writing to memory");
    }
    body.extend_from_slice(b"]}");
    body
}

/// The `results` of a bulk or diff answer, one per record sent, or why they cannot be read.
fn results(answer: &Value, sent: usize) -> Result<&[Value]> {
    let results = answer["data"]["results"].as_array().context("the server's answer has no data.results")?;
    if results.len() != sent {
        bail!("the server answered {} results for {sent} records", results.len());
    }
    Ok(results)
}

/// Whether a refusal of a whole request is about that request's body (the next batch may
/// pass), rather than the key, the server or the path (no batch will).
fn about_this_batch(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY)
}

fn refusal(status: StatusCode, message: &str) -> String {
    let hint = if status == StatusCode::PAYLOAD_TOO_LARGE { " (try a smaller --batch-size)" } else { "" };
    format!("the server refused the whole request ({status}): {message}{hint}")
}

/// Sends every batch; answers the tally and, when the push stopped early, why.
async fn push(
    client: &mut Client,
    entity: &PushEntity,
    input: &Input,
    args: &PushArgs,
    progress: &ProgressBar,
) -> Result<(Tally, Option<anyhow::Error>)> {
    let path = format!("/api-{}/bulk-sync", entity.name);
    let mut tally = Tally::default();
    let mut failures: Vec<(usize, String)> = Vec::new();
    let mut stopped = None;
    for (number, batch) in input.records.chunks(args.batch_size).enumerate() {
        let first = number * args.batch_size;
        let fail_all = |failures: &mut Vec<(usize, String)>, tally: &mut Tally, error: &str| {
            failures.extend((first..first + batch.len()).map(|i| (i, error.to_owned())));
            tally.failed += batch.len();
        };
        if stopped.is_some() {
            fail_all(&mut failures, &mut tally, "not sent: the push stopped before this record");
            continue;
        }
        match client.post(&path, &bulk_body(entity, batch), true).await {
            Ok(Answer::Ok(answer)) => match results(&answer, batch.len()) {
                Ok(lines) => {
                    for (offset, line) in lines.iter().enumerate() {
                        match line["action"].as_str() {
                            Some("created") => tally.created += 1,
                            Some("updated") if line["changed"] == Value::Bool(false) => tally.unchanged += 1,
                            Some("updated") => tally.updated += 1,
                            _ => {
                                let error = line["error"].as_str().unwrap_or("the server gave no reason");
                                failures.push((first + offset, error.to_owned()));
                                tally.failed += 1;
                            }
                        }
                    }
                }
                Err(error) => {
                    fail_all(&mut failures, &mut tally, &format!("{error:#}"));
                    stopped = Some(error);
                }
            },
            Ok(Answer::Refused { status, message }) => {
                fail_all(&mut failures, &mut tally, &refusal(status, &message));
                if !about_this_batch(status) {
                    stopped = Some(anyhow::anyhow!("{}", refusal(status, &message)));
                }
            }
            Err(error) => {
                fail_all(&mut failures, &mut tally, &format!("not sent or not answered: {error:#}"));
                stopped = Some(error);
            }
        }
        progress.inc(batch.len() as u64);
    }
    for (index, error) in failures.iter().take(LISTED) {
        progress.suspend(|| eprintln!("line {}: {error}", input.records[*index].line));
    }
    if failures.len() > LISTED {
        eprintln!("... and {} more", failures.len() - LISTED);
    }
    report::write_failed(&report::failed_path(&args.file, input.format), input, &failures)?;
    Ok((tally, stopped))
}

/// Asks the server's diff about every batch; prints what would fail (and, verbose, what would
/// change).
async fn dry_run(
    client: &mut Client,
    entity: &PushEntity,
    input: &Input,
    args: &PushArgs,
    progress: &ProgressBar,
) -> Result<(Tally, Option<anyhow::Error>)> {
    let path = format!("/api-erp-sync/diff/{}", entity.name);
    let mut tally = Tally::default();
    let mut listed = 0;
    for batch in input.records.chunks(args.batch_size) {
        let answer = match client.post(&path, &bulk_body(entity, batch), false).await? {
            Answer::Ok(answer) => answer,
            Answer::Refused { status, message } => bail!("{}", refusal(status, &message)),
        };
        for (record, line) in batch.iter().zip(results(&answer, batch.len())?) {
            let id = line["external_id"].as_str().unwrap_or("?");
            match line["action"].as_str() {
                Some("create") => tally.created += 1,
                Some("update") => {
                    tally.updated += 1;
                    if args.verbose {
                        progress.suspend(|| print_update(record.line, line));
                    }
                }
                Some("unchanged") => tally.unchanged += 1,
                _ => {
                    tally.failed += 1;
                    listed += 1;
                    if listed <= LISTED * 2 {
                        let error = line["error"].as_str().unwrap_or("the server gave no reason");
                        progress.suspend(|| eprintln!("line {} ({id}): would fail: {error}", record.line));
                    }
                }
            }
        }
        progress.inc(batch.len() as u64);
    }
    if listed > LISTED * 2 {
        eprintln!("... and {} more would fail", listed - LISTED * 2);
    }
    Ok((tally, None))
}

/// `line 3 (SO-2): update customer "A" -> "B"`, then its nested records' actions.
fn print_update(at: u64, line: &Value) {
    println!("line {at} ({}): update{}", line["external_id"].as_str().unwrap_or("?"), changes(line));
    for child in line["nested"].as_array().into_iter().flatten() {
        println!(
            "    {} {}: {}{}",
            child["entity"].as_str().unwrap_or("record"),
            child["external_id"].as_str().unwrap_or("?"),
            child["action"].as_str().unwrap_or("?"),
            changes(child)
        );
    }
}

/// ` customer "A" -> "B", due_date null -> "2026-05-01"` from a diff line's `fields`.
fn changes(line: &Value) -> String {
    let Some(fields) = line["fields"].as_object() else { return String::new() };
    let changed: Vec<String> =
        fields.iter().map(|(name, change)| format!("{name} {} -> {}", change["old"], change["new"])).collect();
    if changed.is_empty() { String::new() } else { format!(" {}", changed.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_template_is_valid() {
        let bar = ProgressBar::hidden();
        bar.set_style(progress_style());
    }

    #[test]
    fn a_bulk_body_names_its_entity() {
        let records = [Record { line: 2, value: serde_json::json!({"external_id": "C-1"}), row: None }];
        let body = bulk_body(&ENTITIES[3], &records);
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"cells":[{"external_id":"C-1"}]}"#);
    }
}
