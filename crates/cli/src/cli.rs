//! The command line itself: every subcommand, option and help text. Help is written for a
//! council Clerk, not an engineer. Parsing only: no command's work is done here.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "custodian",
    version,
    about = "Custodian keeps your council's IT policy promises in one place, and proves it.",
    long_about = "Custodian keeps your council's IT policy promises in one place, and proves it.\n\n\
        Start with `custodian demo` to look around a made-up council, or `custodian init` to set \
        up your own council and then `custodian serve` to open it in a web browser.\n\n\
        Settings can also come from environment variables (CUSTODIAN_DATA_DIR, \
        CUSTODIAN_DATABASE_URL, CUSTODIAN_PUBLIC_URL, CUSTODIAN_BIND, CUSTODIAN_CONFIG, \
        CUSTODIAN_LOG) or a settings file (--config). Options typed on the command line win over \
        environment variables, which win over the settings file.",
    after_help = "Use `custodian <command> --help` to read more about one command."
)]
pub struct Cli {
    /// The folder where Custodian keeps its database. If you leave it out, Custodian uses the
    /// usual place for program data on this computer (on Linux, ~/.local/share/custodian).
    /// It is created, readable only by you, if it does not exist.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Where Custodian keeps its data"
    )]
    pub data_dir: Option<PathBuf>,

    /// Use a PostgreSQL database instead of the SQLite file in the data folder, for example
    /// postgres://custodian@localhost/custodian. Anything typed here can be seen by other
    /// users of this computer, so put a password in CUSTODIAN_DATABASE_URL instead.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Where Custodian keeps its data"
    )]
    pub database_url: Option<String>,

    /// The vault key file: the key that unlocks the council's stored passwords. Keep it out of
    /// the database's backups and back it up separately (see docs/vault.md). Without this,
    /// Custodian uses vault.key in the data folder, creating it on first start.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Where Custodian keeps its data"
    )]
    pub vault_key_file: Option<PathBuf>,

    /// A settings file (TOML) holding any of: data_dir, database_url, public_url, bind,
    /// vault_key_file.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Where Custodian keeps its data"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run Custodian so people can use it in their web browser.
    #[command(
        long_about = "Run Custodian so people can use it in their web browser.\n\n\
        Custodian prepares its database first. If no council has been set up yet, it prints a \
        one-time setup code: open the setup page it names and type the code to create your \
        council. Custodian keeps running until you press Ctrl-C (or the computer asks it to stop); \
        it then finishes any work in progress before it stops."
    )]
    Serve(ServeArgs),

    /// Try Custodian with a made-up council, "Demo Parish Council", and its people.
    #[command(
        long_about = "Try Custodian with a made-up council and its people.\n\n\
        Creates \"Demo Parish Council\" with a Clerk, Chair, Vice-Chair, councillors, staff, a \
        volunteer, an IT provider and an internal auditor, each with a passphrase to sign in \
        with, and a few sample incidents. It prints the web address to open and everyone's \
        sign-in details, then runs until you press Ctrl-C.\n\n\
        Without --data-dir, the demo keeps its data in a temporary folder that is deleted when \
        it stops. With --data-dir, the data is kept there, and running the demo again opens \
        the same council instead of creating another. The demo never uses your real \
        Custodian's data folder unless you name it."
    )]
    Demo(DemoArgs),

    /// Prepare or update the database so it matches this version of Custodian.
    #[command(
        long_about = "Prepare or update the database so it matches this version of \
        Custodian.\n\n\
        `custodian serve` does this itself when it starts, so you only need this command to \
        update the database before starting a new version, or to check that it is up to date. \
        It lists each change it makes, or says the database is already up to date."
    )]
    Migrate,

    /// Set up a new council and invite its Clerk.
    #[command(long_about = "Set up a new council and invite its Clerk.\n\n\
        Prints a link for the Clerk to choose their password. The link works once and expires \
        after 7 days; send it to the Clerk by a route you trust. Nothing is changed if any of \
        the details are not right, or if a council with the same name already exists.\n\n\
        Example:\n  custodian init --council-name \"Ashby Parish Council\" --kind parish \\\n    \
        --clerk-name \"Jane Smith\" --clerk-email clerk@ashby-pc.gov.uk \\\n    \
        --public-url https://custodian.ashby-pc.gov.uk")]
    Init(InitArgs),

    /// Check the audit log, or print a checkpoint of it for the minutes.
    #[command(subcommand)]
    Audit(AuditCommand),

    /// Save everything in this Custodian (every council) to one file.
    #[command(
        long_about = "Save everything in this Custodian (every council, person, \
        incident and audit entry) to one file, for a backup or a move to another computer or \
        database.\n\n\
        The file holds people's personal details and password hashes (never the passwords \
        themselves): keep it as safe as the database. An existing file is never overwritten."
    )]
    Export(ExportArgs),

    /// Load a file made by `custodian export` into a new, empty Custodian.
    #[command(
        long_about = "Load a file made by `custodian export` into a new, empty \
        Custodian.\n\n\
        The database is prepared first. Custodian refuses to load into a database that already \
        holds a council or a sign-in, and loads all of the file or none of it: if any line is \
        wrong, nothing is loaded and every problem is listed with its line number. Afterwards \
        the audit log is checked and the result printed."
    )]
    Import(ImportArgs),

    /// Read the council's IT policy document and show the choices it makes.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Import the equipment register from a spreadsheet (CSV), or export it.
    #[command(subcommand)]
    Assets(AssetsCommand),

    /// The password vault: its recovery kit, an encrypted export, recovery, a new vault key.
    #[command(subcommand)]
    Vault(VaultCommand),

    /// Internet-use monitoring: read proxy and DNS logs into the daily log the policy promises.
    Monitor(MonitorArgs),
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Issue a new recovery kit: one printable sheet each for the Chair, Vice-Chair and Clerk.
    #[command(
        long_about = "Issue a new recovery kit: one printable sheet each for the Chair, \
        Vice-Chair and Clerk.\n\n\
        Any two of the three sheets, with an export made by `custodian vault export`, recover \
        the council's passwords with this program alone, with no server or database (for \
        example after a fire or a failed server). One sheet alone recovers nothing.\n\n\
        Print each sheet, give it to its holder in a sealed envelope, then delete the files. \
        Issuing a new kit (for example after the annual meeting elects a new Chair) makes the \
        old sheets useless for exports made from now on; ask the holders to destroy them. The \
        folder must be new or empty. Recorded in the council's audit log.\n\n\
        Example:\n  custodian vault kit --out /media/usb/recovery-kit"
    )]
    Kit {
        /// A new or empty folder to write the three sheets to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        council: CouncilChoice,
    },

    /// Write the council's passwords to an encrypted file that only the recovery kit opens.
    #[command(
        long_about = "Write the council's passwords to an encrypted file that only the \
        recovery kit opens.\n\n\
        The file holds no password, username or note in readable form: it is sealed to the \
        council's current recovery kit, so any two kit holders can open it with `custodian \
        vault recover`, and nobody else can, not even Custodian. Keep it with your backups. \
        An existing file is never overwritten. Recorded in the council's audit log.\n\n\
        Example:\n  custodian vault export --out vault-2026-12-07.custodian-vault"
    )]
    Export {
        /// The file to write (it must not exist yet).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        council: CouncilChoice,
    },

    /// Open an encrypted export with two recovery sheets and print the passwords.
    #[command(
        long_about = "Open an encrypted export with two recovery sheets and print the \
        passwords.\n\n\
        Needs no server and no database: only this program, the export file and two of the \
        three sheets of the kit it was made for (the sheets' text files, or the sheets typed \
        in again from paper). The passwords are printed on the screen: do this somewhere \
        private, and change each password once the emergency is over.\n\n\
        Example:\n  custodian vault recover --share chair.txt --share clerk.txt \\\n    \
        --in vault-2026-12-07.custodian-vault"
    )]
    Recover {
        /// A recovery sheet (give --share twice, for two different holders' sheets).
        #[arg(long = "share", value_name = "FILE", required = true)]
        shares: Vec<PathBuf>,
        /// The encrypted export made by `custodian vault export`.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },

    /// Replace the vault key with a new one, re-wrapping every stored item's key.
    #[command(
        long_about = "Replace the vault key with a new one, re-wrapping every stored \
        item's key in one transaction (all or nothing).\n\n\
        With a key file, a new key file is written first beside the old one and moved into \
        place once the database has changed; back up the new file, and destroy copies of the \
        old one. With a passphrase (CUSTODIAN_VAULT_PASSPHRASE), give the new one in \
        CUSTODIAN_VAULT_NEW_PASSPHRASE and use it from then on. Stop Custodian first. \
        Recorded in every council's audit log."
    )]
    RotateKey,
}

