//! `leefwijk`: the one binary. Subcommands: serve, migrate, import, demo, openapi, bench.

mod bench;
mod config;

/// mimalloc instead of the system allocator: a signal batch allocates and frees millions
/// of small strings, and glibc's malloc spent about a quarter of the intake's own CPU time
/// consolidating its free lists (`perf`, `bench signals`; see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use config::FileConfig;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leefwijk_app::access::identity;
use leefwijk_app::access::keys::KeyRing;
use leefwijk_app::areas::{import_boundaries, import_kwb, import_table};
use leefwijk_app::households::notify::MailSender;
use leefwijk_app::App;
use leefwijk_store::Store;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "leefwijk", version, about = "Leefwijk: the shared workplace for the gebiedsgerichte wijkaanpak")]
struct Cli {
    /// Configuration file (default: ./leefwijk.toml when present).
    #[arg(long, global = true, env = "LEEFWIJK_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory for the embedded database and keys.
    #[arg(long, global = true, env = "LEEFWIJK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data directory).
    #[arg(long, global = true, env = "LEEFWIJK_DATABASE_URL")]
    database_url: Option<String>,
    /// Directory of the keys (audit, pseudonymisation, vault); never inside the database.
    /// Default: keys/ in the data directory.
    #[arg(long, global = true, env = "LEEFWIJK_KEYS_DIR")]
    keys_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web application and API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEEFWIJK_LISTEN")]
        listen: Option<String>,
        /// Loads the fictional demo data into an empty database first.
        #[arg(long, env = "LEEFWIJK_DEMO")]
        demo: bool,
        /// Does not load the open national CBS figures and boundaries shipped with Leefwijk
        /// (they are loaded on first start otherwise).
        #[arg(long, env = "LEEFWIJK_NO_NATIONAL_DATA")]
        no_national_data: bool,
    },
    /// Applies database migrations and exits.
    Migrate,
    /// Imports open data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Loads the fictional demo data into an empty database.
    Demo,
    /// Prints the OpenAPI document.
    Openapi,
    /// Administrators and accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The data-exchange covenant.
    #[command(subcommand)]
    Covenant(CovenantCommand),
    /// The Logboek Dataverwerkingen (docs/logboek.md).
    #[command(subcommand)]
    Logboek(LogboekCommand),
    /// Benchmarks, reported as ratios against a baseline measured in the same run.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Retention: removes personal data whose covenant term has ended.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// DDAS: early-signalling deliveries to CBS (docs/ddas.md).
    #[command(subcommand)]
    Ddas(DdasCommand),
}

