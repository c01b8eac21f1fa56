//! `leefwijk bench`: performance measurements, each reported as a ratio against a baseline
//! measured in the same run (never as a timed assertion in a test).
//!
//! * `bench import`: the national CBS KWB import. Baseline: the `csv` crate reading every
//!   record of the same bytes; then `parse_kwb` (mapping and validation), or `parse_table`
//!   with `--mapping`; then parse plus `store_years` into a fresh database. Without
//!   `--file` it generates, deterministically, a national-size StatLine/OData CSV.
//! * `bench signals`: early-signalling intake. Baseline: a raw multi-row INSERT of the
//!   same rows into a plain table; then the API's code path (`parse_csv` + `ingest`) in
//!   batches of 100,000 on a fresh database with the demo loaded.
//! * `bench api`: the HTTP server in this process on 127.0.0.1, loaded from a second
//!   process (wrk, or the hidden `bench load-client`). Baseline: `GET /api/v1/health`.
//!   Data: the demo, or with `--data national` the bundled national data plus RIVM's
//!   wijk and buurt table, with national endpoints and the p99 target of issue 15.
//!
//! Load only ever targets loopback, and is bounded in time and in requests: it stops by
//! itself.

use anyhow::{anyhow, bail, ensure, Context, Result};
use leefwijk_app::areas::import_kwb::ParsedYear;
use leefwijk_app::areas::{import_kwb, import_table, store_years};
use leefwijk_app::App;
use leefwijk_domain::pressure::PressureConfig;
use leefwijk_store::{SignalRecord, Store};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// The national CBS KWB import: csv-crate baseline, parse_kwb, and parse + store.
    Import(ImportArgs),
    /// API and pages under load from a second process, as ratios to GET /api/v1/health.
    Api(ApiArgs),
    /// A bounded soak: mixed load for N minutes from a second process, sampling the
    /// server's memory; fails on any error or on memory growth beyond 20% after warm-up.
    Soak(SoakArgs),
    /// Early-signalling intake: N synthetic signals as CSV batches through the API's code
    /// path (parse, validate, pseudonymise, match, store), as a ratio to a raw insert of
    /// the same rows.
    Signals(SignalsArgs),
    /// The load generator `bench api` runs as a second process when wrk is absent.
    #[command(hide = true)]
    LoadClient(LoadClientArgs),
}

pub async fn run(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Import(args) => bench_import(args).await,
        BenchCommand::Api(args) => bench_api(args).await,
        BenchCommand::Soak(args) => bench_soak(args).await,
        BenchCommand::Signals(args) => bench_signals(args).await,
        BenchCommand::LoadClient(args) => load_client(args).await,
    }
}

// ---------------------------------------------------------------------------------------
// bench import
// ---------------------------------------------------------------------------------------

/// Areas in a national KWB year: 1 country, 342 municipalities, ~3,300 wijken, ~14,500 buurten.
const NATIONAL_ROWS: u64 = 1 + 342 + 3_300 + 14_500;
const SYNTHETIC_YEAR: i32 = 2024;
const SYNTHETIC_FILE: &str = "kwb-2024-synthetisch.csv";

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A real CBS KWB file (StatLine/OData CSV or PDOK GeoJSON). Default: a generated,
    /// national-size StatLine CSV.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Year of the figures in --file (default: the Perioden column, else the file name).
    #[arg(long, requires = "file", conflicts_with = "mapping")]
    year: Option<i32>,
    /// Reads --file as a table through this mapping file (TOML), as `leefwijk import table`
    /// does, e.g. data/nl/mappings/cbs_kwb_2022_gemeente_wijk_selectie.toml.
    #[arg(long, requires = "file")]
    mapping: Option<PathBuf>,
    /// Areas in the generated file (default: national size).
    #[arg(long, default_value_t = NATIONAL_ROWS, conflicts_with = "file",
          value_parser = clap::value_parser!(u64).range(10..=2_000_000))]
    rows: u64,
    /// Repetitions of each measurement; the median is reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    repeat: u32,
    /// Where parse + store writes: postgres://… (a fresh schema per repetition) or
    /// sqlite://PATH of a file that does not exist yet. Default: fresh SQLite databases in
    /// a temp dir. Only a URL on the command line counts, never LEEFWIJK_DATABASE_URL.
    #[arg(long)]
    database_url: Option<String>,
    /// Leaves the temp dir (generated file, SQLite databases) in place.
    #[arg(long)]
    keep: bool,
}

/// The bench shares the id `database_url` with the global option, so clap copies a value
/// from LEEFWIJK_DATABASE_URL into it. The benchmark writes only into a database named
/// on its command line.
fn database_url_on_command_line() -> bool {
    std::env::args_os().any(|a| a.to_str().is_some_and(|s| s == "--database-url" || s.starts_with("--database-url=")))
}

/// A directory under the system temp dir, removed on drop unless kept.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    fn new(what: &str, keep: bool) -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("leefwijk-bench-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(TempDir { path, keep })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Where the parse + store measurement writes.
enum StoreTarget {
    /// A new SQLite file per repetition in the temp dir.
    TempSqlite(PathBuf),
    /// A SQLite file named on the command line that did not exist: recreated per
    /// repetition, the last import is left in it.
    NewSqliteFile(PathBuf),
    /// A fresh schema per repetition on this server (as the tests do).
    Postgres(String),
}

fn sqlite_files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