#[derive(Debug, Subcommand)]
pub enum AssetsCommand {
    /// Add the equipment listed in a CSV file to a council's register.
    #[command(
        long_about = "Add the equipment listed in a CSV file to a council's register.\n\n\
        The file may be one made by `custodian assets export` or by the equipment page, or an \
        asset export from Snipe-IT; column names are matched ignoring capitals and spaces (the \
        columns are listed in docs/equipment-csv.md). Every row must have an asset number and a \
        category. Items with a holder are issued to that person (named by email address or \
        name), and each holder is then asked to acknowledge them in Custodian.\n\n\
        Custodian imports all of the file or none of it: if any row is wrong, nothing is added, \
        every problem is listed with its row and column as your spreadsheet shows them, and \
        the command finishes with exit status 2.\n\n\
        Example:\n  custodian assets import register.csv --council ashby-parish-council"
    )]
    Import {
        /// The CSV file; - reads it from another program.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        council: CouncilChoice,
    },

    /// Print a council's equipment register as CSV.
    #[command(
        long_about = "Print a council's equipment register as CSV, one row per item in \
        number order, in the columns `custodian assets import` reads back.\n\n\
        The export is recorded in the council's audit log. It names the people who hold each \
        item: keep it as safe as the register itself.\n\n\
        Example:\n  custodian assets export --council ashby-parish-council > register.csv"
    )]
    Export {
        #[command(flatten)]
        council: CouncilChoice,
    },
}