#[derive(Subcommand)]
enum DdasCommand {
    /// Writes the DDAS vroegsignalering delivery of a period as UTF-8 JSON (VNG Realisatie's
    /// exchange specification v0.9): per municipality the early signals and cases, with no
    /// BSN, name, address or internal id. Read on behalf of --user under the covenant's
    /// `statistics` purpose, and audited in that person's name.
    Export {
        /// The calendar month to deliver, such as 2026-11.
        #[arg(long)]
        period: Option<String>,
        /// Instead of --period: the first day (YYYY-MM-DD), with --to.
        #[arg(long)]
        from: Option<String>,
        /// The last day, with --from.
        #[arg(long)]
        to: Option<String>,
        /// The user on whose behalf the delivery is made: a person the covenant's
        /// `statistics` purpose lets read the data (policy staff of the municipality).
        #[arg(long)]
        user: String,
        /// The collaboration (tenant) to deliver for; must be the user's. Default: the user's.
        #[arg(long)]
        tenant: Option<String>,
        /// Write the JSON to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Purges signals without follow-up (and their pseudonym links) past the covenant's
    /// term, for every collaboration; audited by count. The server also runs this daily.
    Run {
        /// Run as if today were this date (YYYY-MM-DD), to preview or catch up.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Creates an administrator (beheerder) and prints a one-time password.
    Create {
        username: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Collaboration (tenant) id; created with an organisation of kind gemeente when new.
        #[arg(long, default_value = "standaard")]
        tenant: String,
    },
    /// Lets a collaboration work in a municipality: enter planned construction for it.
    Municipality {
        /// Municipality code, such as GM0363.
        code: String,
        /// Collaboration (tenant) id.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walks the hash chain and names the first entry that was changed, removed or reordered;
    /// with --checkpoint also checks that the chain still holds what each checkpoint recorded.
    Verify {
        /// Files with checkpoint lines written by `leefwijk audit checkpoint`.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
    },
    /// Verifies the chain and prints a checkpoint line signed with the audit key: keep it
    /// outside the database (mail it, print it, write-once storage). A later `verify
    /// --checkpoint` then notices entries cut off before it, even with a restored head row.
    Checkpoint,
}

#[derive(Subcommand)]
enum LogboekCommand {
    /// Sends the Logboek's operations to a central Logboek over OpenTelemetry (OTLP/HTTP,
    /// JSON), page by page, and prints the cursor to pass with --after next time.
    Export {
        /// The receiver's traces URL, such as https://logboek.example.nl/v1/traces.
        #[arg(long)]
        endpoint: String,
        /// Export what came after this cursor (printed by the previous export); default:
        /// everything.
        #[arg(long, default_value = "0:")]
        after: String,
        /// Operations per request.
        #[arg(long, default_value_t = 1000)]
        page: i64,
    },
}

#[derive(Subcommand)]
enum CovenantCommand {
    /// Validates a covenant file (TOML) and stores it as a new version.
    Load {
        file: PathBuf,
        /// Put the covenant in force for this collaboration (tenant) too.
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// StatLine tables per area (CBS Kerncijfers wijken en buurten, RIVM Gezondheid per
    /// wijk en buurt, with or without a Perioden dimension) as OData CSV, or PDOK
    /// wijkenbuurten / CBS gebiedsindelingen GeoJSON.
    CbsKwb {
        file: PathBuf,
        /// Year of the figures (default: the Perioden column, else the file name).
        #[arg(long)]
        year: Option<i32>,
        /// The table's StatLine codebook (DataProperties JSON). Columns Leefwijk has no
        /// indicator for are imported as indicators named, described and formatted from it
        /// (default: the KWB 2024 codebook, which ships with Leefwijk).
        #[arg(long)]
        codebook: Option<PathBuf>,
    },
    /// Area boundaries from GeoJSON (PDOK wijkenbuurten or CBS gebiedsindelingen with
    /// statcode/statnaam); simplified on import.
    Boundaries {
        file: PathBuf,
        /// Year of the boundaries (default: from the file name).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Any table of figures per area (CSV), read by a mapping file: code column, year or
    /// period, and per column the indicator, unit, source and licence (docs/import-table.md).
    Table {
        file: PathBuf,
        /// The mapping file (TOML), e.g. data/nl/mappings/cbs_kwb_2020_gemeenten.toml.
        #[arg(long)]
        mapping: PathBuf,
    },
}

fn init_tracing(quiet: bool) {
    // Benchmarks serve many thousands of requests a second: a log line each would measure
    // the terminal, not Leefwijk. RUST_LOG still wins.
    let default = if quiet { "warn" } else { "info,sqlx=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

struct Settings {
    file: FileConfig,
    database_url: String,
    keys_dir: PathBuf,
    data_dir: PathBuf,
}

fn settings(cli: &Cli) -> Result<Settings> {
    let file = FileConfig::load(cli.config.as_deref())?;
    let data_dir =
        cli.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("leefwijk-data"));
    let database_url = config::database_url(cli.database_url.clone().or_else(|| file.database_url.clone()), &data_dir)?;
    let keys_dir = cli.keys_dir.clone().unwrap_or_else(|| data_dir.join("keys"));
    Ok(Settings { file, database_url, keys_dir, data_dir })
}

fn open_keys(dir: &Path) -> Result<KeyRing> {
    KeyRing::open(dir).with_context(|| format!("opening the key directory {}", dir.display()))
}

async fn open_store(url: &str) -> Result<Store> {
    let store =
        Store::connect(url).await.with_context(|| format!("connecting to the {} database", backend_name(url)))?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

/// Names the backend without echoing credentials from the URL.
fn backend_name(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_message(what.to_string());
    bar
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

async fn import(store: &Store, command: ImportCommand) -> Result<()> {
    match command {
        ImportCommand::CbsKwb { file, year, codebook } => {
            let codebook = match codebook {
                Some(path) => {
                    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                    leefwijk_app::areas::codebook::Codebook::parse(&bytes)
                        .with_context(|| path.display().to_string())?
                }
                None => leefwijk_app::areas::codebook::Codebook::kwb_2024(),
            };
            leefwijk_app::areas::register_stored_indicators(store).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let bar = progress_bar(bytes.len() as u64, "CBS kerncijfers");
            let parsed = import_kwb::parse_kwb_with(&bytes, &file_name(&file), year, Some(&codebook), &|pos| {
                bar.set_position(pos)
            })
            .with_context(|| format!("{} was not imported; nothing changed", file.display()))?;
            bar.finish_and_clear();
            let summaries = leefwijk_app::areas::store_years(store, &parsed, &file_name(&file)).await?;
            for summary in &summaries {
                println!(
                    "Imported {} for {}: {} municipalities, {} districts (wijken), {} neighbourhoods (buurten); {} areas in all. {}",
                    file_name(&file),
                    summary.year,
                    summary.municipalities,
                    summary.districts,
                    summary.neighbourhoods,
                    summary.rows,
                    summary.source
                );
            }
            if let Some(summary) = summaries.first() {
                if summary.skipped_rows > 0 {
                    println!(
                        "Rows with confidence bounds (not a value of their own, skipped): {}",
                        summary.skipped_rows
                    );
                }
                if !summary.new_indicators.is_empty() {
                    println!("Columns imported as indicators named from the StatLine codebook:");
                    for new in &summary.new_indicators {
                        println!("  {new}");
                    }
                }
                if !summary.ignored_columns.is_empty() {
                    println!("Columns neither in Leefwijk's catalogue nor figures in the codebook (not imported):");
                    for column in &summary.ignored_columns {
                        println!("  {}", codebook.describe(column));
                    }
                }
            }
        }
        ImportCommand::Table { file, mapping } => {
            let text = std::fs::read_to_string(&mapping).with_context(|| format!("reading {}", mapping.display()))?;
            let spec = import_table::Mapping::parse(&text).with_context(|| {
                format!("{} was not imported; nothing changed ({})", file.display(), mapping.display())
            })?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let parsed = import_table::parse_table(&bytes, &spec)
                .with_context(|| format!("{} was not imported; nothing changed", file.display()))?;
            let summaries = leefwijk_app::areas::store_years(store, &parsed, &file_name(&file)).await?;
            for summary in &summaries {
                println!(
                    "Imported {} for {}: {} municipalities, {} districts (wijken), {} neighbourhoods (buurten). {}",
                    file_name(&file),
                    summary.year,
                    summary.municipalities,
                    summary.districts,
                    summary.neighbourhoods,
                    summary.source
                );
            }
            if let Some(summary) = summaries.first().filter(|s| !s.ignored_columns.is_empty()) {
                println!(
                    "Columns neither mapped nor listed under `ignore` (not imported): {}",
                    summary.ignored_columns.join(", ")
                );
            }
        }
        ImportCommand::Boundaries { file, year } => {
            let year = year
                .or_else(|| import_kwb::year_from_file_name(&file_name(&file)))
                .context("the year of the boundaries is unknown: pass --year")?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let bar = progress_bar(text.len() as u64, "Grenzen");
            let parsed = import_boundaries::parse_boundaries(&text, &|pos| bar.set_position(pos))
                .with_context(|| format!("{} was not imported; nothing changed", file.display()))?;
            bar.finish_and_clear();
            let n = leefwijk_app::areas::store_boundaries(store, year, &parsed, &file_name(&file)).await?;
            println!(
                "Imported {n} boundaries for {year}, simplified from {} to {} points.",
                parsed.points_before, parsed.points_after
            );
            if !parsed.without_geometry.is_empty() {
                let codes: Vec<String> = parsed.without_geometry.iter().map(ToString::to_string).collect();
                println!("Areas with an empty geometry (not drawn): {}", codes.join(", "));
            }
        }
    }
    Ok(())
}

/// Creates the tenant (with a municipal organisation) if new, then an administrator with a
/// one-time password, which is printed once.
async fn create_admin(store: &Store, tenant: &str, username: &str, name: &str) -> Result<String> {
    let now = identity::now_ms();
    if store.tenant(tenant).await?.is_none() {
        store.create_tenant(tenant, tenant, None, now).await?;
        store
            .create_organisation(
                &leefwijk_store::Organisation {
                    id: format!("{tenant}-gemeente"),
                    tenant_id: tenant.to_string(),
                    name: "Gemeente".to_string(),
                    kind: "gemeente".to_string(),
                },
                now,
            )
            .await?;
    }
    let organisation =
        store.organisations(tenant).await?.into_iter().next().context("the collaboration has no organisation")?;
    let (_, password) = identity::create_user(
        store,
        &identity::NewUser {
            tenant_id: tenant.to_string(),
            organisation_id: organisation.id,
            team_id: None,
            username: username.to_string(),
            display_name: name.to_string(),
            role: "beheerder".to_string(),
        },
        None,
    )
    .await?;
    Ok(password)
}

async fn load_demo(store: &Store) -> Result<()> {
    let access = leefwijk_app::demo::load_access(store).await?;
    if access.logins.is_empty() {
        println!(
            "Accounts exist already, so no demo users were added. Demo users, if this database has them: \
             beheer, beleid, wijkteam, regisseur, ggz, corporatie, privacy (password demo-<username>-leefwijk)."
        );
    } else {
        println!("Demo logins (fictional people; password = demo-<username>-leefwijk):");
        for l in &access.logins {
            println!("  {:<18} {:<20} {:<30} {} ({})", l.role, l.username, l.password, l.organisation, l.tenant);
        }
    }
    if let Some((id, secret)) = &access.api_client {
        println!("Demo API client of the housing corporation (shown once): Authorization: Bearer {id}:{secret}");
    }
    match leefwijk_app::demo::load(store).await? {
        leefwijk_app::demo::DemoOutcome::Loaded { years, areas } => {
            println!("Demo data loaded: {areas} fictional areas for {years:?}.");
        }
        leefwijk_app::demo::DemoOutcome::SkippedExistingData => {
            println!(
                "Demo figures not loaded: this database holds the demo already, and the demo never overwrites figures."
            );
        }
    }
    Ok(())
}

/// Runs retention once a day (first run a minute after start). A failed run is logged and
/// retried the next day; it never stops the server.
async fn daily_retention(app: App) {
    let mut interval = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(24 * 3600),
    );
    loop {
        interval.tick().await;
        let today = app.signals.today();
        match leefwijk_app::signals::retention::run(&app, today).await {
            Ok(runs) => {
                for (tenant, c) in runs {
                    tracing::info!(tenant, cases = c.cases, signals = c.signals, "daily retention done");
                }
            }
            Err(e) => tracing::error!(error = %e, "daily retention failed; retrying tomorrow"),
        }
        match leefwijk_app::residents::retention::run(&app, today).await {
            Ok(c) => tracing::info!(
                reports = c.report_contacts,
                initiatives = c.initiative_contacts,
                access_requests = c.access_requests,
                open_answers = c.open_answers,
                "residents' contact details and open answers past their term cleared"
            ),
            Err(e) => tracing::error!(error = %e, "residents' retention failed; retrying tomorrow"),
        }
    }
}

/// Escalates matches without a coordinator past their term, once a day (first run two
/// minutes after start).
async fn daily_escalation(app: App) {
    let mut interval = tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(120),
        std::time::Duration::from_secs(24 * 3600),
    );
    loop {
        interval.tick().await;
        match leefwijk_app::households::escalate_due(&app, app.signals.today()).await {
            Ok(done) if !done.is_empty() => {
                tracing::info!(matches = done.len(), "matches escalated to the municipality")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "escalation run failed; retrying tomorrow"),
        }
    }
}

async fn retention(settings: Settings, today: Option<String>) -> Result<()> {
    let store = open_store(&settings.database_url).await?;
    let keys = open_keys(&settings.keys_dir)?;
    let app = App::new(store, settings.file.pressure.clone(), keys)
        .with_signals(settings.file.signals.clone())
        .with_residents(settings.file.residents.clone());
    let today = match today {
        Some(d) => leefwijk_domain::calendar::Date::parse(&d).context("--today")?,
        None => app.signals.today(),
    };
    let runs = leefwijk_app::signals::retention::run(&app, today).await?;
    if runs.is_empty() {
        println!("Retention: no collaboration holds signals.");
    }
    for (tenant, c) in runs {
        println!(
            "Retention for {tenant} on {today}: removed {} cases, {} signals, {} contact attempts, {} vault entries.",
            c.cases, c.signals, c.attempts, c.vault_entries
        );
    }
    let cleared = leefwijk_app::residents::retention::run(&app, today).await?;
    println!(
        "Retention on {today}: anonymised the contact details of {} handled public-space reports, cleared the \
         proposer's contact of {} decided initiatives and the requester of {} closed access requests, and blanked {} \
         open-text answers of closed surveys.",
        cleared.report_contacts, cleared.initiative_contacts, cleared.access_requests, cleared.open_answers
    );
    Ok(())
}

/// `leefwijk ddas export`: errors name the argument to fix.
async fn ddas_export(settings: Settings, command: DdasCommand) -> Result<()> {
    let DdasCommand::Export { period, from, to, user, tenant, output } = command;
    let period = leefwijk_app::signals::ddas::period_of(period.as_deref(), from.as_deref(), to.as_deref())
        .map_err(|b| anyhow::anyhow!("--{}: {}", b.parameter, b.message))?;
    let store = open_store(&settings.database_url).await?;
    let keys = open_keys(&settings.keys_dir)?;
    let app = App::new(store, settings.file.pressure.clone(), keys).with_signals(settings.file.signals.clone());
    let person =
        app.store.user_by_username(&user).await?.ok_or_else(|| anyhow::anyhow!("--user: there is no user '{user}'"))?;
    if person.disabled {
        anyhow::bail!("--user: the account '{user}' is disabled");
    }
    if let Some(t) = tenant.as_deref().filter(|t| *t != person.tenant_id) {
        anyhow::bail!("--tenant: user '{user}' works in collaboration '{}', not '{t}'", person.tenant_id);
    }
    let covenant = app.covenant_of(&person.tenant_id).await?;
    let actor = leefwijk_app::access::gate::Actor::User(person);
    let delivery = match leefwijk_app::signals::ddas::export(&app, &covenant, &actor, &period).await? {
        Ok(d) => d,
        Err(denied) => anyhow::bail!(
            "--user: the covenant does not let '{user}' deliver to CBS: {} ({})",
            denied.decision.missing.unwrap_or_else(|| "no matching grant".into()),
            denied.decision.rule
        ),
    };
    let mut json = serde_json::to_string_pretty(&delivery)?;
    json.push('\n');
    let (signals, cases) =
        delivery.deliveries.iter().fold((0, 0), |(s, c), l| (s + l.signals.len(), c + l.cases.len()));
    match output {
        Some(path) => {
            std::fs::write(&path, json.as_bytes()).with_context(|| format!("--output: writing {}", path.display()))?;
            eprintln!(
                "DDAS delivery {period}: {} municipality(ies), {signals} signals, {cases} cases, written to {}.",
                delivery.deliveries.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(json.as_bytes())?;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

async fn serve(settings: Settings, listen: Option<String>, demo: bool, national: bool) -> Result<()> {
    let store = open_store(&settings.database_url).await?;
    let keys = open_keys(&settings.keys_dir)?;
    if national && settings.file.national_data.unwrap_or(true) {
        match leefwijk_app::areas::national::load(&store).await? {
            leefwijk_app::areas::national::NationalOutcome::Loaded { municipalities, districts, boundaries } => {
                println!(
                    "Open national data loaded (Bron: CBS, Kerncijfers wijken en buurten 2020 and 2022; CBS, Kadaster – \
                     CBS gebiedsindelingen 2022; CC BY 4.0): {municipalities} municipalities, {districts} wijken, \
                     {boundaries} boundaries."
                );
            }
            leefwijk_app::areas::national::NationalOutcome::AlreadyPresent => {}
        }
    }
    if demo {
        load_demo(&store).await?;
    } else if store.count_users().await? == 0 {
        // First start: an administrator with a one-time password, printed once.
        let password = create_admin(&store, "standaard", "beheerder", "Beheerder").await?;
        println!("First start: sign in at /inloggen as 'beheerder' with the one-time password {password} (you will choose your own).");
    }
    let listen = listen.or(settings.file.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let public_url = settings.file.public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
    let oidc = leefwijk_app::access::oidc::Oidc::new(settings.file.oidc.clone(), &public_url)
        .context("the [[oidc]] configuration is invalid")?;
    let mut mail = settings.file.mail.clone();
    if demo && mail == MailSender::Log {
        // The demo has no mail relay: residents' verification codes and notices go to a
        // file in the data directory, so that voting and supporting can be tried out.
        let path = settings.data_dir.join("demo-mail.jsonl");
        println!("Demo e-mail (residents' verification codes, notices) is written to {}.", path.display());
        mail = MailSender::File { path };
    }
    // A head written before heads were sealed is sealed now, with the key.
    leefwijk_app::access::audit::seal_unsealed_head(&store, keys.audit()).await?;
    let app = App::new(store.clone(), settings.file.pressure.clone(), keys)
        .with_oidc(oidc)
        .with_signals(settings.file.signals.clone())
        .with_mail(mail)
        .with_residents(settings.file.residents.clone())
        .with_api(settings.file.api.clone());
    if demo {
        let n = leefwijk_app::demo::load_signals(&app).await?;
        if n > 0 {
            println!("Demo signals loaded: {n} fictional early-signalling signals with outreach.");
        }
        if leefwijk_app::demo::load_housing(&app).await?.is_some() {
            println!(
                "Demo housing loaded: plans, a region, {} and placements.",
                leefwijk_app::demo::DEMO_AGREEMENT_TITLE
            );
        }
        if leefwijk_app::demo::load_households(&app).await?.is_some() {
            println!("Demo households loaded: matches, a coordinator and a joint plan with ZRM assessments.");
        }
        if leefwijk_app::demo::load_programme(&app).await?.is_some() {
            println!("Demo area programme loaded: {}.", leefwijk_app::demo::DEMO_PROGRAMME_NAME);
        }
        for line in leefwijk_app::demo::load_residents(&app).await? {
            println!("Demo residents: {line}.");
        }
    }
    {
        // The first visitor should not wait for the monitor to read the whole country.
        let app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = app.monitor.warm_up().await {
                tracing::warn!(error = %e, "monitor warm-up failed; views are built on first use");
            }
        });
    }
    tokio::spawn(daily_retention(app.clone()));
    tokio::spawn(daily_escalation(app.clone()));
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Leefwijk runs on http://{addr}/ ({} database). Stop with Ctrl+C.", store.backend().name());
    tracing::info!(%addr, backend = store.backend().name(), "serving");
    axum::serve(listener, leefwijk_web::router(app).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.close().await;
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    init_tracing(matches!(cli.command, Command::Bench(_)));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Openapi => {
                println!("{}", leefwijk_web::api::openapi_json());
                Ok(())
            }
            Command::Serve { ref listen, demo, no_national_data } => {
                let listen = listen.clone();
                serve(settings(&cli)?, listen, demo, !no_national_data).await
            }
            Command::Migrate => {
                open_store(&settings(&cli)?.database_url).await?;
                println!("Migrations applied.");
                Ok(())
            }
            Command::Demo => load_demo(&open_store(&settings(&cli)?.database_url).await?).await,
            Command::Import(ref _c) => {
                let store = open_store(&settings(&cli)?.database_url).await?;
                match cli.command {
                    Command::Import(command) => import(&store, command).await,
                    _ => Ok(()),
                }
            }
            Command::Admin(AdminCommand::Create { ref username, ref name, ref tenant }) => {
                let store = open_store(&settings(&cli)?.database_url).await?;
                let password = create_admin(&store, tenant, username, name.as_deref().unwrap_or(username)).await?;
                println!(
                    "Administrator '{username}' created in '{tenant}'. One-time password (shown once): {password}"
                );
                Ok(())
            }
            Command::Admin(AdminCommand::Municipality { ref code, ref tenant }) => {
                let store = open_store(&settings(&cli)?.database_url).await?;
                let code = leefwijk_domain::AreaCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
                if code.kind() != leefwijk_domain::AreaKind::Gemeente {
                    anyhow::bail!("{code} is not a municipality code (GM and four digits)");
                }
                if store.tenant(tenant).await?.is_none() {
                    anyhow::bail!("there is no collaboration '{tenant}'");
                }
                if store.add_tenant_municipality(tenant, code.as_str()).await? {
                    println!("Collaboration '{tenant}' now works in {code}.");
                } else {
                    println!("Collaboration '{tenant}' already worked in {code}.");
                }
                Ok(())
            }
            Command::Audit(AuditCommand::Verify { ref checkpoint }) => {
                let settings = settings(&cli)?;
                let store = open_store(&settings.database_url).await?;
                let keys = open_keys(&settings.keys_dir)?;
                leefwijk_app::access::audit::seal_unsealed_head(&store, keys.audit()).await?;
                let entries = match leefwijk_app::access::audit::verify_chain(&store, keys.audit()).await? {
                    leefwijk_app::access::audit::Verification::Intact { entries } => entries,
                    leefwijk_app::access::audit::Verification::Broken(b) => {
                        anyhow::bail!("audit log BROKEN at entry {}: {b}", b.seq())
                    }
                };
                let mut checked = 0;
                for file in checkpoint {
                    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
                    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                        let point = leefwijk_domain::access::audit_chain::Checkpoint::parse(line)
                            .map_err(|e| anyhow::anyhow!("{} line {}: {e}", file.display(), n + 1))?;
                        if let Err(e) =
                            leefwijk_app::access::audit::verify_checkpoint(&store, keys.audit(), &point).await?
                        {
                            anyhow::bail!("audit log BROKEN ({} line {}): {e}", file.display(), n + 1);
                        }
                        checked += 1;
                    }
                }
                if checked > 0 {
                    println!(
                        "Audit log intact: {entries} entries verified, and {checked} checkpoint(s) found in the chain."
                    );
                } else {
                    println!("Audit log intact: {entries} entries verified.");
                }
                Ok(())
            }
            Command::Audit(AuditCommand::Checkpoint) => {
                let settings = settings(&cli)?;
                let store = open_store(&settings.database_url).await?;
                let keys = open_keys(&settings.keys_dir)?;
                leefwijk_app::access::audit::seal_unsealed_head(&store, keys.audit()).await?;
                let now = leefwijk_app::access::identity::now_ms();
                match leefwijk_app::access::audit::checkpoint(&store, keys.audit(), now).await? {
                    Ok(point) => {
                        println!("{}", point.to_line());
                        Ok(())
                    }
                    Err(b) => anyhow::bail!("audit log BROKEN at entry {}: {b}; no checkpoint written", b.seq()),
                }
            }
            Command::Covenant(CovenantCommand::Load { ref file, ref tenant }) => {
                let store = open_store(&settings(&cli)?.database_url).await?;
                let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
                let (covenant, new) = leefwijk_app::access::covenant::load(&store, &text).await?;
                println!(
                    "Covenant {} version {} {}.",
                    covenant.id,
                    covenant.version,
                    if new { "loaded" } else { "was already loaded" }
                );
                if let Some(tenant) = tenant {
                    store.set_tenant_covenant(tenant, &covenant.id).await?;
                    println!("In force for '{tenant}'.");
                }
                Ok(())
            }
            Command::Logboek(LogboekCommand::Export { ref endpoint, ref after, page }) => {
                use leefwijk_app::access::otlp;
                let store = open_store(&settings(&cli)?.database_url).await?;
                let from = otlp::Cursor::parse(after).map_err(|e| anyhow::anyhow!("{e}"))?;
                let done = otlp::export(&store, endpoint, from, page.clamp(1, 10_000)).await?;
                println!("{} operation(s) exported. Next time: --after {}", done.operations, done.cursor.to_text());
                match done.stopped {
                    Some(why) => anyhow::bail!(
                        "the export stopped early: {why}; run it again with --after {}",
                        done.cursor.to_text()
                    ),
                    None => Ok(()),
                }
            }
            Command::Retention(RetentionCommand::Run { ref today }) => retention(settings(&cli)?, today.clone()).await,
            Command::Ddas(ref _d) => {
                let settings = settings(&cli)?;
                match cli.command {
                    Command::Ddas(command) => ddas_export(settings, command).await,
                    _ => Ok(()),
                }
            }
            Command::Bench(ref _b) => match cli.command {
                Command::Bench(b) => bench::run(b).await,
                _ => Ok(()),
            },
        }
    })
}