impl StoreTarget {
    fn new(url: Option<String>, tmp: &Path) -> Result<StoreTarget> {
        let Some(url) = url else {
            return Ok(StoreTarget::TempSqlite(tmp.to_path_buf()));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreTarget::Postgres(url));
        }
        let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
            bail!("unsupported --database-url: use sqlite://PATH (a new file) or postgres://…");
        };
        let path = rest.split('?').next().unwrap_or_default();
        ensure!(
            !path.is_empty() && !path.contains(":memory:"),
            "--database-url needs a SQLite file path (an in-memory database is one per connection)"
        );
        let path = PathBuf::from(path);
        ensure!(
            !path.exists(),
            "{} exists: the benchmark only writes into a new database, so it never replaces real figures",
            path.display()
        );
        Ok(StoreTarget::NewSqliteFile(path))
    }

    fn describe(&self) -> String {
        match self {
            StoreTarget::TempSqlite(_) => "SQLite, a fresh database file in a temp dir per repetition".into(),
            StoreTarget::NewSqliteFile(p) => {
                format!("SQLite at {} (recreated per repetition; the last import is left there)", p.display())
            }
            StoreTarget::Postgres(_) => format!(
                "PostgreSQL, a fresh schema per repetition (schemas t_{}_*, left in place: drop them afterwards)",
                std::process::id()
            ),
        }
    }

    fn sqlite_path(&self, round: u32) -> Option<PathBuf> {
        match self {
            StoreTarget::TempSqlite(dir) => Some(dir.join(format!("import-{round}.db"))),
            StoreTarget::NewSqliteFile(p) => Some(p.clone()),
            StoreTarget::Postgres(_) => None,
        }
    }

    /// A fresh, migrated store (setup, not timed).
    async fn fresh(&self, round: u32) -> Result<Store> {
        match (self, self.sqlite_path(round)) {
            (StoreTarget::Postgres(url), _) => {
                leefwijk_store::testing::fresh_store(url).await.context("creating a fresh PostgreSQL schema")
            }
            (_, Some(path)) => {
                let store = Store::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .with_context(|| format!("creating SQLite database {}", path.display()))?;
                store.migrate().await.context("applying migrations")?;
                Ok(store)
            }
            (_, None) => bail!("no database for repetition {round}"),
        }
    }

    /// Removes a repetition's SQLite files (the last one stays for a named file).
    fn after(&self, round: u32, last: bool, keep: bool) -> Result<()> {
        let remove = match self {
            StoreTarget::TempSqlite(_) => !keep,
            StoreTarget::NewSqliteFile(_) => !last,
            StoreTarget::Postgres(_) => false,
        };
        if let (true, Some(path)) = (remove, self.sqlite_path(round)) {
            for f in sqlite_files(&path) {
                if f.exists() {
                    std::fs::remove_file(&f).with_context(|| format!("removing {}", f.display()))?;
                }
            }
        }
        Ok(())
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn looks_like_geojson(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The baseline: the same bytes through the bare parser of their format, every record
/// read, nothing mapped. Returns the number of records.
fn baseline_parse(bytes: &[u8]) -> Result<u64> {
    if looks_like_geojson(bytes) {
        let doc: serde_json::Value = serde_json::from_slice(bytes).context("baseline: invalid JSON")?;
        let n = doc.get("features").and_then(|f| f.as_array()).map(Vec::len).unwrap_or_default();
        return Ok(n as u64);
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    // The delimiter rule of parse_cbs_csv: whichever of ; and , the header has more of.
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header.iter().filter(|b| **b == c).count();
    let delimiter = if count(b';') > count(b',') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut records = 0u64;
    let mut fields = 0usize;
    while reader.read_record(&mut record).context("baseline: the csv crate rejected the file")? {
        records += 1;
        fields += record.len();
    }
    std::hint::black_box(fields);
    Ok(records)
}

/// How (b) and (c) read the file.
enum Reader {
    /// The StatLine/GeoJSON importer; `year` as given with --year (otherwise the Perioden
    /// column, else the file name).
    Kwb { year: Option<i32> },
    /// The mapping-file importer (`leefwijk import table`).
    Table(Box<import_table::Mapping>),
}

impl Reader {
    fn parse(&self, bytes: &[u8], name: &str) -> Result<Vec<ParsedYear>> {
        match self {
            Reader::Kwb { year } => {
                import_kwb::parse_kwb(bytes, name, *year, &|_| {}).with_context(|| format!("parse_kwb rejected {name}"))
            }
            Reader::Table(mapping) => {
                import_table::parse_table(bytes, mapping).with_context(|| format!("parse_table rejected {name}"))
            }
        }
    }

    fn function(&self) -> &'static str {
        match self {
            Reader::Kwb { .. } => "`parse_kwb`",
            Reader::Table(_) => "`parse_table`",
        }
    }

    fn work(&self) -> &'static str {
        match self {
            Reader::Kwb { .. } => "mapping + validation",
            Reader::Table(_) => "mapping file + validation",
        }
    }
}

fn median(durations: &[Duration]) -> Duration {
    let mut sorted = durations.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // A separator goes before every digit that starts a group of three from the right.
    let first_group = digits.len() % 3;
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == first_group {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio with three significant digits below 0.01 (0.00062), three decimals above.
fn ratio(r: f64) -> String {
    if r > 0.0 && r < 0.01 {
        let decimals = (2 - r.log10().floor() as i32).clamp(3, 9) as usize;
        format!("{r:.decimals$}")
    } else {
        format!("{r:.3}")
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn runs_ms(ds: &[Duration]) -> String {
    ds.iter().map(|d| format!("{:.1}", d.as_secs_f64() * 1000.0)).collect::<Vec<_>>().join(", ")
}

/// Logical CPUs, CPU model and memory, for the report.
fn machine_summary() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split(':').nth(1)))
        .map(str::trim)
        .unwrap_or("unknown CPU");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown memory".into());
    format!("{cpus} logical CPUs, {model}, {mem_gib}")
}

async fn bench_import(args: ImportArgs) -> Result<()> {
    let explicit_url = args.database_url.clone().filter(|_| database_url_on_command_line());
    if args.database_url.is_some() && explicit_url.is_none() {
        eprintln!(
            "Note: LEEFWIJK_DATABASE_URL is ignored here; the benchmark writes only into a database named with --database-url."
        );
    }
    let tmp = TempDir::new("import", args.keep)?;
    let target = StoreTarget::new(explicit_url, &tmp.path)?;

    let (path, source, reader) = match &args.file {
        Some(file) => {
            ensure!(file.is_file(), "{} is not a file", file.display());
            match &args.mapping {
                Some(map) => {
                    let text = std::fs::read_to_string(map).with_context(|| format!("reading {}", map.display()))?;
                    let mapping = import_table::Mapping::parse(&text).with_context(|| map.display().to_string())?;
                    let source =
                        format!("{} (given with --file, read through --mapping {})", file.display(), map.display());
                    (file.clone(), source, Reader::Table(Box::new(mapping)))
                }
                None => {
                    let source = format!("{} (given with --file)", file.display());
                    (file.clone(), source, Reader::Kwb { year: args.year })
                }
            }
        }
        None => {
            let (text, plan) = synthetic_kwb(args.rows)?;
            let path = tmp.path.join(SYNTHETIC_FILE);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            let source = format!(
                "synthetic StatLine/OData CSV, generated deterministically: 1 land, {} gemeenten, {} wijken, {} buurten",
                group(plan.municipalities),
                group(plan.districts),
                group(plan.neighbourhoods)
            );
            (path, source, Reader::Kwb { year: Some(SYNTHETIC_YEAR) })
        }
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let name = file_name(&path);
    let megabytes = bytes.len() as f64 / 1_000_000.0;

    let mut baseline = Vec::new();
    let mut parse = Vec::new();
    let mut import = Vec::new();
    let (mut baseline_rows, mut parsed_rows, mut stored_rows, mut figure_rows) = (0u64, 0u64, 0u64, 0u64);
    let mut years: Vec<(i32, u64)> = Vec::new();
    for round in 0..args.repeat {
        eprintln!("repetition {}/{}: baseline, {}, parse + store …", round + 1, args.repeat, reader.function());
        let started = Instant::now();
        baseline_rows = baseline_parse(&bytes)?;
        baseline.push(started.elapsed());

        let started = Instant::now();
        let parsed = reader.parse(&bytes, &name)?;
        parse.push(started.elapsed());
        parsed_rows = parsed.iter().map(|y| y.areas.len() as u64).sum();
        years = parsed.iter().map(|y| (y.year, y.areas.len() as u64)).collect();
        drop(parsed);

        let store = target.fresh(round).await?;
        let started = Instant::now();
        let parsed = reader.parse(&bytes, &name)?;
        let summaries = store_years(&store, &parsed, &name).await.context("store_years failed")?;
        import.push(started.elapsed());
        stored_rows = summaries.iter().map(|s| s.rows as u64).sum();
        figure_rows =
            parsed.iter().flat_map(|y| y.figures.values()).map(|f| (f.values.len() + f.missing.len()) as u64).sum();
        drop(parsed);
        store.close().await;
        target.after(round, round + 1 == args.repeat, args.keep)?;
    }

    let rows_per_s = |rows: u64, d: Duration| rows as f64 / d.as_secs_f64().max(1e-9);
    let (ma, mb, mc) = (median(&baseline), median(&parse), median(&import));
    let (ra, rb, rc) = (rows_per_s(baseline_rows, ma), rows_per_s(parsed_rows, mb), rows_per_s(stored_rows, mc));
    let baseline_kind = if looks_like_geojson(&bytes) {
        "`serde_json` reads the whole document"
    } else {
        "`csv` crate reads every record"
    };

    println!("## leefwijk bench import\n");
    let per_year: Vec<String> = years.iter().map(|(y, n)| format!("{y}: {}", group(*n))).collect();
    println!(
        "- File: {name}, {megabytes:.1} MB, {} records; areas per year: {}; {source}",
        group(baseline_rows),
        per_year.join(", ")
    );
    println!(
        "- Store target for (c): {}; {} figure rows (values and withheld markers) per import",
        target.describe(),
        group(figure_rows)
    );
    println!("- Repetitions: {} per measurement, interleaved; the median is reported", args.repeat);
    println!("- Machine: {}\n", machine_summary());
    println!("| measurement | median | rows/s | MB/s | ratio to (a) |");
    println!("|---|---:|---:|---:|---:|");
    let line = |label: &str, d: Duration, rate: f64| {
        println!(
            "| {label} | {} | {} | {:.1} | {} |",
            ms(d),
            group(rate.round() as u64),
            megabytes / d.as_secs_f64().max(1e-9),
            ratio(rate / ra.max(1e-9))
        );
    };
    line(&format!("(a) baseline: {baseline_kind}"), ma, ra);
    line(&format!("(b) {} ({})", reader.function(), reader.work()), mb, rb);
    line(&format!("(c) {} + `store_years` (full import, one transaction)", reader.function()), mc, rc);
    println!("\nRuns (ms): (a) {}; (b) {}; (c) {}", runs_ms(&baseline), runs_ms(&parse), runs_ms(&import));
    if baseline_rows != parsed_rows || parsed_rows != stored_rows {
        println!("\nNote: row counts differ: baseline {baseline_rows}, parsed {parsed_rows}, stored {stored_rows}.");
    }
    println!(
        "\nAgainst the raw csv parse: parsing runs at {} of its rows/s ({:.0}× its time), the full import at {} ({:.0}×).",
        ratio(rb / ra.max(1e-9)),
        ra / rb.max(1e-9),
        ratio(rc / ra.max(1e-9)),
        ra / rc.max(1e-9)
    );
    if args.keep {
        println!("\nKept: {}", tmp.path.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The synthetic national file
// ---------------------------------------------------------------------------------------

const KWB_HEADER: &str = "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;IndelingswijzigingWijkenEnBuurten_4;AantalInwoners_5;Mannen_6;Vrouwen_7;k_0Tot15Jaar_8;k_15Tot25Jaar_9;k_25Tot45Jaar_10;k_45Tot65Jaar_11;k_65JaarOfOuder_12;HuishoudensTotaal_28;Eenpersoonshuishoudens_29;GemiddeldeHuishoudensgrootte_32;Woningvoorraad_35;GemiddeldeWOZWaardeVanWoningen_36;Koopwoningen_40;HuurwoningenTotaal_41;InBezitWoningcorporatie_42;InBezitOverigeVerhuurders_43;GemiddeldInkomenPerInwoner_72;HuishoudensMetEenLaagInkomen_86;PersonenPerSoortUitkeringBijstand_89;PersonenPerSoortUitkeringAO_90;PersonenPerSoortUitkeringWW_91;PersonenPerSoortUitkeringAOW_92;AfstandTotHuisartsenpraktijk_107;AfstandTotGroteSupermarkt_108;AfstandTotSchool_110";
/// Columns before the figures: ID, name, municipality name, kind, code.
const KWB_TEXT_COLUMNS: usize = 5;

const NAME_PREFIXES: &[&str] = &["Noord-", "Zuid-", "Oost-", "West-", "Groot-", "Nieuw-", "Oud-", "Sint-"];
const NAME_STEMS: &[&str] = &[
    "Zand", "Veen", "Beek", "Berg", "Dal", "Horst", "Broek", "Hout", "Meer", "Wold", "Hem", "Loo", "Kamp", "Ven",
    "Rijn", "Maas", "Eem", "Lier", "Ooster", "Wester", "Heer", "Har", "Lin", "Bos",
];
const NAME_ENDINGS: &[&str] = &[
    "dam", "dorp", "hoven", "wijk", "veen", "huizen", "recht", "burg", "stad", "ingen", "um", "lo", "hem", "sel",
    "daal", "kerk", "zijl", "hout", "mond", "horst",
];
const BUURT_NAMES: &[&str] = &[
    "Centrum",
    "Oude Haven",
    "Stationsbuurt",
    "Bedrijventerrein",
    "Buitengebied",
    "Molenbuurt",
    "Kerkbuurt",
    "Schildersbuurt",
    "Bloemenbuurt",
    "Vogelbuurt",
    "Industrieterrein",
    "Verspreide huizen",
    "Dorpskern",
    "Parkwijk",
    "Nieuwbouw",
    "Lindenhof",
    "De Akkers",
    "Het Veld",
    "Rivierenbuurt",
    "Componistenbuurt",
];
const COMPASS: &[&str] = &["Noord", "Zuid", "Oost", "West"];

/// splitmix64: small, fast and deterministic, which is all the generator needs.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len() as u64) as usize).copied().unwrap_or_default()
    }
}

/// How many areas of each level the generated file holds.
struct Plan {
    municipalities: u64,
    districts: u64,
    neighbourhoods: u64,
}

impl Plan {
    /// Scales the national proportions to `rows` areas, within the code space: at most
    /// 9,999 municipalities, 100 wijken per municipality and 100 buurten per wijk.
    fn for_rows(rows: u64) -> Plan {
        let municipalities = (rows * 342 / NATIONAL_ROWS).clamp(1, 9_999);
        let districts = (rows * 3_300 / NATIONAL_ROWS).max(municipalities).min(municipalities * 100);
        let neighbourhoods = rows.saturating_sub(1 + municipalities + districts).min(districts * 100);
        Plan { municipalities, districts, neighbourhoods }
    }
}

/// Splits `total` over `parts` with random weights, at least 1 each when there is enough,
/// at most `max_each` each (the caller keeps total ≤ parts × max_each).
fn split(total: u64, parts: u64, max_each: u64, rng: &mut Rng) -> Vec<u64> {
    let floor = u64::from(total >= parts);
    let mut counts = vec![floor; parts as usize];
    let rest = total - floor * parts;
    let weights: Vec<f64> = (0..parts).map(|_| rng.range(0.2, 1.8)).collect();
    let sum: f64 = weights.iter().sum::<f64>().max(1e-9);
    let mut assigned = 0;
    for (c, w) in counts.iter_mut().zip(&weights) {
        let extra = ((rest as f64 * w / sum).floor() as u64).min(max_each - *c);
        *c += extra;
        assigned += extra;
    }
    let mut left = rest - assigned;
    let mut i = 0;
    let mut steps = 0u64;
    while left > 0 && steps < parts * (max_each + 1) {
        if let Some(c) = counts.get_mut(i) {
            if *c < max_each {
                *c += 1;
                left -= 1;
            }
        }
        i = (i + 1) % counts.len().max(1);
        steps += 1;
    }
    counts
}

/// A CBS table cell.
#[derive(Clone, Copy)]
enum Cell {
    Int(u64),
    Dec(f64),
    /// "x": secret.
    Secret,
    /// ".": unknown.
    Unknown,
    /// "-": nil.
    Nil,
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Land,
    Gemeente,
    Wijk,
    Buurt,
}

struct RowId<'a> {
    id: u64,
    name: &'a str,
    municipality: &'a str,
    level: Level,
    code: &'a str,
    population: u64,
}

fn quoted(out: &mut String, value: &str) {
    out.push('"');
    out.push_str(value);
    out.push('"');
}

/// One row, figures made up but plausible for the level and the population.
fn push_row(out: &mut String, rng: &mut Rng, row: &RowId<'_>) -> std::fmt::Result {
    let (label, unit) = match row.level {
        Level::Land => ("Land", 1.0),
        Level::Gemeente => ("Gemeente", 1.0),
        Level::Wijk => ("Wijk", 1.0),
        // CBS rounds the counts of buurten to fives.
        Level::Buurt => ("Buurt", 5.0),
    };
    let round = |v: f64| ((v / unit).round() * unit).max(0.0) as u64;
    let p = row.population as f64;
    let small = row.population < 50;
    let shielded = |c: Cell| if small { Cell::Secret } else { c };

    let men = round(p * rng.range(0.47, 0.52)).min(row.population);
    let shares: Vec<f64> = [(0.12, 0.20), (0.09, 0.16), (0.20, 0.32), (0.22, 0.30), (0.12, 0.28)]
        .iter()
        .map(|(lo, hi)| rng.range(*lo, *hi))
        .collect();
    let share_sum: f64 = shares.iter().sum();
    let household_size = rng.range(1.6, 2.9);
    let households = p / household_size;
    let owner = rng.range(20.0, 85.0).round();
    let rental = (100.0 - owner - rng.below(3) as f64).max(0.0);
    let corporation = (rental * rng.range(0.3, 0.8)).round();
    let age_65 = p * shares[4] / share_sum;
    let change = if row.level == Level::Buurt && rng.chance(0.03) { 2 + rng.below(2) } else { 1 };

    let mut cells = vec![Cell::Int(change), Cell::Int(row.population), Cell::Int(men), Cell::Int(row.population - men)];
    cells.extend(shares.iter().map(|s| Cell::Int(round(p * s / share_sum))));
    cells.push(Cell::Int(round(households)));
    cells.push(Cell::Int(round(households * rng.range(0.25, 0.55))));
    cells.push(if row.population == 0 { Cell::Unknown } else { Cell::Dec(household_size) });
    cells.push(Cell::Int(round(households * rng.range(0.98, 1.08))));
    cells.push(shielded(Cell::Int(rng.range(150.0, 700.0).round() as u64)));
    cells.push(Cell::Int(owner as u64));
    cells.push(Cell::Int(rental as u64));
    cells.push(Cell::Int(corporation as u64));
    cells.push(Cell::Int((rental - corporation).max(0.0) as u64));
    cells.push(shielded(Cell::Dec(rng.range(22.0, 45.0))));
    cells.push(shielded(Cell::Dec(rng.range(3.0, 20.0))));
    // Benefit counts: CBS rounds them to tens; none at all is "-".
    for rate in [rng.range(0.005, 0.06), rng.range(0.02, 0.06), rng.range(0.005, 0.02)] {
        let n = ((p * rate / 10.0).round() * 10.0) as u64;
        cells.push(shielded(if n == 0 { Cell::Nil } else { Cell::Int(n) }));
    }
    cells.push(shielded(Cell::Int(((age_65 * rng.range(0.9, 1.0) / 10.0).round() * 10.0) as u64)));
    for _ in 0..3 {
        cells.push(Cell::Dec(rng.range(0.3, 6.0)));
    }
    // Now and then CBS withholds or does not know a figure of a wijk or buurt.
    if matches!(row.level, Level::Wijk | Level::Buurt) {
        for cell in cells.iter_mut().skip(2) {
            let r = rng.unit();
            if r < 0.03 {
                *cell = Cell::Unknown;
            } else if r < 0.045 {
                *cell = Cell::Secret;
            }
        }
    }

    write!(out, "\"{}\";", row.id)?;
    quoted(out, &format!("{:<40}", row.name));
    out.push(';');
    quoted(out, &format!("{:<40}", row.municipality));
    out.push(';');
    quoted(out, &format!("{label:<10}"));
    out.push(';');
    quoted(out, &format!("{:<10}", row.code));
    for cell in cells {
        out.push(';');
        // The StatLine export pads symbols to the column width, though not everywhere.
        let pad = if rng.chance(0.5) { "       " } else { "" };
        match cell {
            Cell::Int(n) => write!(out, "\"{n}\"")?,
            Cell::Dec(v) => write!(out, "\"{v:.1}\"")?,
            Cell::Secret => write!(out, "\"{pad}x\"")?,
            Cell::Unknown => write!(out, "\"{pad}.\"")?,
            Cell::Nil => out.push_str("\"-\""),
        }
    }
    out.push_str("\r\n");
    Ok(())
}

fn municipality_name(rng: &mut Rng) -> String {
    let prefix = if rng.chance(0.15) { rng.pick(NAME_PREFIXES) } else { "" };
    format!("{prefix}{}{}", rng.pick(NAME_STEMS), rng.pick(NAME_ENDINGS))
}

fn buurt_name(rng: &mut Rng) -> String {
    let base = rng.pick(BUURT_NAMES);
    if rng.chance(0.3) {
        format!("{base} {}", rng.pick(COMPASS))
    } else {
        base.to_string()
    }
}

fn buurt_population(rng: &mut Rng) -> u64 {
    if rng.chance(0.08) {
        // Business parks and outlying areas: (almost) nobody lives there.
        if rng.chance(0.4) {
            0
        } else {
            5 * rng.below(10)
        }
    } else {
        let v = rng.range(150f64.ln(), 4_000f64.ln()).exp();
        ((v / 5.0).round() * 5.0) as u64
    }
}

/// A national-size KWB year in the StatLine/OData CSV format: semicolons, quoted and
/// padded values, CBS symbols, codes nested by prefix (BU gggg ww bb in WK gggg ww in
/// GM gggg). Deterministic: the same `rows` gives the same bytes.
fn synthetic_kwb(rows: u64) -> Result<(String, Plan)> {
    let expected_cells = KWB_HEADER.split(';').count() - KWB_TEXT_COLUMNS;
    let plan = Plan::for_rows(rows);
    let mut rng = Rng(0x4C45_4546_5749_4A4B); // "LEEFWIJK"
    let districts = split(plan.districts, plan.municipalities, 100, &mut rng);
    let gap_max = (9_998 / plan.municipalities).clamp(1, 3);

    struct Municipality {
        code: u64,
        name: String,
        /// Per wijk: its name and its buurten (name, population).
        districts: Vec<(String, Vec<(String, u64)>)>,
    }
    let neighbourhoods = split(plan.neighbourhoods, plan.districts, 100, &mut rng);
    let mut per_district = neighbourhoods.into_iter();
    let mut code = 0;
    let mut municipalities = Vec::with_capacity(plan.municipalities as usize);
    for &n_districts in &districts {
        code += 1 + rng.below(gap_max);
        let name = municipality_name(&mut rng);
        let mut ds = Vec::with_capacity(n_districts as usize);
        for w in 0..n_districts {
            let n_buurten = per_district.next().unwrap_or_default();
            let buurten = (0..n_buurten).map(|_| (buurt_name(&mut rng), buurt_population(&mut rng))).collect();
            ds.push((format!("Wijk {w:02} {name}"), buurten));
        }
        municipalities.push(Municipality { code, name, districts: ds });
    }

    let district_population = |rng: &mut Rng, buurten: &[(String, u64)]| -> u64 {
        if buurten.is_empty() {
            1_000 + rng.below(20_000)
        } else {
            buurten.iter().map(|(_, p)| p).sum()
        }
    };
    // Populations add up: buurten → wijk → gemeente → land.
    let mut populations: Vec<Vec<u64>> = Vec::with_capacity(municipalities.len());
    for m in &municipalities {
        populations.push(m.districts.iter().map(|(_, b)| district_population(&mut rng, b)).collect());
    }
    let land: u64 = populations.iter().flatten().sum();

    let mut out = String::with_capacity(rows as usize * 420);
    out.push_str(KWB_HEADER);
    out.push_str("\r\n");
    let mut id = 0;
    let mut row = |out: &mut String, rng: &mut Rng, name: &str, municipality: &str, level, code: &str, population| {
        let r = RowId { id, name, municipality, level, code, population };
        id += 1;
        push_row(out, rng, &r)
    };
    row(&mut out, &mut rng, "Nederland", "Nederland", Level::Land, "NL00", land)?;
    for (m, pops) in municipalities.iter().zip(&populations) {
        let gm = format!("{:04}", m.code);
        let m_pop = pops.iter().sum();
        row(&mut out, &mut rng, &m.name, &m.name, Level::Gemeente, &format!("GM{gm}"), m_pop)?;
        for (w, ((d_name, buurten), d_pop)) in m.districts.iter().zip(pops).enumerate() {
            row(&mut out, &mut rng, d_name, &m.name, Level::Wijk, &format!("WK{gm}{w:02}"), *d_pop)?;
            for (b, (b_name, b_pop)) in buurten.iter().enumerate() {
                row(&mut out, &mut rng, b_name, &m.name, Level::Buurt, &format!("BU{gm}{w:02}{b:02}"), *b_pop)?;
            }
        }
    }
    let first = out.lines().nth(1).unwrap_or_default();
    let cells = first.split(';').count().saturating_sub(KWB_TEXT_COLUMNS);
    ensure!(cells == expected_cells, "generator bug: {cells} figures per row, the header has {expected_cells}");
    Ok((out, plan))
}

// ---------------------------------------------------------------------------------------
// bench signals
// ---------------------------------------------------------------------------------------

/// Signals per delivery: the most one batch may hold.
const SIGNAL_BATCH_ROWS: usize = leefwijk_app::signals::intake::MAX_ROWS;
/// The benchmark's fixed "today": the generated dates are the same on every day it runs.
const SIGNALS_TODAY: &str = "2026-06-30";
/// The demo's housing corporation, whose API client sends every batch.
const SIGNALS_PARTNER: &str = "wv-corporatie";
/// The demo municipality whose buurten the generated addresses lie in.
const SIGNALS_MUNICIPALITY: &str = "BU9901";
/// Households per 6-position postcode (a real one holds about 15 to 20 addresses).
const HOUSEHOLDS_PER_POSTCODE: u64 = 16;
/// Rows per multi-row INSERT in the baseline: the chunk size of crates/store/src/signals.rs.
const RAW_CHUNK: usize = 400;
const SIGNALS_SEED: u64 = 0x5349_474E_414C_5321; // "SIGNALS!"
/// Letter pairs of Dutch postcodes: AA … ZZ without SA, SD and SS, which are never issued.
const POSTCODE_PAIRS: u64 = 26 * 26 - 3;

/// Kinds of the generated signals, with their share in percent.
const SIGNAL_MIX: &[(leefwijk_domain::signals::SignalKind, u64)] = {
    use leefwijk_domain::signals::SignalKind as K;
    &[
        (K::RentArrears, 30),
        (K::EnergyArrears, 20),
        (K::EnergyEndOfSupply, 5),
        (K::DrinkingWaterArrears, 10),
        (K::HealthInsuranceArrears, 15),
        (K::Nuisance, 10),
        (K::Neglect, 5),
        (K::WorryAboutResident, 5),
    ]
};

const SIGNAL_CSV_HEADER: &str = "kind,bsn,postcode,house_number,house_number_addition,buurt_code,arrears_cents,\
arrears_since,signal_date,customer_number,crisis,reminder_sent,personal_contact_attempted,debt_help_pointed_to,\
no_objection,reference";

#[derive(clap::Args)]
pub struct SignalsArgs {
    /// Synthetic signals in all, sent in batches of 100,000.
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1_000..=5_000_000))]
    rows: u64,
    /// Where both measurements write: postgres://… (a fresh schema t_<pid>_signals_…, left
    /// in place: drop it afterwards) or sqlite://PATH of a file that does not exist yet.
    /// Default: a fresh SQLite database in a temp dir. Only a URL on the command line
    /// counts, never LEEFWIJK_DATABASE_URL.
    #[arg(long)]
    database_url: Option<String>,
    /// Leaves the temp dir (SQLite database, keys) in place.
    #[arg(long)]
    keep: bool,
}

