//! The table the benchmark prints: each Takt figure beside its ceiling, their ratio, the
//! latencies, and whether the aim is met. Markdown, so that BENCHMARKS.md can take it
//! as it is.

use crate::load::Run;

/// What a line must reach.
#[derive(Debug, Clone, Copy)]
pub enum Aim {
    None,
    /// At least this ratio of the ceiling.
    Ratio(f64),
    /// A p99 under this many milliseconds.
    P99(f64),
    /// Both.
    RatioP99(f64, f64),
    /// At most this many MiB.
    MiB(f64),
}

/// One line of the table.
pub struct Line {
    pub measure: String,
    pub connections: usize,
    /// The figure, its unit, and its run (none for a figure that is not a run, the RSS).
    pub value: f64,
    pub unit: &'static str,
    pub run: Option<Run>,
    pub ceiling: Option<f64>,
    pub aim: Aim,
}

impl Line {
    /// A line of a run, measured as its rate.
    pub fn of(measure: impl Into<String>, connections: usize, unit: &'static str, run: &Run) -> Line {
        Line {
            measure: measure.into(),
            connections,
            value: run.rate(),
            unit,
            run: Some(run.clone()),
            ceiling: None,
            aim: Aim::None,
        }
    }

    pub fn against(mut self, ceiling: f64, aim: Aim) -> Line {
        self.ceiling = Some(ceiling);
        self.aim = aim;
        self
    }

    pub fn aiming(mut self, aim: Aim) -> Line {
        self.aim = aim;
        self
    }

    fn ratio(&self) -> Option<f64> {
        self.ceiling.map(|c| self.value / c)
    }

    fn p99(&self) -> Option<f64> {
        self.run.as_ref().map(|r| r.percentile_ms(0.99))
    }

    /// Whether the aim is met; none without an aim.
    fn met(&self) -> Option<bool> {
        let ratio = |at_least: f64| self.ratio().is_some_and(|r| r >= at_least);
        let p99 = |under: f64| self.p99().is_some_and(|p| p < under);
        match self.aim {
            Aim::None => None,
            Aim::Ratio(r) => Some(ratio(r)),
            Aim::P99(p) => Some(p99(p)),
            Aim::RatioP99(r, p) => Some(ratio(r) && p99(p)),
            Aim::MiB(m) => Some(self.value <= m),
        }
    }
}

fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ms(value: f64) -> String {
    if value < 10.0 { format!("{value:.2} ms") } else { format!("{value:.1} ms") }
}

/// Prints the lines of `backend` as a Markdown table.
pub fn print(backend: &str, lines: &[Line]) {
    println!("\n### {backend}\n");
    println!("| measure | conns | Takt | ceiling | ratio | p50 | p99 | server CPU/op | aim | met |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
    for line in lines {
        let value = format!("{} {}", thousands(line.value), line.unit);
        let ceiling = line.ceiling.map_or("—".to_owned(), thousands);
        let ratio = line.ratio().map_or("—".to_owned(), |r| format!("{r:.2}×"));
        let (p50, p99, cpu) = match &line.run {
            Some(run) => (
                ms(run.percentile_ms(0.5)),
                ms(run.percentile_ms(0.99)),
                run.server_cpu_per_operation_us().map_or("—".to_owned(), |us| format!("{us:.0} µs")),
            ),
            None => ("—".to_owned(), "—".to_owned(), "—".to_owned()),
        };
        let aim = match line.aim {
            Aim::None => "—".to_owned(),
            Aim::Ratio(r) => format!("≥ {r}×"),
            Aim::P99(p) => format!("p99 < {p} ms"),
            Aim::RatioP99(r, p) => format!("≥ {r}×, p99 < {p} ms"),
            Aim::MiB(m) => format!("< {m} MiB"),
        };
        let met = match line.met() {
            None => "",
            Some(true) => "met",
            Some(false) => "**not met**",
        };
        let conns = if line.connections == 0 { "—".to_owned() } else { line.connections.to_string() };
        println!(
            "| {} | {conns} | {value} | {ceiling} | {ratio} | {p50} | {p99} | {cpu} | {aim} | {met} |",
            line.measure
        );
    }
}