#[derive(Debug, Args)]
pub struct CouncilChoice {
    /// Which council: its name in lower case with hyphens (ashby-parish-council), its full
    /// name or its id. Needed only when this Custodian holds more than one council.
    #[arg(long, value_name = "COUNCIL")]
    pub council: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Read an adopted IT policy (.docx, .md or .txt) and show the choices Custodian finds in it.
    #[command(
        long_about = "Read an adopted IT policy (.docx, .md or .txt) and show the \
        choices Custodian finds in it.\n\n\
        For each choice (such as how many failed attempts lock a phone, or who holds the \
        emergency passwords) it shows the value and the clause and sentence it came from. A \
        choice the document does not settle is shown as not settled, never guessed. It also \
        lists clauses it did not recognise and problems in the document (numbering gaps, \
        contradictions, template leftovers, weak values).\n\n\
        Nothing is saved: to make the result a draft for your council, use the IT policy page \
        in the web interface. A file that cannot be read, or is not a policy, is reported and the \
        command finishes with exit status 2.\n\n\
        Example:\n  custodian policy import \"IT Policy 2025.docx\" --json"
    )]
    Import {
        /// The policy document: a Word document (.docx), Markdown (.md) or plain text (.txt).
        file: std::path::PathBuf,
        /// Print the result as one JSON object, for other programs.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on. The default, 127.0.0.1:8080, can be reached only
    /// from this computer; use 0.0.0.0:8080 to let other computers reach it.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// The web address people use to reach Custodian, used in invitation links, for example
    /// https://custodian.ashby-pc.gov.uk. Defaults to the address Custodian listens on.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The port to open the demo on, on this computer only. 0 means "any free port".
    #[arg(long, default_value_t = 8080, value_name = "PORT")]
    pub port: u16,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The council's full name, for example "Ashby Parish Council".
    #[arg(long, value_name = "NAME")]
    pub council_name: String,

    /// Whether it is a parish council or a town council: type parish or town.
    #[arg(long, value_name = "parish|town")]
    pub kind: String,

    /// The Clerk's full name, as they want it shown.
    #[arg(long, value_name = "NAME")]
    pub clerk_name: String,

    /// The Clerk's email address; they will sign in with it.
    #[arg(long, value_name = "EMAIL")]
    pub clerk_email: String,

    /// The web address people use to reach Custodian, for the invitation link, for example
    /// https://custodian.ashby-pc.gov.uk. Defaults to http:// and the address `serve` listens on.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry has been changed, removed or reordered.
    #[command(long_about = "Check that no audit entry has been changed, removed or \
        reordered.\n\n\
        Every change in Custodian is written to its council's audit log, and each entry is \
        sealed together with the one before it. This command re-checks every seal. For each \
        council it prints how many entries it checked and the latest seal; if anything was \
        tampered with, it names the first entry that does not fit and finishes with a failure \
        (exit status 1).")]
    Verify,

    /// Print each council's latest audit entry number and seal, to record in the minutes.
    #[command(
        long_about = "Print each council's latest audit entry number and seal (hash), \
        one line per council.\n\n\
        Record the line in your council's minutes. Later, `custodian audit verify` shows the \
        log still reaches that entry with the same seal, proving nothing before it has been \
        changed since the meeting."
    )]
    Head {
        /// Print the result as JSON, for other programs.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write; - (or leaving it out) writes to the screen, for passing on to another
    /// program.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file made by `custodian export`; - reads it from another program.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    #[command(subcommand)]
    pub command: MonitorCommand,
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Read a proxy or DNS log and print its figures, without storing anything.
    #[command(
        long_about = "Read a proxy or DNS log and print its figures, without storing \
        anything: the lines read, the requests (or DNS queries) in them, the bytes sent, the \
        lines that could not be read, and how many entries the daily log would have (one for \
        each person or device, day and site).\n\n\
        Use it to check a log before Custodian keeps it. The file is read a piece at a time, so \
        a large log needs little memory. A line that cannot be read is counted and skipped, and \
        the first ones are listed with their line numbers. If the file looks like another \
        format than the one you named, Custodian says which one and stops (exit status 2).\n\n\
        Examples:\n  custodian monitor summarize --format squid /var/log/squid/access.log\n  \
        custodian monitor summarize --format pihole /var/log/pihole/pihole.log --json\n  \
        custodian monitor summarize --format csv \\\n    \
        --csv-columns \"time=Timestamp,client=Client IP,site=Domain\" export.csv"
    )]
    Summarize(SummarizeArgs),

    /// Read a proxy or DNS log and keep it in the council's daily log of internet use.
    #[command(
        long_about = "Read a proxy or DNS log and keep it in the council's daily log of \
        internet use (policy 5.1.11): for each person, day and site, the first and last time, the \
        requests, the bytes and the requests in each hour, with the log's own lines kept \
        (compressed) for investigations. Each file is recorded in the audit log with its \
        SHA-256, so the records can be shown to be unaltered; the same file sent twice is \
        recognised and not counted twice.\n\n\
        Monitoring must be switched on for the council first: that needs a recorded impact \
        assessment and an adopted policy that tells people about monitoring (5.1.6; see \
        docs/monitoring.md). Days older than the council's retention period are not kept.\n\n\
        With --follow, Custodian keeps reading the file as it grows (every five seconds, until \
        Ctrl-C), storing the new complete lines each time; a half-written last line waits.\n\n\
        Examples:\n  custodian monitor ingest --format squid /var/log/squid/access.log.1\n  \
        custodian monitor ingest --format pihole --follow /var/log/pihole/pihole.log"
    )]
    Ingest(IngestArgs),
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub log: LogFileArgs,

    /// Keep reading the file as it grows, until Ctrl-C.
    #[arg(long)]
    pub follow: bool,

    /// Print each batch's figures as one line of JSON:
    /// {"lines": N, "hits": N, "bytes": N, "malformed": N, "groups": N}.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub council: CouncilChoice,
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    #[command(flatten)]
    pub log: LogFileArgs,

    /// Print the figures as one line of JSON, for other programs:
    /// {"lines": N, "hits": N, "bytes": N, "malformed": N, "groups": N}.
    #[arg(long)]
    pub json: bool,
}