/// A valid, fictional BSN for person number `person` (below 7,000,000): seven digits
/// from the number, the eighth chosen so that the elfproef's check digit is a digit.
fn synthetic_bsn(person: u64) -> String {
    let mut d = [0u32; 9];
    // A first digit of 2 or more keeps the weighted sum from being 0, which fails the test.
    let seven = 2_000_000 + person % 7_000_000;
    for (i, slot) in d.iter_mut().take(7).enumerate() {
        *slot = (seven / 10u64.pow(6 - i as u32) % 10) as u32;
    }
    // 9·d1 + … + 3·d7 + 2·d8 − d9 ≡ 0 (mod 11): d9 = (s7 + 2·d8) mod 11, which must be < 10.
    let s7: u32 = d.iter().take(7).zip((3..=9).rev()).map(|(d, w)| d * w).sum();
    d[7] = u32::from(s7 % 11 == 10);
    d[8] = (s7 + 2 * d[7]) % 11;
    d.iter().map(|v| char::from(b'0' + *v as u8)).collect()
}

/// Postcode number `p`: 1000AA, 1000AB, …, skipping SA, SD and SS.
fn synthetic_postcode(p: u64) -> String {
    let mut pair = p % POSTCODE_PAIRS;
    // Every skipped pair lies before the ones after it: step over them in order.
    for skipped in [18 * 26, 18 * 26 + 3, 18 * 26 + 18] {
        if pair >= skipped {
            pair += 1;
        }
    }
    let letter = |n: u64| char::from(b'A' + n as u8);
    format!("{}{}{}", 1000 + p / POSTCODE_PAIRS, letter(pair / 26), letter(pair % 26))
}

/// splitmix64 of one value: a stable hash for "which buurt is this postcode in".
fn mix(v: u64) -> u64 {
    Rng(v).next_u64()
}

/// One generated signal, before it becomes CSV text or a raw row.
struct SynthSignal {
    kind: leefwijk_domain::signals::SignalKind,
    household: u64,
    bsn: Option<String>,
    postcode: u64,
    house_number: u32,
    addition: Option<&'static str>,
    /// Whether the row names its buurt; otherwise the postcode table gives it.
    send_buurt: bool,
    arrears_cents: Option<i64>,
    arrears_since: Option<leefwijk_domain::calendar::Date>,
    signal_date: leefwijk_domain::calendar::Date,
    customer_number: Option<String>,
    crisis: bool,
    reference: String,
}

/// The deterministic stream of synthetic signals: every signal goes to one of
/// `households` households (about 1.7 signals each, so households get several, within
/// one batch and across batches), dated in the year before [`SIGNALS_TODAY`].
struct SignalGenerator {
    rng: Rng,
    households: u64,
    buurten: Vec<String>,
    today: leefwijk_domain::calendar::Date,
    next: u64,
}

impl SignalGenerator {
    fn new(rows: u64, buurten: Vec<String>, today: leefwijk_domain::calendar::Date) -> SignalGenerator {
        SignalGenerator { rng: Rng(SIGNALS_SEED), households: (rows * 3 / 5).max(1), buurten, today, next: 0 }
    }

    fn postcodes(&self) -> u64 {
        self.households.div_ceil(HOUSEHOLDS_PER_POSTCODE)
    }

    fn buurt_of(&self, postcode: u64) -> &str {
        let n = self.buurten.len().max(1) as u64;
        self.buurten.get((mix(postcode) % n) as usize).map(String::as_str).unwrap_or_default()
    }

    /// Every generated postcode with its buurt: the content of `postcode_areas`.
    fn postcode_areas(&self) -> Vec<(String, String)> {
        (0..self.postcodes()).map(|p| (synthetic_postcode(p), self.buurt_of(p).to_string())).collect()
    }

    fn batch(&mut self, n: usize) -> Vec<SynthSignal> {
        (0..n).map(|_| self.signal()).collect()
    }

    fn signal(&mut self) -> SynthSignal {
        let rng = &mut self.rng;
        let i = self.next;
        self.next += 1;
        let household = rng.below(self.households);
        let mut roll = rng.below(100);
        let mut kind = SIGNAL_MIX[0].0;
        for (k, share) in SIGNAL_MIX {
            if roll < *share {
                kind = *k;
                break;
            }
            roll -= share;
        }
        let financial = kind.is_financial();
        let person = 2 * household + rng.below(2);
        let bsn = (financial || rng.chance(0.5)).then(|| synthetic_bsn(person));
        let signal_date = self.today.add_days(-(rng.below(365) as i64));
        let arrears_cents = financial.then(|| 5_000 + rng.below(495_000) as i64);
        let arrears_since = financial.then(|| signal_date.add_days(-(30 + rng.below(150) as i64)));
        let addition = match household % 13 {
            0 => Some("A"),
            5 => Some("-2hg"),
            _ => None,
        };
        SynthSignal {
            kind,
            household,
            bsn,
            postcode: household / HOUSEHOLDS_PER_POSTCODE,
            house_number: 1 + 2 * (household % HOUSEHOLDS_PER_POSTCODE) as u32,
            addition,
            send_buurt: rng.chance(0.5),
            arrears_cents,
            arrears_since,
            signal_date,
            customer_number: financial.then(|| format!("K{household:09}")),
            crisis: rng.chance(0.03),
            reference: format!("R{i:09}"),
        }
    }

