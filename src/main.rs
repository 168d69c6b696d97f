//! The `frontline` command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use frontline::config::{self, Overrides};
use frontline::tls;
use frontline_platform::auth::NewUser;
use frontline_platform::{Platform, Settings};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::Server;

/// jemalloc, not glibc's malloc: under concurrent requests glibc's arena
/// locks, `malloc_consolidate` and `realloc` copies took about a third of a
/// list request's CPU (perf of the release bench); with jemalloc a first page
/// of training scenarios went from 2 700 to 4 600 requests/s (README, Speed).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at its first use (the `malloc_conf` of its
/// documentation, under this build's `_rjem_` prefix). One background thread
/// gives freed memory back to the system on jemalloc's decay schedule (10 s).
/// Without it decay only runs when the arena that freed the memory allocates
/// again, so what threads that have ended had freed (start-up's index writers,
/// a burst's blocking threads) stayed resident in an idle server: 33 MiB of
/// own memory a minute after a first start instead of 10.
/// `tests/idle_memory.rs` checks it.
#[used]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_OPTIONS: &[u8; 48] = b"background_thread:true,max_background_threads:1\0";

/// Frontline: five customer-operations REST APIs (training scenarios, chatbot
/// platform, contact center, marketplace pricing and reviews, school financial
/// planning) in one offline executable, with an admin UI and Swagger docs.
///
/// Run with no subcommand to start the server on http://127.0.0.1:8080, then
/// open that address in a browser. The first start prints the admin password.
#[derive(Parser, Debug)]
#[command(name = "frontline", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args, Debug, Clone)]
struct DataArgs {
    /// Directory for the database, search index and files.
    #[arg(long, env = "FRONTLINE_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A frontline.toml to read (default: ./frontline.toml when present).
    #[arg(long, env = "FRONTLINE_CONFIG", global = true)]
    config: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on.
    #[arg(long, env = "FRONTLINE_HOST")]
    host: Option<String>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "FRONTLINE_PORT")]
    port: Option<u16>,
    /// Per-document rate limits: on (default) or off.
    #[arg(long, env = "FRONTLINE_RATE_LIMITS", value_parser = config::parse_switch)]
    rate_limits: Option<bool>,
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed:
    /// IPs or CIDR ranges, comma-separated (default: none).
    #[arg(long, env = "FRONTLINE_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Option<Vec<frontline_platform::http::ProxyNet>>,
    /// Load the demo data set before serving.
    #[arg(long)]
    demo: bool,
    /// E-mail of the super-admin created on first start.
    #[arg(long, env = "FRONTLINE_ADMIN_EMAIL", hide_env_values = true)]
    admin_email: Option<String>,
    /// Password of the super-admin created on first start (random and printed when unset).
    #[arg(long, env = "FRONTLINE_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Non-public addresses outgoing calls (webhooks, chat providers) may reach
    /// besides public ones: IPs, networks (10.0.0.0/8), host names, *.suffix, or *.
    #[arg(long, env = "FRONTLINE_OUTBOUND_ALLOW", value_delimiter = ',')]
    outbound_allow: Option<Vec<String>>,
    /// SMTP server for outgoing mail (scheduled reports): smtps://user:pass@host[:465],
    /// smtp://user:pass@host[:587]?tls=required or smtp://host[:25]. Unset: no mail is sent.
    #[arg(long, env = "FRONTLINE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender address of outgoing mail (default frontline@localhost).
    #[arg(long, env = "FRONTLINE_SMTP_FROM")]
    smtp_from: Option<String>,
    /// Allow SMTP credentials over an unencrypted connection to a remote host: on or off (default).
    #[arg(long, env = "FRONTLINE_SMTP_ALLOW_PLAINTEXT", value_parser = config::parse_switch)]
    smtp_allow_plaintext: Option<bool>,
    /// The address users and outside services reach this server at, e.g.
    /// https://frontline.example.com (links in invitation mail, vendor status callbacks).
    #[arg(long, env = "FRONTLINE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); re-read on SIGHUP.
    #[arg(long, env = "FRONTLINE_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert; re-read on SIGHUP.
    #[arg(long, env = "FRONTLINE_TLS_KEY")]
    tls_key: Option<PathBuf>,
    #[command(flatten)]
    delivery: Box<config::DeliveryConfig>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the server (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DataArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the live database to FILE (safe while serving).
    Backup {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Rebuild the search indexes from the database.
    Reindex(DataArgs),
    /// Write every module's OpenAPI document into DIR.
    Openapi { dir: PathBuf },
    /// Load the demo data set into the data dir and exit.
    Demo(DataArgs),
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a user: frontline user create --email a@b.c --password … --role training:editor
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "")]
        name: String,
        /// `admin` or `<module>:<role>`; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List users.
    List(DataArgs),
    /// Set a user's password (signs them out everywhere).
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn settings_for(data: &DataArgs, over: Overrides) -> Result<Settings, String> {
    let file = config::load_file(data.config.as_deref()).map_err(|e| e.to_string())?;
    let tls = config::tls_files(&over, &file).map_err(|e| e.to_string())?;
    let delivery = config::delivery(&over.delivery, &file)?;
    let mut settings = config::resolve(
        Overrides {
            data_dir: data.data_dir.clone(),
            ..over
        },
        file,
    );
    settings.tls = tls;
    settings.delivery = delivery;
    Ok(settings)
}