/// Which log to read and how it is written.
#[derive(Debug, Args)]
pub struct LogFileArgs {
    /// How the log is written: squid (Squid's own access.log), combined (a proxy's log in the
    /// common or combined format, also called common), dnsmasq (dnsmasq's or Pi-hole's query
    /// log, also called pihole), unbound (Unbound's query log) or csv (an export from a DNS
    /// filtering service; name its columns with --csv-columns).
    #[arg(long, value_name = "squid|combined|dnsmasq|unbound|csv")]
    pub format: String,

    /// For --format csv: which columns hold the time, the device (client) and the site, and
    /// optionally the user name and bytes, by the names in the file's first row or by number
    /// counting from 1. For example "time=Timestamp,client=Client IP,site=Domain" or
    /// "time=1,client=4,site=2,header=no". Times may be like 2026-12-07T09:00:01Z (no offset
    /// means UTC) or seconds since 1970.
    #[arg(long, value_name = "MAPPING")]
    pub csv_columns: Option<String>,

    /// The year the log starts in, for logs whose lines carry no year (dnsmasq, Pi-hole, and
    /// Unbound through syslog). Without it, Custodian works the year out from the date the
    /// file was last changed: a month later in the year than that date is taken as last year's.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i16>,

    /// The log file; - reads it from another program (for example `zcat access.log.1.gz |`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_may_follow_the_subcommand() {
        let cli =
            Cli::try_parse_from(["custodian", "demo", "--port", "0", "--data-dir", "/d"]).unwrap();
        assert_eq!(cli.data_dir, Some(PathBuf::from("/d")));
        assert!(matches!(cli.command, Command::Demo(DemoArgs { port: 0 })));
    }
}