    /// The batch as a partner's CSV export.
    fn csv(&self, signals: &[SynthSignal]) -> Result<String> {
        let mut out = String::with_capacity(signals.len() * 190);
        out.push_str(SIGNAL_CSV_HEADER);
        out.push('\n');
        for s in signals {
            let financial = s.kind.is_financial();
            let postcode = synthetic_postcode(s.postcode);
            // Half of the postcodes as people write them ("1234 AB").
            let postcode =
                if s.household % 2 == 0 { postcode } else { format!("{} {}", &postcode[..4], &postcode[4..]) };
            let yes = if financial { "true" } else { "" };
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{yes},{yes},{yes},{yes},{}",
                s.kind.code(),
                s.bsn.as_deref().unwrap_or_default(),
                postcode,
                s.house_number,
                s.addition.unwrap_or_default(),
                if s.send_buurt { self.buurt_of(s.postcode) } else { "" },
                s.arrears_cents.map(|c| c.to_string()).unwrap_or_default(),
                s.arrears_since.map(|d| d.to_string()).unwrap_or_default(),
                s.signal_date,
                s.customer_number.as_deref().unwrap_or_default(),
                if s.crisis { "true" } else { "false" },
                s.reference,
            )?;
        }
        Ok(out)
    }

    /// The batch as rows of the `signals` table, for the raw-insert baselines: the same
    /// columns, with values of the same shape, made up without the work of the real path.
    /// Ids are time-ordered like the UUIDv7 ids of the real path; every household has one
    /// 64-hex key of its own, so a household's signals share it as they do in `signals`.
    fn raw_rows(&self, signals: &[SynthSignal], rng: &mut Rng, now_ms: i64) -> Vec<SignalRecord> {
        let mut sequence = 0u64;
        let mut uuid = |rng: &mut Rng| {
            sequence += 1;
            let random = rng.next_u64();
            format!(
                "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
                (now_ms as u64 >> 16) & 0xffff_ffff,
                now_ms as u64 & 0xffff,
                (sequence >> 32) & 0xfff,
                0x8000 | ((sequence >> 16) & 0x3fff),
                ((sequence & 0xffff) << 32) | (random & 0xffff_ffff)
            )
        };
        let hex64 = |rng: &mut Rng| {
            format!("{:016x}{:016x}{:016x}{:016x}", rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64())
        };
        let household_key = |household: u64| {
            let mut own = Rng(SIGNALS_SEED ^ household.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            hex64(&mut own)
        };
        let batch_id = uuid(rng);
        let today = self.today.to_string();
        signals
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let financial = s.kind.is_financial();
                SignalRecord {
                    id: uuid(rng),
                    tenant_id: leefwijk_app::demo::DEMO_TENANT.to_string(),
                    batch_id: batch_id.clone(),
                    row_number: i as i64 + 2,
                    case_id: uuid(rng),
                    organisation_id: SIGNALS_PARTNER.to_string(),
                    kind: s.kind.code().to_string(),
                    person_pseudonym: s.bsn.as_ref().map(|_| hex64(rng)),
                    household_key: household_key(s.household),
                    buurt_code: self.buurt_of(s.postcode).to_string(),
                    arrears_cents: s.arrears_cents.unwrap_or_default(),
                    arrears_since: s.arrears_since.map(|d| d.to_string()),
                    signal_date: s.signal_date.to_string(),
                    received_on: today.clone(),
                    customer_key: s.customer_number.as_ref().map(|_| hex64(rng)),
                    reference: Some(s.reference.clone()),
                    crisis: s.crisis,
                    preconditions: if financial { 15 } else { 0 },
                    is_multiple: false,
                    is_recurrent: false,
                    is_repeat: false,
                    created_at: now_ms,
                }
            })
            .collect()
    }
}

/// The database both measurements write into, and a second pool on it for the baseline.
struct SignalsDb {
    store: Store,
    raw: sqlx::AnyPool,
    postgres: bool,
    describe: String,
}

/// The multi-row VALUES list of crates/store/src/signals.rs: "($1, $2), ($3, $4)" when
/// `numbered` (PostgreSQL), "(?, ?), (?, ?)" otherwise (SQLite).
fn raw_values_list(rows: usize, cols: usize, numbered: bool) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if numbered {
                out.push('$');
                out.push_str(&(r * cols + c + 1).to_string());
            } else {
                out.push('?');
            }
        }
        out.push(')');
    }
    out
}

/// The scratch table of (a): the plainest table the rows fit in.
const RAW_TABLE: &str = "bench_raw_signals";
/// The scratch table of (c): the keys and indexes of `signals`.
const RAW_TABLE_INDEXED: &str = "bench_raw_signals_indexed";
const RAW_COLUMNS: &str = "id, tenant_id, batch_id, row_number, case_id, organisation_id, kind, person_pseudonym, \
    household_key, buurt_code, arrears_cents, arrears_since, signal_date, received_on, customer_key, reference, crisis, \
    preconditions, is_multiple, is_recurrent, is_repeat, created_at";

/// A scratch table with the columns and types of `signals`. Plain: no keys, references
/// or indexes. Indexed: the primary key and the three indexes of `signals` (migration
/// 0005), without its references, which the made-up rows could not satisfy.
fn raw_table_ddl(table: &str, postgres: bool, indexed: bool) -> Vec<String> {
    let (int, strict) = if postgres { ("BIGINT", "") } else { ("INTEGER", " STRICT") };
    let columns: Vec<String> = RAW_COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| {
            let ty = match c {
                "row_number" | "arrears_cents" | "crisis" | "preconditions" | "is_multiple" | "is_recurrent"
                | "is_repeat" | "created_at" => int,
                _ => "TEXT",
            };
            let null = if matches!(c, "person_pseudonym" | "arrears_since" | "customer_key" | "reference") {
                ""
            } else {
                " NOT NULL"
            };
            let key = if indexed && c == "id" { " PRIMARY KEY" } else { "" };
            format!("{c} {ty}{null}{key}")
        })
        .collect();
    let mut ddl = vec![format!("CREATE TABLE {table} ({}){strict}", columns.join(", "))];
    if indexed {
        ddl.push(format!("CREATE INDEX {table}_by_household ON {table} (tenant_id, household_key, signal_date)"));
        ddl.push(format!("CREATE INDEX {table}_by_batch ON {table} (batch_id)"));
        ddl.push(format!("CREATE INDEX {table}_by_case ON {table} (case_id)"));
    }
    ddl
}

