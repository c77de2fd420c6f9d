//! The log formats Custodian reads, by name (`squid`, `combined`, `dnsmasq`, `unbound`) or, for a
//! DNS filtering service's CSV export, with a column mapping such as
//! `time=Timestamp,client=Client IP,site=Domain`.

use std::fmt;
use std::str::FromStr;

/// A log format, as chosen with `--format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Squid's native `access.log`.
    Squid,
    /// The common or combined log format of Apache, nginx or Squid, from a forward proxy (each
    /// request names its site).
    Combined,
    /// dnsmasq's `log-queries` output, which is also Pi-hole's `pihole.log`.
    Dnsmasq,
    /// Unbound's `log-queries` output, in its own log file or through syslog.
    Unbound,
    /// A CSV export from a DNS filtering service, read with a column mapping.
    Csv(CsvMapping),
}

/// A format without its details, for naming and detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    Squid,
    Combined,
    Dnsmasq,
    Unbound,
    Csv,
}

impl Format {
    /// A CSV export read with `mapping`.
    pub fn csv(mapping: CsvMapping) -> Format {
        Format::Csv(mapping)
    }

    pub fn kind(&self) -> FormatKind {
        match self {
            Format::Squid => FormatKind::Squid,
            Format::Combined => FormatKind::Combined,
            Format::Dnsmasq => FormatKind::Dnsmasq,
            Format::Unbound => FormatKind::Unbound,
            Format::Csv(_) => FormatKind::Csv,
        }
    }
}

impl FormatKind {
    /// The name typed after `--format`.
    pub fn name(self) -> &'static str {
        match self {
            FormatKind::Squid => "squid",
            FormatKind::Combined => "combined",
            FormatKind::Dnsmasq => "dnsmasq",
            FormatKind::Unbound => "unbound",
            FormatKind::Csv => "csv",
        }
    }

    /// The format in words, for messages ("not Squid's native access.log").
    pub fn description(self) -> &'static str {
        match self {
            FormatKind::Squid => "Squid's native access.log",
            FormatKind::Combined => "a common or combined access log",
            FormatKind::Dnsmasq => "a dnsmasq (or Pi-hole) query log",
            FormatKind::Unbound => "an Unbound query log",
            FormatKind::Csv => "a CSV export",
        }
    }
}

impl fmt::Display for FormatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind().name())
    }
}

/// A format name that is not one Custodian reads, or `csv` without its column mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error(
        "\"{0}\" is not a log format Custodian reads. Use squid, combined (or common), dnsmasq (or pihole), unbound or csv."
    )]
    Unknown(String),
    #[error(
        "A CSV export needs its column mapping as well, for example --csv-columns \"time=Timestamp,client=Client IP,site=Domain\"."
    )]
    CsvNeedsMapping,
}

impl FromStr for Format {
    type Err = FormatError;

    /// The simple names: squid, combined (or common), dnsmasq (or pihole), unbound. `csv` needs
    /// a mapping: see [`Format::csv`].
    fn from_str(name: &str) -> Result<Format, FormatError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "squid" => Ok(Format::Squid),
            "combined" | "common" => Ok(Format::Combined),
            "dnsmasq" | "pihole" | "pi-hole" => Ok(Format::Dnsmasq),
            "unbound" => Ok(Format::Unbound),
            "csv" => Err(FormatError::CsvNeedsMapping),
            _ => Err(FormatError::Unknown(name.to_owned())),
        }
    }
}

/// A column of a CSV export: by its name in the header row, or by its number counting from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Name(String),
    Number(usize),
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Name(name) => write!(f, "\"{name}\""),
            Column::Number(number) => write!(f, "number {number}"),
        }
    }
}

/// How a CSV export writes its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// `2026-12-07T09:00:01Z`, `2026-12-07 09:00:01.123+00:00`; no offset means UTC.
    Rfc3339,
    /// Seconds since 1970 (UTC), with or without a fraction.
    UnixSeconds,
}

/// Which columns of a CSV export hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvMapping {
    pub time: Column,
    /// None: each value is told apart by its look (digits only are Unix seconds).
    pub time_format: Option<TimeFormat>,
    /// The device's address or name.
    pub client: Column,
    /// The domain (or URL) looked up.
    pub site: Column,
    pub user: Option<Column>,
    pub bytes: Option<Column>,
    /// Whether the first row names the columns (and is not data).
    pub header: bool,
}

/// A column mapping that cannot be used, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "The column mapping needs {0}, for example \"time=Timestamp,client=Client IP,site=Domain\" (column names from the file's first row, or numbers counting from 1)."
    )]
    Missing(&'static str),
    #[error(
        "\"{0}\" in the column mapping is not one Custodian knows. Use time, client, site, user, bytes, header (yes or no) or time_format (rfc3339 or unix)."
    )]
    UnknownField(String),
    #[error("\"{0}\" in the column mapping has no value: write it as {0}=column.")]
    NoValue(String),
    #[error("{0} is named twice in the column mapping.")]
    Repeated(String),
    #[error("Column numbers count from 1, so {0}=0 cannot be right.")]
    ZeroColumn(String),
    #[error("header={0} is not yes or no.")]
    BadHeader(String),
    #[error("time_format={0} is not rfc3339 or unix.")]
    BadTimeFormat(String),
    #[error(
        "Columns named by their heading need the file's first row to hold the headings: remove header=no, or give column numbers."
    )]
    NamesWithoutHeader,
}

impl FromStr for CsvMapping {
    type Err = MappingError;