fn open(data: &DataArgs) -> Result<Platform, String> {
    let settings = settings_for(data, Overrides::default())?;
    frontline::open_platform(settings).map_err(|e| e.to_string())
}

/// Rust's own allocations go to jemalloc ([`ALLOCATOR`]); glibc's malloc
/// still serves SQLite and the other C code, and the two settings below are
/// for it. glibc gives every thread that allocates its own malloc arena (up to
/// 8 × cores). SQLite work runs on tokio's blocking pool, whose threads come
/// and go under load, so memory freed in one arena is not reused by the next
/// thread. In the load soak (all mixes, 8 clients) the heap went from 295 to
/// 398 MiB in five minutes (464 after twenty) with the default, and from 127
/// to 147 MiB with two arenas. `MALLOC_ARENA_MAX`, when set, still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator tunable; it is called before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// Gives the heap's free pages back to the system. glibc keeps what a burst
/// freed (start-up's document building, a large export, a busy minute) as
/// resident memory in the middle of the heap, where its own trimming never
/// reaches; `malloc_trim` returns every free page. Costs a few milliseconds.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// How often a serving process gives freed heap pages back ([`release_free_memory`]).
const TRIM_EVERY: Duration = Duration::from_secs(30);

/// Files and directories the server creates are its own: owner-only modes
/// (data dir 0700; database, WAL, uploads, secret.key 0600), whatever the
/// inherited umask.
#[cfg(unix)]
fn private_umask() {
    // SAFETY: umask only sets this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
}

#[cfg(not(unix))]
fn private_umask() {}

fn main() -> ExitCode {
    private_umask();
    limit_malloc_arenas();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FRONTLINE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,frontline=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate(data)) => {
            open(&data)?;
            println!("Database is up to date.");
            Ok(())
        }
        Some(Command::User(cmd)) => user(cmd).await,
        Some(Command::Backup { file, data }) => {
            let platform = open(&data)?;
            platform.db.backup_to(&file).map_err(|e| e.message)?;
            println!("Backup written to {}", file.display());
            Ok(())
        }
        Some(Command::Reindex(data)) => {
            let platform = open(&data)?;
            let n = reindex_all(&platform)?;
            println!("{n} documents indexed.");
            Ok(())
        }
        Some(Command::Openapi { dir }) => {
            let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
            let platform = frontline::open_platform(Settings::for_data_dir(tmp.path()))
                .map_err(|e| e.to_string())?;
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            for (name, spec) in frontline::specs(&platform) {
                let path = dir.join(format!("{name}.json"));
                std::fs::write(&path, format!("{spec}\n")).map_err(|e| e.to_string())?;
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        Some(Command::Demo(data)) => {
            let platform = open(&data)?;
            load_demo(&platform)?;
            println!("Demo data loaded.");
            Ok(())
        }
    }
}

/// Runs every module's reindex hook; returns the documents indexed.
fn reindex_all(platform: &Platform) -> Result<u64, String> {
    let mut total = 0;
    for m in frontline::modules() {
        if let Some(reindex) = m.reindex {
            let n =
                reindex(platform).map_err(|e| format!("reindexing {}: {}", m.slug, e.message))?;
            tracing::info!(module = m.slug, documents = n, "reindexed");
            total += n;
        }
    }
    Ok(total)
}

fn load_demo(platform: &Platform) -> Result<(), String> {
    for m in frontline::modules() {
        if let Some(demo) = m.demo {
            demo(platform).map_err(|e| format!("demo data for {}: {}", m.slug, e.message))?;
        }
    }
    Ok(())
}