/// A raw insert of the rows into `table` in one transaction, as multi-row INSERTs of
/// [`RAW_CHUNK`] rows bound the way `StoreTx::insert_signals` binds them: borrowed strings,
/// `?` on SQLite, `$N` on PostgreSQL (`values_list` in crates/store/src/signals.rs).
async fn raw_insert(pool: &sqlx::AnyPool, table: &str, rows: &[SignalRecord], postgres: bool) -> Result<()> {
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(RAW_CHUNK) {
        let sql = format!("INSERT INTO {table} ({RAW_COLUMNS}) VALUES {}", raw_values_list(chunk.len(), 22, postgres));
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q
                .bind(s.id.as_str())
                .bind(s.tenant_id.as_str())
                .bind(s.batch_id.as_str())
                .bind(s.row_number)
                .bind(s.case_id.as_str())
                .bind(s.organisation_id.as_str())
                .bind(s.kind.as_str())
                .bind(s.person_pseudonym.as_deref())
                .bind(s.household_key.as_str())
                .bind(s.buurt_code.as_str())
                .bind(s.arrears_cents)
                .bind(s.arrears_since.as_deref())
                .bind(s.signal_date.as_str())
                .bind(s.received_on.as_str())
                .bind(s.customer_key.as_deref())
                .bind(s.reference.as_deref())
                .bind(i64::from(s.crisis))
                .bind(s.preconditions)
                .bind(i64::from(s.is_multiple))
                .bind(i64::from(s.is_recurrent))
                .bind(i64::from(s.is_repeat))
                .bind(s.created_at);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A fresh, migrated database for `bench signals` (setup, not timed).
async fn signals_db(target: &StoreTarget) -> Result<SignalsDb> {
    let (url, postgres, describe) = match target {
        StoreTarget::Postgres(url) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default();
            let schema = format!("t_{}_signals_{nanos}", std::process::id());
            let admin = Store::connect(url).await.context("connecting to PostgreSQL")?;
            leefwijk_store::testing::raw_sql(&admin, &format!("CREATE SCHEMA {schema}"))
                .await
                .context("creating the benchmark schema")?;
            admin.close().await;
            let sep = if url.contains('?') { '&' } else { '?' };
            let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
            (url, true, format!("PostgreSQL, a fresh schema {schema} (left in place: drop it afterwards)"))
        }
        StoreTarget::TempSqlite(dir) => {
            let path = dir.join("signals.db");
            (format!("sqlite://{}", path.display()), false, "SQLite, a fresh database file in a temp dir".to_string())
        }
        StoreTarget::NewSqliteFile(path) => (
            format!("sqlite://{}", path.display()),
            false,
            format!("SQLite at {} (a new file; left there)", path.display()),
        ),
    };
    let store = Store::connect(&url).await.context("opening the benchmark database")?;
    store.migrate().await.context("applying migrations")?;
    // The baseline's own pool, set up as Store::connect sets up its connections.
    let raw_url = if postgres || url.contains('?') { url.clone() } else { format!("{url}?mode=rwc") };
    let options: sqlx::any::AnyConnectOptions = raw_url.parse().context("baseline connection options")?;
    let raw = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if !postgres {
                    use sqlx::Executor as _;
                    conn.execute(leefwijk_store::SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("opening the baseline connection")?;
    for (table, indexed) in [(RAW_TABLE, false), (RAW_TABLE_INDEXED, true)] {
        for ddl in raw_table_ddl(table, postgres, indexed) {
            sqlx::query(&ddl).execute(&raw).await.context("creating a scratch table")?;
        }
    }
    Ok(SignalsDb { store, raw, postgres, describe })
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> Result<i64> {
    use sqlx::Row as _;
    let row = sqlx::query(sql).fetch_one(pool).await.with_context(|| format!("counting: {sql}"))?;
    Ok(row.try_get::<i64, _>(0)?)
}

fn per_second(rows: u64, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64().max(1e-9)
}

async fn bench_signals(args: SignalsArgs) -> Result<()> {
    use leefwijk_app::signals::ingest::{self, Delivery, Ingested};
    use leefwijk_app::signals::intake::parse_csv;

    let explicit_url = args.database_url.clone().filter(|_| database_url_on_command_line());
    if args.database_url.is_some() && explicit_url.is_none() {
        eprintln!(
            "Note: LEEFWIJK_DATABASE_URL is ignored here; the benchmark writes only into a database named with --database-url."
        );
    }
    let tmp = TempDir::new("signals", args.keep)?;
    let target = StoreTarget::new(explicit_url, &tmp.path)?;
    let today = leefwijk_domain::calendar::Date::parse(SIGNALS_TODAY).map_err(|e| anyhow!("{}", e.0))?;

    // Setup (not timed): a fresh database with the demo (areas, covenant, partner, API
    // client), an App with keys in the temp dir, the postcode table.
    eprintln!("setting up: fresh database, demo, postcode table …");
    let db = signals_db(&target).await?;
    leefwijk_app::demo::load(&db.store).await.context("loading the demo figures")?;
    leefwijk_app::demo::load_access(&db.store).await.context("loading the demo collaboration")?;
    let keys = leefwijk_app::access::keys::KeyRing::open(&tmp.path.join("keys")).context("creating bench keys")?;
    let config = leefwijk_app::signals::SignalsConfig { fixed_today: Some(today), ..Default::default() };
    let app = App::new(db.store.clone(), PressureConfig::default(), keys).with_signals(config);
    let tenant = leefwijk_app::demo::DEMO_TENANT;
    let client = db
        .store
        .api_clients(tenant)
        .await?
        .into_iter()
        .find(|c| c.organisation_id == SIGNALS_PARTNER)
        .with_context(|| format!("the demo has no API client of {SIGNALS_PARTNER}"))?;
    let actor = leefwijk_app::access::gate::Actor::Client(client);
    let view = app.monitor.view(None).await.context("the demo's area register")?;
    let buurten: Vec<String> = view
        .areas
        .keys()
        .filter(|c| c.kind() == leefwijk_domain::AreaKind::Buurt && c.as_str().starts_with(SIGNALS_MUNICIPALITY))
        .map(|c| c.as_str().to_string())
        .collect();
    ensure!(!buurten.is_empty(), "the demo has no buurten {SIGNALS_MUNICIPALITY}xxxx");
    let mut generator = SignalGenerator::new(args.rows, buurten, today);
    let pairs = generator.postcode_areas();
    app.store.put_postcode_areas(&pairs).await.context("filling postcode_areas")?;

    let batches = (args.rows as usize).div_ceil(SIGNAL_BATCH_ROWS);
    let mut raw_rng = Rng(SIGNALS_SEED ^ 0xBA5E);
    let (mut raw_runs, mut indexed_runs, mut parse_runs, mut ingest_runs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut opened, mut stacked, mut repeats, mut csv_bytes) = (0u64, 0u64, 0u64, 0u64);
    let mut left = args.rows as usize;
    for b in 0..batches {
        let n = left.min(SIGNAL_BATCH_ROWS);
        left -= n;
        let signals = generator.batch(n);
        let csv = generator.csv(&signals)?.into_bytes();
        csv_bytes += csv.len() as u64;
        let rows = generator.raw_rows(&signals, &mut raw_rng, leefwijk_app::access::identity::now_ms());
        drop(signals);
        eprintln!("batch {}/{batches}: {n} signals, raw inserts and API path …", b + 1);

        // Rotate which goes first, so drift on the machine hits all alike.
        let order: [u8; 3] = [[0, 1, 2], [2, 0, 1], [1, 2, 0]][b % 3];
        for step in order {
            if step == 0 {
                let started = Instant::now();
                raw_insert(&db.raw, RAW_TABLE, &rows, db.postgres).await.context("raw insert (a)")?;
                raw_runs.push(started.elapsed());
            } else if step == 1 {
                let started = Instant::now();
                raw_insert(&db.raw, RAW_TABLE_INDEXED, &rows, db.postgres).await.context("raw insert (c)")?;
                indexed_runs.push(started.elapsed());
            } else {
                // The API handler's work: hash the body, parse the CSV, look up the
                // covenant, ingest (validation, pseudonymisation, matching, routing,
                // deadlines, vault, audit, one transaction).
                let started = Instant::now();
                let hash = ingest::body_hash(&csv);
                let parsed = parse_csv(&csv).map_err(|errors| {
                    anyhow!("parse_csv rejected batch {}: {:?}", b + 1, errors.iter().take(3).collect::<Vec<_>>())
                })?;
                let parsed_at = Instant::now();
                let covenant = app.covenant_of(tenant).await?;
                let key = format!("bench-signals-{b}");
                let delivery = Delivery { idempotency_key: Some(&key), body_hash: hash, format: "csv", rows: parsed };
                let outcome = ingest::ingest(&app, &covenant, &actor, delivery).await?;
                let done = Instant::now();
                parse_runs.push(parsed_at - started);
                ingest_runs.push(done - parsed_at);
                match outcome {
                    Ingested::Stored(report) => {
                        ensure!(report.rows as usize == n, "batch {} stored {} of {n} rows", b + 1, report.rows);
                        opened += report.cases_opened;
                        stacked += report.cases_stacked;
                        repeats += report.repeats;
                    }
                    Ingested::Rejected(errors) => bail!(
                        "batch {} was rejected ({} problems), a generator bug; first: {:?}",
                        b + 1,
                        errors.len(),
                        errors.iter().take(3).collect::<Vec<_>>()
                    ),
                    Ingested::Denied(d) => bail!("the covenant denied the batch: {:?}", d.decision),
                }
            }
        }
    }

    for table in [RAW_TABLE, RAW_TABLE_INDEXED] {
        let stored = count(&db.raw, &format!("SELECT COUNT(*) FROM {table}")).await?;
        ensure!(stored as u64 == args.rows, "{table} holds {stored} rows, generated {}", args.rows);
    }
    // Only the benchmark's batches: the demo may hold signals of its own.
    let ours =
        "FROM signals s JOIN signal_batches b ON b.id = s.batch_id WHERE b.idempotency_key LIKE 'bench-signals-%'";
    let stored_signals = count(&db.raw, &format!("SELECT COUNT(*) {ours}")).await?;
    let recurrent = count(&db.raw, &format!("SELECT COUNT(*) {ours} AND s.is_recurrent = 1")).await?;
    let cases = count(&db.raw, &format!("SELECT COUNT(DISTINCT s.case_id) {ours}")).await?;
    let multi = count(
        &db.raw,
        &format!("SELECT COUNT(*) FROM signal_cases WHERE signal_count > 1 AND id IN (SELECT s.case_id {ours})"),
    )
    .await?;
    let vault = count(&db.raw, "SELECT COUNT(*) FROM person_vault").await?;
    let audit = count(&db.raw, "SELECT COUNT(*) FROM audit_log").await?;
    ensure!(
        stored_signals as u64 == args.rows,
        "the API path stored {stored_signals} signals, generated {}",
        args.rows
    );

    let sum = |ds: &[Duration]| ds.iter().sum::<Duration>();
    let (raw_total, indexed_total) = (sum(&raw_runs), sum(&indexed_runs));
    let (parse_total, ingest_total) = (sum(&parse_runs), sum(&ingest_runs));
    let api_total = parse_total + ingest_total;
    let (ra, rc, rb) =
        (per_second(args.rows, raw_total), per_second(args.rows, indexed_total), per_second(args.rows, api_total));
    let ratio = rb / ra.max(1e-9);

    println!("## leefwijk bench signals\n");
    println!(
        "- Signals: {} synthetic, generated deterministically (fixed today {SIGNALS_TODAY}), in {batches} batches of up to {}; \
         CSV {:.1} MB in all",
        group(args.rows),
        group(SIGNAL_BATCH_ROWS as u64),
        csv_bytes as f64 / 1_000_000.0
    );
    println!(
        "- {} households at {} postcodes in the {} buurten of {} (demo); kinds: {}",
        group(generator.households),
        group(generator.postcodes()),
        generator.buurten.len(),
        leefwijk_app::demo::DEMO_MUNICIPALITY,
        SIGNAL_MIX.iter().map(|(k, s)| format!("{} {s}%", k.code())).collect::<Vec<_>>().join(", ")
    );
    println!("- Database: {}; demo loaded, sender: the demo API client of {SIGNALS_PARTNER}", db.describe);
    println!("- Per batch the measurements run one after the other, rotating which goes first");
    println!("- Machine: {}\n", machine_summary());
    let placeholders = if db.postgres { "`$N`" } else { "`?`" };
    println!("| measurement | total | signals/s | ratio to (a) |");
    println!("|---|---:|---:|---:|");
    println!(
        "| (a) baseline: raw multi-row INSERT of the same rows into a plain table (the 22 columns of `signals`, no keys or indexes), {RAW_CHUNK} rows per statement with {placeholders}, one transaction per batch | {} | {} | 1.000 |",
        ms(raw_total),
        group(ra.round() as u64)
    );
    println!(
        "| (c) the same raw INSERT into a table with the primary key and the three indexes of `signals` | {} | {} | {:.3} |",
        ms(indexed_total),
        group(rc.round() as u64),
        rc / ra.max(1e-9)
    );
    println!(
        "| (b) API path: body hash + `parse_csv` + `ingest::ingest` (validation, pseudonymisation, matching, routing, deadlines, vault, audit; one transaction per batch) | {} | {} | **{:.3}** |",
        ms(api_total),
        group(rb.round() as u64),
        ratio
    );
    let met = |r: f64| if r >= 1.0 / 3.0 { "met" } else { "MISSED" };
    let indexed_ratio = rb / rc.max(1e-9);
    println!("\nTarget: the API path at one third of a raw insert of the same rows or better.");
    println!("- against (a), the plain table: **{}** ({ratio:.3})", met(ratio));
    println!(
        "- against (c), a table with the keys and indexes of `signals`: **{}** ({indexed_ratio:.3})",
        met(indexed_ratio)
    );
    println!(
        "\nWhere (b) goes: body hash + `parse_csv` {} ({:.0}%), `ingest::ingest` {} ({:.0}%).",
        ms(parse_total),
        100.0 * parse_total.as_secs_f64() / api_total.as_secs_f64().max(1e-9),
        ms(ingest_total),
        100.0 * ingest_total.as_secs_f64() / api_total.as_secs_f64().max(1e-9)
    );
    println!(
        "\nMatching: {} cases opened, {} stored cases stacked with new signals, {} repeats; stored: {} signals ({} recurrent) in {} cases ({} with more than one signal), {} vault entries, {} audit entries.",
        group(opened),
        group(stacked),
        group(repeats),
        group(stored_signals as u64),
        group(recurrent as u64),
        group(cases as u64),
        group(multi as u64),
        group(vault as u64),
        group(audit as u64)
    );
    println!(
        "\nRuns per batch (ms): (a) {}; (c) {}; (b) parse {}; (b) ingest {}",
        runs_ms(&raw_runs),
        runs_ms(&indexed_runs),
        runs_ms(&parse_runs),
        runs_ms(&ingest_runs)
    );
    if db.postgres {
        println!("\nThe schema stays on the server: drop it with DROP SCHEMA … CASCADE.");
    }
    db.raw.close().await;
    db.store.close().await;
    if args.keep {
        println!("\nKept: {}", tmp.path.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// bench api
// ---------------------------------------------------------------------------------------

const BASELINE_PATH: &str = "/api/v1/health";
const API_ENDPOINTS: &[&str] = &[
    "/api/v1/areas/WK990101",
    "/api/v1/areas?q=wijk",
    "/api/v1/rankings?indicator=pressure_index&kind=buurt",
    "/api/v1/housing/social-share",
    "/gemeente/GM9901",
];
const RESULT_PREFIX: &str = "LEEFWIJK_RESULT ";
/// A request slower than this counts as an error (wrk: a timeout).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long past its duration a load process may run before it is killed.
const GRACE: Duration = Duration::from_secs(20);

#[derive(clap::Args)]
pub struct ApiArgs {
    /// Seconds of load per endpoint (at most 120).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    duration_secs: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=512))]
    connections: u64,
    /// Load generator in a second process: wrk (default when installed) or builtin.
    #[arg(long, value_enum)]
    tool: Option<Tool>,
    /// At most this many requests per endpoint: the load is stopped when reached.
    #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    max_requests: u64,
    /// What the server holds: the fictional demo, or real national data (the bundled CBS
    /// figures and boundaries of data/nl, plus RIVM's wijk and buurt table, see --rivm)
    /// with national endpoints (all wijken, all buurten, Utrecht's pages, /kaart).
    #[arg(long, value_enum, default_value_t = DataSet::Demo)]
    data: DataSet,
    /// RIVM's StatLine table 50090NED as CSV (Gezondheid per wijk en buurt), imported for
    /// `--data national`. Default: ../shared/data/rivm_gezondheid_wijk_buurt_18plus_2012_2016_2020.csv
    /// (from the working directory) when it exists.
    #[arg(long)]
    rivm: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum DataSet {
    /// The fictional demo (`leefwijk_app::demo::load`).
    Demo,
    /// The national bundle (`leefwijk_app::areas::national::load`) and RIVM's table.
    National,
}

/// Where `--data national` looks for RIVM's table when --rivm is absent.
const DEFAULT_RIVM: &str = "../shared/data/rivm_gezondheid_wijk_buurt_18plus_2012_2016_2020.csv";

/// The server's data set, resolved from the arguments.
enum ServerData {
    Demo,
    National { rivm: Option<PathBuf> },
}

impl ServerData {
    fn from_args(args: &ApiArgs) -> Result<ServerData> {
        match (args.data, &args.rivm) {
            (DataSet::Demo, Some(_)) => bail!("--rivm needs --data national"),
            (DataSet::Demo, None) => Ok(ServerData::Demo),
            (DataSet::National, Some(path)) => {
                ensure!(path.is_file(), "--rivm {}: not a file", path.display());
                Ok(ServerData::National { rivm: Some(path.clone()) })
            }
            (DataSet::National, None) => {
                let default = PathBuf::from(DEFAULT_RIVM);
                if default.is_file() {
                    Ok(ServerData::National { rivm: Some(default) })
                } else {
                    eprintln!(
                        "{DEFAULT_RIVM} is not there (pass --rivm FILE): no buurt figures, so the buurt ranking is left out."
                    );
                    Ok(ServerData::National { rivm: None })
                }
            }
        }
    }
}

/// One URL `bench api` loads.
struct Endpoint {
    path: &'static str,
    /// Left out (with a note) when it answers 404: a page that may not exist yet.
    optional: bool,
}

const fn required(path: &'static str) -> Endpoint {
    Endpoint { path, optional: false }
}

/// The national endpoints of issue 15. Utrecht (GM0344) and its wijk 01 West exist in the
/// 2022 selection; `lonely` is an RIVM indicator (buurten have no CBS figures in the bundle).
const NATIONAL_WIJK_RANKING: &str = "/api/v1/rankings?indicator=population&kind=wijk";
const NATIONAL_BUURT_RANKING: &str = "/api/v1/rankings?indicator=lonely&kind=buurt&year=2020";
/// The first page of the same ranking, as a table in a page would ask for it.
const NATIONAL_BUURT_RANKING_PAGE: &str = "/api/v1/rankings?indicator=lonely&kind=buurt&year=2020&limit=100";
const NATIONAL_PAGES: &[Endpoint] =
    &[required("/gemeente/GM0344"), required("/gebied/WK034401"), Endpoint { path: "/kaart", optional: true }];
/// Endpoints faster than this p99 meet issue 15's target (at 16 connections).
const P99_TARGET_MS: f64 = 50.0;

fn endpoints(data: &ServerData) -> Vec<Endpoint> {
    match data {
        ServerData::Demo => API_ENDPOINTS.iter().map(|p| required(p)).collect(),
        ServerData::National { rivm } => {
            let mut list = vec![required(NATIONAL_WIJK_RANKING)];
            if rivm.is_some() {
                list.push(required(NATIONAL_BUURT_RANKING));
                list.push(required(NATIONAL_BUURT_RANKING_PAGE));
            }
            list.extend(NATIONAL_PAGES.iter().map(|e| Endpoint { path: e.path, optional: e.optional }));
            list
        }
    }
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Tool {
    Wrk,
    Builtin,
}

#[derive(clap::Args)]
pub struct LoadClientArgs {
    /// http://127.0.0.1:PORT/PATH: loopback only.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=512))]
    connections: u64,
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    duration_secs: u64,
    #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    max_requests: u64,
}

/// What one load run measured; wrk's Lua `done` and the built-in client both print it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct LoadResult {
    requests: u64,
    duration_secs: f64,
    bytes: u64,
    p50_ms: f64,
    p99_ms: f64,
    /// Responses with status ≥ 400.
    status_errors: u64,
    /// Connect, read and write errors and timeouts.
    socket_errors: u64,
}

impl LoadResult {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.duration_secs.max(1e-9)
    }
    fn errors(&self) -> u64 {
        self.status_errors + self.socket_errors
    }
}

/// wrk reports through this script, as one JSON line in the format of [`LoadResult`].
const WRK_SCRIPT: &str = r#"-- leefwijk bench api: the summary as one JSON line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LEEFWIJK_RESULT {"requests":%d,"duration_secs":%.6f,"bytes":%d,"p50_ms":%.3f,"p99_ms":%.3f,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"#;

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

enum LoadTool {
    Wrk { program: PathBuf, threads: u64, script: PathBuf, version: String },
    Builtin { exe: PathBuf },
}

impl LoadTool {
    fn describe(&self) -> String {
        match self {
            LoadTool::Wrk { threads, version, .. } => format!("{version}, {threads} thread(s)"),
            LoadTool::Builtin { .. } => {
                "built-in client (`leefwijk bench load-client`, tokio, HTTP/1.1 keep-alive)".into()
            }
        }
    }

    fn command(&self, url: &str, args: &ApiArgs, duration_secs: u64) -> Command {
        match self {
            LoadTool::Wrk { program, threads, script, .. } => {
                let mut c = Command::new(program);
                c.arg(format!("-t{threads}"))
                    .arg(format!("-c{}", args.connections))
                    .arg(format!("-d{duration_secs}s"))
                    .arg("--timeout")
                    .arg(format!("{}s", REQUEST_TIMEOUT.as_secs()))
                    .arg("-s")
                    .arg(script)
                    .arg(url);
                c
            }
            LoadTool::Builtin { exe } => {
                let mut c = Command::new(exe);
                c.args(["bench", "load-client", "--url", url])
                    .arg("--connections")
                    .arg(args.connections.to_string())
                    .arg("--duration-secs")
                    .arg(duration_secs.to_string())
                    .arg("--max-requests")
                    .arg(args.max_requests.to_string());
                c
            }
        }
    }
}

fn choose_tool(wanted: Option<Tool>, args: &ApiArgs, tmp: &Path) -> Result<LoadTool> {
    let wrk = find_in_path("wrk");
    match (wanted, wrk) {
        (Some(Tool::Wrk) | None, Some(program)) => {
            let script = tmp.join("leefwijk-report.lua");
            std::fs::write(&script, WRK_SCRIPT).with_context(|| format!("writing {}", script.display()))?;
            // wrk needs at least one connection per thread; the server needs CPU too.
            let cpus = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1);
            let threads = (cpus / 2).clamp(1, args.connections);
            let version = Command::new(&program)
                .arg("-v")
                .output()
                .ok()
                .and_then(|o| String::from_utf8_lossy(&o.stdout).lines().next().map(|l| l.trim().to_string()))
                .filter(|l| l.starts_with("wrk"))
                .map(|l| l.split(" Copyright").next().unwrap_or_default().to_string())
                .unwrap_or_else(|| "wrk".into());
            Ok(LoadTool::Wrk { program, threads, script, version })
        }
        (Some(Tool::Wrk), None) => {
            bail!("--tool wrk: wrk is not installed (Debian: apt-get install wrk); --tool builtin needs nothing")
        }
        (None, None) => {
            eprintln!(
                "wrk is not installed (Debian: apt-get install wrk): using the built-in load client, still in a second process."
            );
            Ok(LoadTool::Builtin { exe: std::env::current_exe().context("locating the leefwijk binary")? })
        }
        (Some(Tool::Builtin), _) => {
            Ok(LoadTool::Builtin { exe: std::env::current_exe().context("locating the leefwijk binary")? })
        }
    }
}

async fn count_requests(
    axum::extract::State(counter): axum::extract::State<Arc<AtomicU64>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    counter.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}

/// Asks a load process to stop and report (SIGINT: wrk and the built-in client both
/// print their results); kills it if that fails.
fn interrupt(child: &mut std::process::Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !sent {
        let _ = child.kill();
    }
}

fn read_pipe<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        text
    })
}

struct Measured {
    baseline: bool,
    label: String,
    result: LoadResult,
}

/// Runs the load process against one URL, stopping it at the request cap (counted by the
/// server) or, failing all else, killing it after its duration plus a grace period.
async fn run_load(
    tool: &LoadTool,
    url: &str,
    args: &ApiArgs,
    duration_secs: u64,
    counter: &AtomicU64,
) -> Result<(LoadResult, bool)> {
    counter.store(0, Ordering::Relaxed);
    let mut child = tool
        .command(url, args, duration_secs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting the load generator")?;
    let stdout = read_pipe(child.stdout.take());
    let stderr = read_pipe(child.stderr.take());
    let deadline = Instant::now() + Duration::from_secs(duration_secs) + GRACE;
    let (mut capped, mut killed) = (false, false);
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for the load generator")? {
            break status;
        }
        if !capped && counter.load(Ordering::Relaxed) >= args.max_requests {
            interrupt(&mut child);
            capped = true;
        }
        if !killed && Instant::now() >= deadline {
            let _ = child.kill();
            killed = true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    let line = out.lines().find_map(|l| l.strip_prefix(RESULT_PREFIX)).ok_or_else(|| {
        anyhow!(
            "the load generator ({status}{}) reported no result.\nstdout: {}\nstderr: {}",
            if killed { ", killed after its time limit" } else { "" },
            out.trim(),
            err.trim()
        )
    })?;
    let result: LoadResult = serde_json::from_str(line).with_context(|| format!("reading the load result '{line}'"))?;
    // The built-in client stops itself at the cap, often before the server counted it.
    let capped = capped || result.requests >= args.max_requests;
    Ok((result, capped))
}

/// The demo or the national data served in-process on 127.0.0.1:0, counting requests.
struct BenchServer {
    addr: SocketAddr,
    counter: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    store: Store,
    /// What the database holds and how long loading it took, for the report.
    holds: String,
}

/// Loads the national bundle and, when given, RIVM's table into a fresh database (setup,
/// not part of any measurement); describes what it loaded.
async fn load_national(store: &Store, rivm: Option<&Path>) -> Result<String> {
    use leefwijk_app::areas::national::{self, NationalOutcome};
    eprintln!("loading the national bundle (data/nl) …");
    let started = Instant::now();
    let NationalOutcome::Loaded { municipalities, districts, boundaries } =
        national::load(store).await.context("loading the national bundle")?
    else {
        bail!("the fresh database already held the national bundle");
    };
    let mut holds = format!(
        "the national bundle (data/nl: CBS KWB 2020 gemeenten, KWB 2022 gemeente and wijk selection, 2022 gemeente \
         and wijk boundaries): {} gemeenten, {} wijken, {} boundaries, loaded in {:.1} s",
        group(municipalities as u64),
        group(districts as u64),
        group(boundaries as u64),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = rivm {
        eprintln!("importing {} …", path.display());
        let name = file_name(path);
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let started = Instant::now();
        let parse_name = name.clone();
        let parsed = tokio::task::spawn_blocking(move || import_kwb::parse_kwb(&bytes, &parse_name, None, &|_| {}))
            .await
            .context("the parser task failed")?
            .with_context(|| format!("parse_kwb rejected {name}"))?;
        let summaries = store_years(store, &parsed, &name).await.context("store_years failed")?;
        let years: Vec<String> = summaries
            .iter()
            .map(|s| {
                format!("{} ({} wijken, {} buurten)", s.year, group(s.districts as u64), group(s.neighbourhoods as u64))
            })
            .collect();
        write!(
            holds,
            "; and {name} imported with `parse_kwb` + `store_years`: {}, in {:.1} s",
            years.join(", "),
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(holds)
}

impl BenchServer {
    async fn start(tmp: &Path, data: &ServerData) -> Result<BenchServer> {
        let db = tmp.join("bench.db");
        let store =
            Store::connect(&format!("sqlite://{}", db.display())).await.context("creating the SQLite database")?;
        store.migrate().await.context("applying migrations")?;
        let holds = match data {
            ServerData::Demo => match leefwijk_app::demo::load(&store).await.context("loading the demo data")? {
                leefwijk_app::demo::DemoOutcome::Loaded { .. } => "the demo data".to_string(),
                leefwijk_app::demo::DemoOutcome::SkippedExistingData => {
                    bail!("the fresh database already held figures")
                }
            },
            ServerData::National { rivm } => load_national(&store, rivm.as_deref()).await?,
        };
        let counter = Arc::new(AtomicU64::new(0));
        let keys = leefwijk_app::access::keys::KeyRing::open(&tmp.join("keys")).context("creating bench keys")?;
        let router = leefwijk_web::router(App::new(store.clone(), PressureConfig::default(), keys))
            .layer(axum::middleware::from_fn_with_state(counter.clone(), count_requests));
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.context("binding 127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_server = stop.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    while !stop_server.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                })
                .await
        });
        Ok(BenchServer { addr, counter, stop, server, store, holds })
    }

    async fn shut_down(self) -> Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match tokio::time::timeout(Duration::from_secs(10), self.server).await {
            Ok(joined) => joined.context("the server task failed")?.context("the server failed")?,
            Err(_) => eprintln!("the server did not stop within 10 s; leaving it to the process exit"),
        }
        self.store.close().await;
        Ok(())
    }
}

#[derive(clap::Args)]
pub struct SoakArgs {
    /// Minutes of load (at most 60).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60))]
    minutes: u64,
    /// Seconds of warm-up before the memory baseline is taken.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(5..=600))]
    warm_up_secs: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    connections: u64,
    /// Allowed growth of the server's resident memory after warm-up, in percent.
    #[arg(long, default_value_t = 20)]
    max_growth_percent: u64,
    /// Load generator in a second process: wrk (default when installed) or builtin.
    #[arg(long, value_enum)]
    tool: Option<Tool>,
}

/// Resident memory of this process (the server runs in it), in KiB, from /proc.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn bench_soak(args: SoakArgs) -> Result<()> {
    let tmp = TempDir::new("soak", false)?;
    // Load runs in slices of 15 s, cycling through the endpoints: a mixed workload.
    let slice = 15;
    let api = ApiArgs {
        duration_secs: slice,
        connections: args.connections,
        tool: args.tool,
        max_requests: 10_000_000,
        data: DataSet::Demo,
        rivm: None,
    };
    let tool = choose_tool(args.tool, &api, &tmp.path)?;
    let server = BenchServer::start(&tmp.path, &ServerData::Demo).await?;
    let outcome = soak(&args, &api, &tool, &server).await;
    server.shut_down().await?;
    let (samples, errors, requests) = outcome?;
    let baseline = samples.iter().find(|(t, _)| *t >= args.warm_up_secs).map(|(_, kib)| *kib);
    let last = samples.last().map(|(_, kib)| *kib);
    println!("## leefwijk bench soak\n");
    println!(
        "- {} min of mixed load ({} endpoints in {slice} s slices), {} connections, {}",
        args.minutes,
        API_ENDPOINTS.len() + 1,
        args.connections,
        tool.describe()
    );
    println!("- {} requests, {errors} errors", group(requests));
    println!("- {}\n", machine_summary());
    println!("| after (s) | server RSS (MiB) |\n|---:|---:|");
    for (t, kib) in &samples {
        println!("| {t} | {:.1} |", *kib as f64 / 1024.0);
    }
    let (Some(baseline), Some(last)) = (baseline, last) else {
        bail!("no memory samples after the warm-up: run longer than --warm-up-secs");
    };
    let growth = (last as f64 / baseline as f64 - 1.0) * 100.0;
    println!(
        "\nMemory after warm-up: {:.1} MiB; at the end: {:.1} MiB; growth {growth:+.1}% (allowed {}%).",
        baseline as f64 / 1024.0,
        last as f64 / 1024.0,
        args.max_growth_percent
    );
    ensure!(errors == 0, "the soak saw {errors} errors");
    ensure!(
        growth <= args.max_growth_percent as f64,
        "memory grew {growth:.1}% after warm-up (allowed {}%)",
        args.max_growth_percent
    );
    println!("Soak passed.");
    Ok(())
}

/// Runs the slices; returns memory samples (seconds since start, KiB), errors and requests.
async fn soak(
    args: &SoakArgs,
    api: &ApiArgs,
    tool: &LoadTool,
    server: &BenchServer,
) -> Result<(Vec<(u64, u64)>, u64, u64)> {
    let paths: Vec<&str> = std::iter::once(BASELINE_PATH).chain(API_ENDPOINTS.iter().copied()).collect();
    for path in &paths {
        let (status, _) = fetch_once(server.addr, path).await.with_context(|| format!("GET {path}"))?;
        ensure!(status == 200, "GET {path} answered {status} before any load");
    }
    let started = Instant::now();
    let total = Duration::from_secs(args.minutes * 60);
    let (mut samples, mut errors, mut requests) = (Vec::new(), 0, 0);
    let mut i = 0;
    while started.elapsed() < total {
        let path = paths[i % paths.len()];
        i += 1;
        let left = total.saturating_sub(started.elapsed()).as_secs().clamp(1, api.duration_secs);
        let (result, _) = run_load(tool, &format!("http://{}{path}", server.addr), api, left, &server.counter).await?;
        errors += result.errors();
        requests += result.requests;
        if let Some(kib) = resident_kib() {
            samples.push((started.elapsed().as_secs(), kib));
        }
        eprintln!(
            "soak {:>4} s: GET {path}: {:.0} req/s, {} errors",
            started.elapsed().as_secs(),
            result.per_second(),
            result.errors()
        );
    }
    Ok((samples, errors, requests))
}

async fn bench_api(args: ApiArgs) -> Result<()> {
    let data = ServerData::from_args(&args)?;
    let tmp = TempDir::new("api", false)?;
    let tool = choose_tool(args.tool, &args, &tmp.path)?;
    let server = BenchServer::start(&tmp.path, &data).await?;
    let addr = server.addr;
    let outcome = measure_api(&args, &tool, addr, &server.counter, &endpoints(&data)).await;
    let holds = server.holds.clone();
    server.shut_down().await?;
    let (measured, skipped) = outcome?;
    print_api_report(&args, &tool, addr, &holds, &measured, &skipped);
    Ok(())
}

/// The number of entries in a JSON response's `rows` (rankings), if it has them.
fn json_rows(body: &[u8]) -> Option<usize> {
    let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
    doc.get("rows")?.as_array().map(Vec::len)
}

/// Loads every endpoint in turn; returns the measurements and the optional endpoints left
/// out, with why.
async fn measure_api(
    args: &ApiArgs,
    tool: &LoadTool,
    addr: SocketAddr,
    counter: &AtomicU64,
    endpoints: &[Endpoint],
) -> Result<(Vec<Measured>, Vec<String>)> {
    // Every endpoint must answer 200 before it is worth loading; this also fills caches.
    let (baseline_status, _) = fetch_once(addr, BASELINE_PATH).await.with_context(|| format!("GET {BASELINE_PATH}"))?;
    ensure!(baseline_status == 200, "GET {BASELINE_PATH} answered {baseline_status} before any load");
    let mut loaded: Vec<(&str, String)> = Vec::new();
    let mut skipped = Vec::new();
    for e in endpoints {
        let started = Instant::now();
        let (status, body) = fetch_once(addr, e.path).await.with_context(|| format!("GET {}", e.path))?;
        let first = started.elapsed();
        if e.optional && status == 404 {
            eprintln!("GET {} answered 404: left out", e.path);
            skipped.push(format!("`{}` answered 404 (the page does not exist in this build)", e.path));
            continue;
        }
        ensure!(
            status == 200,
            "GET {} answered {status} before any load: {}",
            e.path,
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
        let rows = json_rows(&body).map(|n| format!(", {} rows", group(n as u64))).unwrap_or_default();
        eprintln!("GET {}: 200, {} bytes{rows}, first answer in {}", e.path, group(body.len() as u64), ms(first));
        let note = json_rows(&body).map(|n| format!(" ({} rows)", group(n as u64))).unwrap_or_default();
        loaded.push((e.path, note));
    }
    // A short, unreported warm-up of server, loopback and load generator.
    let warm_up = args.duration_secs.min(2);
    eprintln!("warm-up: GET {BASELINE_PATH} for {warm_up} s …");
    run_load(tool, &format!("http://{addr}{BASELINE_PATH}"), args, warm_up, counter).await?;
    let mut runs: Vec<(&str, String)> = vec![(BASELINE_PATH, " (baseline, first)".into())];
    runs.extend(loaded);
    runs.push((BASELINE_PATH, " (baseline, last)".into()));
    let mut measured = Vec::new();
    let total = runs.len();
    for (i, (path, note)) in runs.into_iter().enumerate() {
        eprintln!("[{}/{total}] GET {path} for {} s …", i + 1, args.duration_secs);
        let url = format!("http://{addr}{path}");
        let (result, capped) = run_load(tool, &url, args, args.duration_secs, counter).await?;
        let cap_note = if capped { " (stopped at the request cap)" } else { "" };
        measured.push(Measured { baseline: path == BASELINE_PATH, label: format!("`{path}`{note}{cap_note}"), result });
    }
    Ok((measured, skipped))
}

fn print_api_report(
    args: &ApiArgs,
    tool: &LoadTool,
    addr: SocketAddr,
    holds: &str,
    measured: &[Measured],
    skipped: &[String],
) {
    let baseline: Vec<f64> = measured.iter().filter(|m| m.baseline).map(|m| m.result.per_second()).collect();
    let base = baseline.iter().sum::<f64>() / (baseline.len().max(1) as f64);
    let drift = match baseline.as_slice() {
        [first, last] => (first - last).abs() / base.max(1e-9),
        _ => 0.0,
    };
    let log = std::env::var("RUST_LOG").unwrap_or_else(|_| "unset (warn: no log line per request)".into());
    println!("## leefwijk bench api\n");
    println!("- Server: in this process on {addr}, a fresh SQLite database with {holds}; RUST_LOG={log}");
    println!(
        "- Load: {} in a second process; {} connections, {} s per endpoint, at most {} requests per endpoint",
        tool.describe(),
        args.connections,
        args.duration_secs,
        group(args.max_requests)
    );
    println!(
        "- Baseline: GET {BASELINE_PATH} measured first and last; their mean, {} req/s, is 1.00 (first and last differ by {:.1}%)",
        group(base.round() as u64),
        drift * 100.0
    );
    if drift > 0.10 {
        println!("- **Note**: the baseline moved by more than 10% during the run: the machine was not quiet, so the ratios are rough; run it again");
    }
    for s in skipped {
        println!("- Left out: {s}");
    }
    println!("- Machine: {}\n", machine_summary());
    println!(
        "| GET | req/s | ratio to health | p50 ms | p99 ms | p99 < {P99_TARGET_MS:.0} ms | errors | requests | bytes/response |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|---:|---:|");
    for m in measured {
        let r = &m.result;
        println!(
            "| {} | {} | {:.3} | {:.2} | {:.2} | {} | {} | {} | {} |",
            m.label,
            group(r.per_second().round() as u64),
            r.per_second() / base.max(1e-9),
            r.p50_ms,
            r.p99_ms,
            if r.p99_ms < P99_TARGET_MS && r.errors() == 0 { "met" } else { "**MISSED**" },
            group(r.errors()),
            group(r.requests),
            group(r.bytes / r.requests.max(1))
        );
    }
    let missed: Vec<&str> = measured
        .iter()
        .filter(|m| m.result.p99_ms >= P99_TARGET_MS || m.result.errors() > 0)
        .map(|m| m.label.as_str())
        .collect();
    if missed.is_empty() {
        println!(
            "\nTarget (p99 under {P99_TARGET_MS:.0} ms at {} connection(s), no errors): met by every endpoint.",
            args.connections
        );
    } else {
        println!(
            "\nTarget (p99 under {P99_TARGET_MS:.0} ms at {} connection(s), no errors): MISSED by {}.",
            args.connections,
            missed.join(", ")
        );
    }
}

// ---------------------------------------------------------------------------------------
// The built-in HTTP/1.1 client (bench load-client, and the checks before a run)
// ---------------------------------------------------------------------------------------

/// `http://127.0.0.1:PORT/path` → address and path; refuses anything but loopback.
fn parse_loopback_url(url: &str) -> Result<(SocketAddr, String)> {
    let rest = url.strip_prefix("http://").context("the load client speaks plain http:// only")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let addr: SocketAddr = host.parse().with_context(|| format!("'{host}' is not IP:PORT"))?;
    ensure!(addr.ip().is_loopback(), "the load client only targets loopback, not {}", addr.ip());
    Ok((addr, path))
}

fn request_bytes(addr: SocketAddr, path: &str) -> Vec<u8> {
    // Like wrk: a Host header and nothing else.
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes()
}

/// One keep-alive connection. Uses readiness + try_read/try_write, so it needs only
/// tokio's `net` feature.
struct HttpConn {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
    scratch: Vec<u8>,
}

struct Reply {
    status: u16,
    /// Bytes of the whole response, head and body.
    len: usize,
    body_start: usize,
    keep_alive: bool,
}

enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

const MAX_RESPONSE: usize = 64 * 1024 * 1024;

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// Walks chunked framing from `cursor`: Ok(Some(end)) when the body is complete.
fn chunked_end(buf: &[u8], mut cursor: usize) -> Result<Option<usize>> {
    loop {
        let Some(line_end) = find(buf, b"\r\n", cursor) else { return Ok(None) };
        let size_text = std::str::from_utf8(&buf[cursor..line_end]).context("chunk size is not text")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).with_context(|| format!("bad chunk size '{size_text}'"))?;
        let data = line_end + 2;
        if size == 0 {
            // Trailers (if any) end with an empty line.
            if buf.get(data..data + 2) == Some(b"\r\n".as_slice()) {
                return Ok(Some(data + 2));
            }
            return Ok(find(buf, b"\r\n\r\n", data).map(|i| i + 4));
        }
        if buf.len() < data + size + 2 {
            return Ok(None);
        }
        cursor = data + size + 2;
    }
}

impl HttpConn {
    async fn connect(addr: SocketAddr) -> std::io::Result<HttpConn> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(HttpConn { stream, buf: Vec::with_capacity(64 * 1024), scratch: vec![0; 64 * 1024] })
    }

    async fn write_all(&self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(data) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads what is there (waiting for at least one byte); 0 means the peer closed.
    async fn read_more(&mut self) -> std::io::Result<usize> {
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut self.scratch) {
                Ok(n) => {
                    self.buf.extend_from_slice(&self.scratch[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    async fn read_or_fail(&mut self, what: &str) -> Result<()> {
        ensure!(self.buf.len() <= MAX_RESPONSE, "response larger than {MAX_RESPONSE} bytes");
        if self.read_more().await? == 0 {
            bail!("connection closed {what}");
        }
        Ok(())
    }

    /// Sends one request and reads one whole response into `self.buf`.
    async fn exchange(&mut self, request: &[u8]) -> Result<Reply> {
        self.buf.clear();
        self.write_all(request).await?;
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n", 0) {
                break i + 4;
            }
            self.read_or_fail("before the response head").await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).context("response head is not text")?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.split(' ');
        let version = parts.next().unwrap_or_default();
        let status: u16 =
            parts.next().and_then(|s| s.parse().ok()).with_context(|| format!("bad status line '{status_line}'"))?;
        let mut keep_alive = version == "HTTP/1.1";
        let (mut length, mut chunked) = (None, false);
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().with_context(|| format!("bad content-length '{value}'"))?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                let v = value.to_ascii_lowercase();
                keep_alive = if v.contains("close") { false } else { keep_alive || v.contains("keep-alive") };
            }
        }
        let framing = if (100..200).contains(&status) || status == 204 || status == 304 {
            Framing::Length(0)
        } else if chunked {
            Framing::Chunked
        } else if let Some(n) = length {
            Framing::Length(n)
        } else {
            Framing::UntilClose
        };
        let len = match framing {
            Framing::Length(n) => {
                ensure!(n <= MAX_RESPONSE, "response larger than {MAX_RESPONSE} bytes");
                while self.buf.len() < head_end + n {
                    self.read_or_fail("in the middle of the body").await?;
                }
                head_end + n
            }
            Framing::Chunked => loop {
                if let Some(end) = chunked_end(&self.buf, head_end)? {
                    break end;
                }
                self.read_or_fail("in the middle of a chunked body").await?;
            },
            Framing::UntilClose => {
                keep_alive = false;
                while self.read_more().await? > 0 {
                    ensure!(self.buf.len() <= MAX_RESPONSE, "response larger than {MAX_RESPONSE} bytes");
                }
                self.buf.len()
            }
        };
        Ok(Reply { status, len, body_start: head_end, keep_alive })
    }
}

/// One GET, for the checks before a run: status and body.
async fn fetch_once(addr: SocketAddr, path: &str) -> Result<(u16, Vec<u8>)> {
    let mut conn =
        tokio::time::timeout(REQUEST_TIMEOUT, HttpConn::connect(addr)).await.context("connect timed out")??;
    let reply = tokio::time::timeout(REQUEST_TIMEOUT, conn.exchange(&request_bytes(addr, path)))
        .await
        .context("timed out")??;
    let body = conn.buf.get(reply.body_start..reply.len).unwrap_or_default().to_vec();
    Ok((reply.status, body))
}

#[derive(Default)]
struct WorkerStats {
    requests: u64,
    bytes: u64,
    status_errors: u64,
    socket_errors: u64,
    latencies_us: Vec<u64>,
}

async fn load_worker(
    addr: SocketAddr,
    request: Arc<Vec<u8>>,
    deadline: Instant,
    issued: Arc<AtomicU64>,
    max_requests: u64,
    stop: Arc<AtomicBool>,
) -> WorkerStats {
    let mut stats = WorkerStats::default();
    let mut conn: Option<HttpConn> = None;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        if conn.is_none() {
            match tokio::time::timeout(REQUEST_TIMEOUT, HttpConn::connect(addr)).await {
                Ok(Ok(c)) => conn = Some(c),
                _ => {
                    stats.socket_errors += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        if issued.fetch_add(1, Ordering::Relaxed) >= max_requests {
            break;
        }
        let started = Instant::now();
        match tokio::time::timeout(REQUEST_TIMEOUT, c.exchange(&request)).await {
            Ok(Ok(reply)) => {
                stats.latencies_us.push(started.elapsed().as_micros() as u64);
                stats.requests += 1;
                stats.bytes += reply.len as u64;
                if reply.status >= 400 {
                    stats.status_errors += 1;
                }
                if !reply.keep_alive {
                    conn = None;
                }
            }
            _ => {
                stats.socket_errors += 1;
                conn = None;
            }
        }
    }
    stats
}

fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted_us.len() - 1) as f64).round() as usize;
    sorted_us.get(i.min(sorted_us.len() - 1)).copied().unwrap_or_default() as f64 / 1000.0
}

/// `bench load-client`: keep-alive GETs on one loopback URL from this (second) process,
/// until the duration, the request cap or SIGINT; prints one [`LoadResult`] line.
async fn load_client(args: LoadClientArgs) -> Result<()> {
    let (addr, path) = parse_loopback_url(&args.url)?;
    let request = Arc::new(request_bytes(addr, &path));
    let stop = Arc::new(AtomicBool::new(false));
    let on_signal = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.store(true, Ordering::Relaxed);
        }
    });
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration_secs);
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            tokio::spawn(load_worker(addr, request.clone(), deadline, issued.clone(), args.max_requests, stop.clone()))
        })
        .collect();
    let mut total = WorkerStats::default();
    for w in workers {
        let s = w.await.context("a load worker failed")?;
        total.requests += s.requests;
        total.bytes += s.bytes;
        total.status_errors += s.status_errors;
        total.socket_errors += s.socket_errors;
        total.latencies_us.extend(s.latencies_us);
    }
    let elapsed = started.elapsed();
    total.latencies_us.sort_unstable();
    let result = LoadResult {
        requests: total.requests,
        duration_secs: elapsed.as_secs_f64(),
        bytes: total.bytes,
        p50_ms: percentile_ms(&total.latencies_us, 50.0),
        p99_ms: percentile_ms(&total.latencies_us, 99.0),
        status_errors: total.status_errors,
        socket_errors: total.socket_errors,
    };
    println!("{RESULT_PREFIX}{}", serde_json::to_string(&result)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_file_is_deterministic_and_parses() {
        let (a, plan) = synthetic_kwb(2_000).expect("generated");
        let (b, _) = synthetic_kwb(2_000).expect("generated");
        assert_eq!(a, b);
        let parsed = import_kwb::parse_kwb(a.as_bytes(), SYNTHETIC_FILE, None, &|_| {}).expect("parses").remove(0);
        let expected = 1 + plan.municipalities + plan.districts + plan.neighbourhoods;
        assert_eq!(parsed.areas.len() as u64, expected);
        assert_eq!(baseline_parse(a.as_bytes()).expect("csv"), expected);
        assert_eq!(parsed.year, SYNTHETIC_YEAR);
    }

    #[test]
    fn a_multi_period_statline_file_reads_without_a_year() {
        let text = [
            "Leeftijd,Marges,WijkenEnBuurten,Perioden,Gemeentenaam_1,SoortRegio_2,Codering_3,Eenzaam_28",
            "20300,MW00000,NL01,2016JJ00,Nederland,Land,NL01,43.0",
            "20300,MW00000,GM0344,2016JJ00,Utrecht,Gemeente,GM0344,44.1",
            "20300,MW00000,NL01,2020JJ00,Nederland,Land,NL01,47.0",
            "20300,MW00000,BU03440101,2020JJ00,Utrecht,Buurt,BU03440101,52.3",
        ]
        .join("\n");
        let reader = Reader::Kwb { year: None };
        let years = reader.parse(text.as_bytes(), "rivm.csv").expect("parses");
        assert_eq!(years.iter().map(|y| (y.year, y.areas.len())).collect::<Vec<_>>(), vec![(2016, 2), (2020, 2)]);
        assert_eq!(baseline_parse(text.as_bytes()).expect("csv"), 4, "one record per area and period");
    }

    #[test]
    fn a_label_layout_table_reads_through_its_mapping() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/nl/mappings/cbs_kwb_2022_gemeente_wijk_selectie.toml");
        let mapping = import_table::Mapping::parse(&std::fs::read_to_string(&path).expect("mapping")).expect("valid");
        let text = "level,jaar,code,name,gm_code,province,area_km2,urbanity_class,urbanity,population,pop_0_14,\
pop_15_24,pop_25_44,pop_45_64,pop_65plus,dwelling_total,dwelling_value,dwelling_ownership,employment_rate,income_low,\
income_high,edu_appl_sci
Gemeente,2022,GM0344,Utrecht,GM0344,Utrecht,99.21,1,extremely urbanised,361699,16,16,36,20,11,166431,342,47,69,38.9,22.6,54
Wijk,2022,WK034401,Wijk 01 West,GM0344,Utrecht,8.98,1,extremely urbanised,28835,15,14,41,20,10,13038,387,51,71,33.0,30.5,63
";
        let years = Reader::Table(Box::new(mapping)).parse(text.as_bytes(), "selectie.csv").expect("parses");
        assert_eq!(years.iter().map(|y| (y.year, y.areas.len())).collect::<Vec<_>>(), vec![(2022, 2)]);
        assert_eq!(baseline_parse(text.as_bytes()).expect("csv"), 2);
    }

    #[test]
    fn national_endpoints_follow_the_data() {
        let paths = |data: &ServerData| endpoints(data).iter().map(|e| e.path).collect::<Vec<_>>();
        assert_eq!(paths(&ServerData::Demo), API_ENDPOINTS.to_vec());
        let with = paths(&ServerData::National { rivm: Some(PathBuf::from("rivm.csv")) });
        assert!(with.contains(&NATIONAL_BUURT_RANKING) && with.contains(&NATIONAL_WIJK_RANKING));
        let without = paths(&ServerData::National { rivm: None });
        assert!(!without.contains(&NATIONAL_BUURT_RANKING), "no buurt figures without RIVM's table");
        assert!(endpoints(&ServerData::National { rivm: None }).iter().any(|e| e.path == "/kaart" && e.optional));
        let args = ApiArgs {
            duration_secs: 1,
            connections: 1,
            tool: None,
            max_requests: 1,
            data: DataSet::Demo,
            rivm: Some(PathBuf::from("rivm.csv")),
        };
        assert!(ServerData::from_args(&args).is_err(), "--rivm needs --data national");
        assert_eq!(json_rows(br#"{"rows":[{"rank":1},{"rank":2}]}"#), Some(2));
        assert_eq!(json_rows(b"<html></html>"), None);
    }

    #[test]
    fn national_plan_has_national_proportions() {
        let plan = Plan::for_rows(NATIONAL_ROWS);
        assert_eq!((plan.municipalities, plan.districts, plan.neighbourhoods), (342, 3_300, 14_500));
        let small = Plan::for_rows(10);
        assert_eq!(1 + small.municipalities + small.districts + small.neighbourhoods, 10);
    }

    #[test]
    fn split_respects_total_and_bounds() {
        let mut rng = Rng(1);
        let counts = split(3_300, 342, 100, &mut rng);
        assert_eq!(counts.iter().sum::<u64>(), 3_300);
        assert!(counts.iter().all(|c| (1..=100).contains(c)));
    }

    #[test]
    fn chunked_bodies_are_framed() {
        let body = b"HTTP/1.1 200 OK\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n";
        assert_eq!(chunked_end(body, 19).expect("valid"), Some(body.len()));
        assert_eq!(chunked_end(&body[..30], 19).expect("valid"), None);
        assert!(chunked_end(b"zz\r\n", 0).is_err());
    }

    #[test]
    fn load_client_refuses_anything_but_loopback() {
        assert!(parse_loopback_url("http://127.0.0.1:8080/api/v1/health").is_ok());
        assert!(parse_loopback_url("http://10.0.0.1:80/").is_err());
        assert!(parse_loopback_url("https://127.0.0.1:443/").is_err());
        let (addr, path) = parse_loopback_url("http://127.0.0.1:9/x?q=1&b=2").expect("valid");
        assert_eq!((addr.port(), path.as_str()), (9, "/x?q=1&b=2"));
    }

    #[test]
    fn synthetic_signals_are_deterministic_and_valid() {
        let today = leefwijk_domain::calendar::Date::parse(SIGNALS_TODAY).expect("date");
        let buurten = vec!["BU99010101".to_string(), "BU99010203".to_string()];
        let make = || {
            let mut g = SignalGenerator::new(5_000, buurten.clone(), today);
            let batch = g.batch(5_000);
            (g.csv(&batch).expect("csv"), g)
        };
        let (a, generator) = make();
        assert_eq!(a, make().0);
        let rows = leefwijk_app::signals::intake::parse_csv(a.as_bytes()).expect("parses");
        assert_eq!(rows.len(), 5_000);
        for (line, input) in &rows {
            let v = leefwijk_domain::signals::intake::validate(input, today);
            assert!(v.is_ok(), "line {line}: {v:?}");
        }
        let postcodes = generator.postcode_areas();
        assert!(postcodes.iter().all(|(p, _)| leefwijk_domain::signals::intake::Postcode::parse(p).is_ok()));
        for person in [0, 1, 2, 6_999_999] {
            assert!(leefwijk_domain::access::bsn::Bsn::parse(&synthetic_bsn(person)).is_ok(), "{person}");
        }
        assert_eq!(synthetic_postcode(18 * 26 - 1), "1000RZ");
        assert_eq!(synthetic_postcode(18 * 26), "1000SB", "SA is skipped");
    }

    #[test]
    fn raw_rows_share_a_key_per_household_and_keep_ids_in_order() {
        let today = leefwijk_domain::calendar::Date::parse(SIGNALS_TODAY).expect("date");
        let mut g = SignalGenerator::new(5_000, vec!["BU99010101".to_string()], today);
        let batch = g.batch(5_000);
        let rows = g.raw_rows(&batch, &mut Rng(7), 1_700_000_000_000);
        assert_eq!(rows.len(), batch.len());
        let mut key_of = std::collections::HashMap::new();
        for (signal, row) in batch.iter().zip(&rows) {
            let key = key_of.entry(signal.household).or_insert_with(|| row.household_key.clone());
            assert_eq!(*key, row.household_key, "one key per household");
            assert_eq!(row.household_key.len(), 64);
        }
        assert!(key_of.len() < rows.len(), "some household has several signals");
        assert!(rows.windows(2).all(|w| w[0].id < w[1].id), "ids are time-ordered like UUIDv7");
        assert_eq!(raw_table_ddl("t", false, false).len(), 1);
        let indexed = raw_table_ddl("t", false, true);
        assert_eq!(indexed.len(), 4, "the table and the three indexes of `signals`");
        assert!(indexed[0].contains("id TEXT NOT NULL PRIMARY KEY"));
    }

    /// The whole benchmark at its smallest size: both baselines and the API path store every
    /// row (the command checks the counts itself and fails otherwise).
    #[tokio::test]
    async fn bench_signals_runs_end_to_end_at_a_small_size() {
        bench_signals(SignalsArgs { rows: 2_000, database_url: None, keep: false }).await.expect("bench signals");
    }

    #[test]
    fn median_of_odd_and_even() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(median(&[d(3), d(1), d(2)]), d(2));
        assert_eq!(median(&[d(4), d(1), d(2), d(3)]), Duration::from_micros(2_500));
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group(12), "12");
        assert_eq!(ratio(0.156), "0.156");
        assert_eq!(ratio(0.0015), "0.00150");
        assert_eq!(ratio(0.000_634), "0.000634");
    }
}