    /// Reads `time=Timestamp,client=Client IP,site=Domain[,user=..][,bytes=..][,header=yes|no]
    /// [,time_format=rfc3339|unix]`. A value of digits is a column number (from 1); anything
    /// else is a heading in the first row, matched ignoring capitals and surrounding spaces.
    fn from_str(text: &str) -> Result<CsvMapping, MappingError> {
        let mut time = None;
        let mut client = None;
        let mut site = None;
        let mut user = None;
        let mut bytes = None;
        let mut header = None;
        let mut time_format = None;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value) = part
                .split_once('=')
                .map(|(f, v)| (f.trim().to_ascii_lowercase(), v.trim()))
                .ok_or_else(|| MappingError::NoValue(part.to_owned()))?;
            if value.is_empty() {
                return Err(MappingError::NoValue(field));
            }
            let slot = match field.as_str() {
                "time" | "timestamp" => &mut time,
                "client" => &mut client,
                "site" | "domain" => &mut site,
                "user" => &mut user,
                "bytes" => &mut bytes,
                "header" => {
                    let said = match value.to_ascii_lowercase().as_str() {
                        "yes" | "true" | "1" => true,
                        "no" | "false" | "0" => false,
                        _ => return Err(MappingError::BadHeader(value.to_owned())),
                    };
                    if header.replace(said).is_some() {
                        return Err(MappingError::Repeated(field));
                    }
                    continue;
                }
                "time_format" => {
                    let format = match value.to_ascii_lowercase().as_str() {
                        "rfc3339" | "iso" | "iso8601" => TimeFormat::Rfc3339,
                        "unix" | "epoch" => TimeFormat::UnixSeconds,
                        _ => return Err(MappingError::BadTimeFormat(value.to_owned())),
                    };
                    if time_format.replace(format).is_some() {
                        return Err(MappingError::Repeated(field));
                    }
                    continue;
                }
                _ => return Err(MappingError::UnknownField(field)),
            };
            let column = if value.bytes().all(|b| b.is_ascii_digit()) {
                match value.parse::<usize>() {
                    Ok(0) | Err(_) => return Err(MappingError::ZeroColumn(field)),
                    Ok(number) => Column::Number(number),
                }
            } else {
                Column::Name(value.to_owned())
            };
            if slot.replace(column).is_some() {
                return Err(MappingError::Repeated(field));
            }
        }
        let mapping = CsvMapping {
            time: time.ok_or(MappingError::Missing("time"))?,
            time_format,
            client: client.ok_or(MappingError::Missing("client"))?,
            site: site.ok_or(MappingError::Missing("site"))?,
            user,
            bytes,
            header: header.unwrap_or(true),
        };
        let named = [&mapping.time, &mapping.client, &mapping.site]
            .into_iter()
            .chain(mapping.user.iter())
            .chain(mapping.bytes.iter())
            .any(|c| matches!(c, Column::Name(_)));
        if named && !mapping.header {
            return Err(MappingError::NamesWithoutHeader);
        }
        Ok(mapping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names_and_their_aliases_are_formats() {
        assert_eq!("squid".parse::<Format>(), Ok(Format::Squid));
        assert_eq!("Combined".parse::<Format>(), Ok(Format::Combined));
        assert_eq!("common".parse::<Format>(), Ok(Format::Combined));
        assert_eq!("pihole".parse::<Format>(), Ok(Format::Dnsmasq));
        assert_eq!("unbound".parse::<Format>(), Ok(Format::Unbound));
        assert_eq!("csv".parse::<Format>(), Err(FormatError::CsvNeedsMapping));
        let unknown = "bind".parse::<Format>().unwrap_err().to_string();
        assert!(
            unknown.contains("\"bind\" is not a log format"),
            "{unknown}"
        );
        assert!(unknown.contains("dnsmasq"), "{unknown}");
    }

    #[test]
    fn a_mapping_names_columns_by_heading_or_number() {
        let mapping: CsvMapping = "time=Timestamp, client=Client IP ,site=Domain"
            .parse()
            .unwrap();
        assert_eq!(mapping.time, Column::Name("Timestamp".into()));
        assert_eq!(mapping.client, Column::Name("Client IP".into()));
        assert_eq!(mapping.site, Column::Name("Domain".into()));
        assert!(mapping.header);
        assert_eq!(mapping.user, None);
        assert_eq!(mapping.time_format, None);

        let mapping: CsvMapping =
            "time=1,site=2,client=4,user=5,bytes=6,header=no,time_format=unix"
                .parse()
                .unwrap();
        assert_eq!(mapping.time, Column::Number(1));
        assert_eq!(mapping.client, Column::Number(4));
        assert_eq!(mapping.bytes, Some(Column::Number(6)));
        assert!(!mapping.header);
        assert_eq!(mapping.time_format, Some(TimeFormat::UnixSeconds));
    }

    #[test]
    fn a_mapping_that_cannot_work_says_what_to_fix() {
        let error = |text: &str| text.parse::<CsvMapping>().unwrap_err();
        assert_eq!(error("time=1,client=2"), MappingError::Missing("site"));
        assert!(
            error("time=1,client=2")
                .to_string()
                .contains("time=Timestamp,client=Client IP,site=Domain")
        );
        assert_eq!(
            error("time=1,client=2,site=3,colour=4"),
            MappingError::UnknownField("colour".into())
        );
        assert_eq!(
            error("time=0,client=2,site=3"),
            MappingError::ZeroColumn("time".into())
        );
        assert_eq!(
            error("time=1,time=2,client=2,site=3"),
            MappingError::Repeated("time".into())
        );
        assert_eq!(
            error("time=When,client=2,site=3,header=no"),
            MappingError::NamesWithoutHeader
        );
        assert_eq!(
            error("time,client=2,site=3"),
            MappingError::NoValue("time".into())
        );
    }
}