async fn user(cmd: UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Create {
            email,
            password,
            name,
            roles,
            data,
        } => {
            let platform = open(&data)?;
            let name = if name.is_empty() { email.clone() } else { name };
            let user = platform
                .auth
                .create_user(NewUser {
                    email,
                    password,
                    name,
                    roles,
                    organization: None,
                })
                .await
                .map_err(|e| describe(&e))?;
            println!(
                "Created {} ({}) with roles [{}]",
                user.email,
                user.id,
                user.roles.join(", ")
            );
            Ok(())
        }
        UserCommand::List(data) => {
            let platform = open(&data)?;
            let users = platform
                .db
                .read(frontline_platform::auth::Auth::list_users_in)
                .await
                .map_err(|e| e.message)?;
            for u in users {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.id,
                    u.email,
                    if u.is_active { "active" } else { "disabled" },
                    u.roles.join(",")
                );
            }
            Ok(())
        }
        UserCommand::SetPassword {
            email,
            password,
            data,
        } => {
            let platform = open(&data)?;
            let user = platform
                .auth
                .find_by_email(&email)
                .await
                .map_err(|e| e.message)?
                .ok_or_else(|| format!("no user with e-mail {email}"))?;
            let meta = frontline_platform::http::RequestMeta {
                request_id: "cli".into(),
                user_agent: Some("frontline user set-password".into()),
                ..Default::default()
            };
            platform
                .auth
                .change_password(&user.id, password, None, &meta)
                .await
                .map_err(|e| describe(&e))?;
            println!("Password changed for {email}.");
            Ok(())
        }
    }
}

fn describe(e: &frontline_platform::ApiError) -> String {
    let mut s = e.message.clone();
    for d in &e.details {
        s.push_str(&format!("\n  {}: {}", d.field, d.message));
    }
    s
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let settings = settings_for(
        &args.data,
        Overrides {
            host: args.host.clone(),
            port: args.port,
            rate_limits: args.rate_limits,
            admin_email: args.admin_email.clone(),
            admin_password: args.admin_password.clone(),
            outbound_allow: args.outbound_allow.clone(),
            trusted_proxies: args.trusted_proxies.clone(),
            smtp_url: args.smtp_url.clone(),
            smtp_from: args.smtp_from.clone(),
            smtp_allow_plaintext: args.smtp_allow_plaintext,
            public_url: args.public_url.clone(),
            tls_cert: args.tls_cert.clone(),
            tls_key: args.tls_key.clone(),
            delivery: (*args.delivery).clone(),
            data_dir: None,
        },
    )?;
    let platform = frontline::open_platform(settings.clone()).map_err(|e| e.to_string())?;
    match platform
        .auth
        .bootstrap_admin(
            settings.admin_email.as_deref(),
            settings.admin_password.as_deref(),
        )
        .map_err(|e| describe(&e))?
    {
        Some((email, Some(password))) => {
            println!("Created the administrator {email} with password: {password}");
            println!("(shown once; change it with `frontline user set-password`)");
        }
        Some((email, None)) => println!("Created the administrator {email}."),
        None => {}
    }
    if args.demo {
        load_demo(&platform)?;
    }
    platform.start_background();
    for m in frontline::modules() {
        if let Some(start) = m.start {
            start(&platform);
        }
    }
    let app = frontline::app(&platform);
    release_free_memory();
    tokio::spawn(async {
        let mut every = tokio::time::interval(TRIM_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let _ = tokio::task::spawn_blocking(release_free_memory).await;
        }
    });
    if platform.search.is_fresh() {
        // The index is derived data: rebuild it from the database when it is missing.
        let rebuilt = tokio::task::spawn_blocking({
            let platform = platform.clone();
            move || reindex_all(&platform)
        })
        .await
        .map_err(|e| e.to_string())??;
        if rebuilt > 0 {
            println!("Search index rebuilt: {rebuilt} documents.");
        }
    }
    let addr = format!("{}:{}", settings.host, settings.port);
    let served = match &settings.tls {
        None => {
            let acceptor = TcpListener::bind(addr.clone())
                .into_acceptor()
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            announce("http", &acceptor, &addr);
            Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
                .await
        }
        Some(files) => {
            let first = tls::load(files)?;
            let acceptor = tls::ConfigFirst(TcpListener::bind(addr.clone()))
                .rustls(tls::reloading(files.clone(), first))
                .into_acceptor()
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            announce("https", &acceptor, &addr);
            Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(app, shutdown_signal(), Some(Duration::from_secs(30)))
                .await
        }
    };
    served.map_err(|e| e.to_string())?;
    if let Err(e) = platform.db.checkpoint() {
        eprintln!("warning: WAL checkpoint failed: {}", e.message);
    }
    println!("Frontline stopped.");
    Ok(())
}

/// Prints the address the server answers on (tests and scripts read this line).
fn announce(scheme: &str, acceptor: &impl Acceptor, addr: &str) {
    let local: Option<SocketAddr> = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied());
    let shown = local
        .map(|a| a.to_string())
        .unwrap_or_else(|| addr.to_string());
    println!("Frontline listening on {scheme}://{shown}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
