//! Public-space reports (meldingen): categories, the status machine and the service-level clock.
//!
//! Also the checks on what a resident sends without an account (lengths, contact details,
//! photos by their magic bytes), metadata stripping of photos (a phone photo carries the
//! location and the device in EXIF), and the small geometry a report needs: a point in a
//! buurt, and metres between two points.

use crate::calendar::{deadline, is_working_day, working_days_between, Date, DayCount, HolidayRules};
use crate::geometry::{Point, Shape};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------------------

/// A subcategory: what a resident picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Subcategory {
    pub code: &'static str,
    pub nl: &'static str,
    pub en: &'static str,
}

/// A top category: what routing, service levels and "similar nearby" go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Category {
    pub code: &'static str,
    pub nl: &'static str,
    pub en: &'static str,
    pub subs: &'static [Subcategory],
}

const fn sub(code: &'static str, nl: &'static str, en: &'static str) -> Subcategory {
    Subcategory { code, nl, en }
}

/// The category tree. Codes are stable (stored with every report); labels may change.
pub static CATEGORIES: &[Category] = &[
    Category {
        code: "overlast",
        nl: "Overlast",
        en: "Nuisance",
        subs: &[
            sub("overlast.geluid", "Geluidsoverlast", "Noise"),
            sub("overlast.jongeren", "Overlast door groepen", "Nuisance by groups"),
            sub("overlast.parkeren", "Foutparkeren", "Illegal parking"),
            sub("overlast.stank", "Stank of rook", "Smell or smoke"),
        ],
    },
    Category {
        code: "verval",
        nl: "Verval en zwerfafval",
        en: "Decay and litter",
        subs: &[
            sub("verval.zwerfafval", "Zwerfafval", "Litter"),
            sub("verval.dumping", "Gedumpt afval of grofvuil", "Dumped waste or bulky refuse"),
            sub("verval.graffiti", "Graffiti", "Graffiti"),
            sub("verval.bestrating", "Kapotte bestrating", "Broken paving"),
        ],
    },
    Category {
        code: "onveilig",
        nl: "Onveilige situatie",
        en: "Unsafe situation",
        subs: &[
            sub("onveilig.verlichting", "Straatverlichting kapot", "Street light broken"),
            sub("onveilig.verkeer", "Gevaarlijke verkeerssituatie", "Dangerous traffic situation"),
            sub("onveilig.speelplek", "Onveilige speelplek", "Unsafe playground"),
            sub("onveilig.losliggend", "Losliggende of uitstekende delen", "Loose or protruding parts"),
        ],
    },
    Category {
        code: "woning",
        nl: "Woning of portiek",
        en: "Home or stairwell",
        subs: &[
            sub("woning.portiek", "Vervuilde portiek of galerij", "Dirty stairwell or gallery"),
            sub("woning.lekkage", "Lekkage of vocht", "Leak or damp"),
            sub("woning.lift", "Lift of toegangsdeur kapot", "Lift or entrance door broken"),
            sub("woning.schimmel", "Schimmel", "Mould"),
        ],
    },
    Category {
        code: "groen",
        nl: "Groen",
        en: "Green space",
        subs: &[
            sub("groen.snoeien", "Snoeien of maaien", "Pruning or mowing"),
            sub("groen.boom", "Boom of tak gevaarlijk", "Dangerous tree or branch"),
            sub("groen.onkruid", "Onkruid", "Weeds"),
        ],
    },
    Category {
        code: "overig",
        nl: "Overig",
        en: "Other",
        subs: &[sub("overig.overig", "Iets anders", "Something else")],
    },
];

/// The top category and subcategory of a subcategory code.
pub fn find_sub(code: &str) -> Option<(&'static Category, &'static Subcategory)> {
    CATEGORIES.iter().find_map(|c| c.subs.iter().find(|s| s.code == code).map(|s| (c, s)))
}

/// A top category by its code.
pub fn find_top(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

// ---------------------------------------------------------------------------------------
// Status machine
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Reported,
    InProgress,
    OnHold,
    Closed,
    Reopened,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::Reported, Status::InProgress, Status::OnHold, Status::Closed, Status::Reopened, Status::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::InProgress => "in_progress",
            Status::OnHold => "on_hold",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.code() == s.trim())
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (nl, en) = match self {
            Status::Reported => ("Gemeld", "Reported"),
            Status::InProgress => ("In behandeling", "In progress"),
            Status::OnHold => ("Aangehouden", "On hold"),
            Status::Closed => ("Afgehandeld", "Closed"),
            Status::Reopened => ("Heropend", "Reopened"),
            Status::Cancelled => ("Geannuleerd", "Cancelled"),
        };
        lang.t(nl, en)
    }

    /// Still to be handled: the service-level clock applies.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled)
    }

    /// A status that needs an explanation: closing says what was done, reopening why.
    pub fn needs_text(self) -> bool {
        matches!(self, Status::Closed | Status::Reopened)
    }

    /// Where a report may go from here.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Reported | Reopened => &[InProgress, OnHold, Closed, Cancelled],
            InProgress => &[OnHold, Closed, Cancelled],
            OnHold => &[InProgress, Closed, Cancelled],
            // A closed report may be reopened (the problem came back or was not solved).
            Closed => &[Reopened],
            // A cancelled report (duplicate, not ours, nonsense) stays cancelled: a new report is the way back.
            Cancelled => &[],
        }
    }
}

/// Longest text with a status change.
pub const MAX_STATUS_TEXT: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a report that is '{from}' cannot become '{to}'")]
    NotAllowed { from: &'static str, to: &'static str },
    #[error("'{0}' needs a text: say what was done or why")]
    TextRequired(&'static str),
    #[error("the text is longer than {MAX_STATUS_TEXT} characters")]
    TextTooLong,
}

/// Checks one status change. The text is trimmed by the caller.
pub fn transition(from: Status, to: Status, text: &str) -> Result<(), TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed { from: from.code(), to: to.code() });
    }
    if to.needs_text() && text.trim().is_empty() {
        return Err(TransitionError::TextRequired(to.code()));
    }
    if text.chars().count() > MAX_STATUS_TEXT {
        return Err(TransitionError::TextTooLong);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Service-level clock
// ---------------------------------------------------------------------------------------

/// Where a report stands against its service level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// The last working day on which handling is on time.
    pub due: Date,
    /// Working days spent on hold: they move the due date.
    pub paused_days: i64,
    /// Open and past its due date.
    pub overdue: bool,
    /// Working days left (negative: overdue by that many); `None` once closed or cancelled.
    pub days_left: Option<i64>,
}

/// The service-level clock of a report filed on `filed` with a level of `level_days`
/// working days, given its status changes in date order. Time on hold pauses the clock:
/// every working day from putting a report on hold up to taking it off moves the due date
/// by a day. Reopening does not restart the clock: the original problem was not solved.
pub fn clock(filed: Date, level_days: u32, changes: &[(Date, Status)], today: Date, rules: HolidayRules) -> Clock {
    let mut paused = 0i64;
    let mut hold_since: Option<Date> = None;
    let mut current = Status::Reported;
    for &(on, status) in changes {
        if let Some(since) = hold_since.take() {
            paused += working_days_between(since, on, rules);
        }
        if status == Status::OnHold {
            hold_since = Some(on);
        }
        current = status;
    }
    if let Some(since) = hold_since {
        paused += working_days_between(since, today.max(since), rules);
    }
    let due = deadline(filed, level_days + u32::try_from(paused).unwrap_or(0), DayCount::WorkingDays, rules);
    let open = current.is_open();
    // Overdue from the first working day after the due date: a weekend after a Friday
    // deadline does not make a report late before Monday has passed.
    let overdue = open && current != Status::OnHold && today > due && first_working_day_after(due, rules) <= today;
    let days_left = open.then(|| working_days_between(today, due, rules));
    Clock { due, paused_days: paused, overdue, days_left }
}

fn first_working_day_after(d: Date, rules: HolidayRules) -> Date {
    let mut x = d.add_days(1);
    while !is_working_day(x, rules) {
        x = x.add_days(1);
    }
    x
}

// ---------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------

pub const MAX_DESCRIPTION: usize = 2000;
pub const MIN_DESCRIPTION: usize = 10;
pub const MAX_NAME: usize = 100;
pub const MAX_EMAIL: usize = 254;
pub const MAX_LOCATION_NOTE: usize = 200;

/// A problem with one field, in both languages, for the form and for the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportFieldError)]
pub struct FieldError {
    pub field: &'static str,
    pub nl: String,
    pub en: String,
}

pub fn field_error(field: &'static str, nl: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError { field, nl: nl.into(), en: en.into() }
}

/// Control characters other than line breaks and tabs are refused: they hide text in
/// reports and some (NUL) cannot be stored in PostgreSQL.
fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// The description: required, between 10 and 2000 characters.
pub fn check_description(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let n = s.chars().count();
    if n < MIN_DESCRIPTION {
        return Err(field_error(
            "description",
            format!("Beschrijf wat er is, in minstens {MIN_DESCRIPTION} tekens."),
            format!("Describe what is wrong, in at least {MIN_DESCRIPTION} characters."),
        ));
    }
    if n > MAX_DESCRIPTION {
        return Err(field_error(
            "description",
            format!("De beschrijving is {n} tekens; het maximum is {MAX_DESCRIPTION}."),
            format!("The description is {n} characters; the maximum is {MAX_DESCRIPTION}."),
        ));
    }
    if has_control(s) {
        return Err(field_error(
            "description",
            "De beschrijving bevat onzichtbare stuurtekens; haal die weg.",
            "The description contains invisible control characters; remove them.",
        ));
    }
    Ok(s.to_string())
}

/// Any optional short text (name, location note): trimmed, capped, no control characters.
pub fn check_short(field: &'static str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max || has_control(s) {
        return Err(field_error(
            field,
            format!("Gebruik hooguit {max} gewone tekens."),
            format!("Use at most {max} ordinary characters."),
        ));
    }
    Ok(Some(s.to_string()))
}

/// An e-mail address: one @, a dot in the domain, no spaces; normalised to lower case.
pub fn check_email(raw: &str) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        field_error(
            "email",
            "Dit is geen e-mailadres zoals naam@voorbeeld.nl.",
            "This is not an e-mail address such as name@example.org.",
        )
    };
    if s.len() > MAX_EMAIL || s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
        return Err(bad());
    }
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain_ok {
        return Err(bad());
    }
    Ok(Some(s.to_lowercase()))
}

/// A phone number: digits with optional spaces, dashes, brackets and a leading +; 10 to 15
/// digits (06 12345678, +31 6 12345678). Normalised to the digits (with the +).
pub fn check_phone(raw: &str) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        field_error(
            "phone",
            "Dit is geen telefoonnummer zoals 06 12345678 of +31 6 12345678.",
            "This is not a phone number such as 06 12345678 or +31 6 12345678.",
        )
    };
    let plus = s.starts_with('+');
    let body = if plus { &s[1..] } else { s };
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')')) {
        return Err(bad());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !(10..=15).contains(&digits.len()) {
        return Err(bad());
    }
    Ok(Some(if plus { format!("+{digits}") } else { digits }))
}

/// Latitude and longitude: both or neither, within the Netherlands' rough box.
pub fn check_point(lat: Option<f64>, lon: Option<f64>) -> Result<Option<(f64, f64)>, FieldError> {
    match (lat, lon) {
        (None, None) => Ok(None),
        (Some(la), Some(lo))
            if la.is_finite() && lo.is_finite() && (50.0..=54.0).contains(&la) && (3.0..=8.0).contains(&lo) =>
        {
            Ok(Some((la, lo)))
        }
        _ => Err(field_error(
            "location",
            "Geef een punt in Nederland: breedtegraad (bijv. 52.3) én lengtegraad (bijv. 4.9).",
            "Give a point in the Netherlands: latitude (e.g. 52.3) and longitude (e.g. 4.9).",
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Photos
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PhotoKind {
    Jpeg,
    Png,
}

impl PhotoKind {
    pub fn mime(self) -> &'static str {
        match self {
            PhotoKind::Jpeg => "image/jpeg",
            PhotoKind::Png => "image/png",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is {size} bytes; the maximum is {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("only JPEG and PNG photos are accepted")]
    WrongType,
    #[error("the photo file is damaged or incomplete")]
    Damaged,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The kind of a photo by its first bytes (never by its name or the browser's word) and
/// its size against the cap.
pub fn check_photo(bytes: &[u8], max: usize) -> Result<PhotoKind, PhotoError> {
    if bytes.len() > max {
        return Err(PhotoError::TooLarge { size: bytes.len(), max });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(PhotoKind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Ok(PhotoKind::Png)
    } else {
        Err(PhotoError::WrongType)
    }
}

/// The photo without metadata: location, device, time, comments and colour profiles.
pub fn strip_metadata(bytes: &[u8], kind: PhotoKind) -> Result<Vec<u8>, PhotoError> {
    match kind {
        PhotoKind::Jpeg => strip_jpeg(bytes),
        PhotoKind::Png => strip_png(bytes),
    }
}

/// Copies a JPEG's segments up to the image data, dropping APP1–APP15 (EXIF, XMP, ICC,
/// Photoshop, …), APP0 segments other than JFIF, and comments (COM). The entropy-coded
/// data after SOS is copied as is.
fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, PhotoError> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err(PhotoError::WrongType);
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        // Fill bytes (0xFF runs) may precede a marker.
        while i + 1 < b.len() && b[i] == 0xFF && b[i + 1] == 0xFF {
            i += 1;
        }
        if i + 1 >= b.len() || b[i] != 0xFF {
            return Err(PhotoError::Damaged);
        }
        let marker = b[i + 1];
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&b[i..i + 2]);
                i += 2;
                continue;
            }
            _ => {}
        }
        if i + 4 > b.len() {
            return Err(PhotoError::Damaged);
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if len < 2 || i + 2 + len > b.len() {
            return Err(PhotoError::Damaged);
        }
        let segment = &b[i..i + 2 + len];
        if marker == 0xDA {
            // Start of scan: the rest is image data (and possibly more scans); keep it all.
            out.extend_from_slice(&b[i..]);
            return Ok(out);
        }
        let is_jfif = marker == 0xE0 && segment[4..].starts_with(b"JFIF\0");
        let drop = matches!(marker, 0xE0..=0xEF | 0xFE) && !is_jfif;
        if !drop {
            out.extend_from_slice(segment);
        }
        i += 2 + len;
    }
}

/// PNG chunks that carry text, time or EXIF: dropped. The image itself is in IHDR/IDAT.
const PNG_DROP: &[&[u8; 4]] = &[b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf", b"iCCP"];

fn strip_png(b: &[u8]) -> Result<Vec<u8>, PhotoError> {
    if !b.starts_with(PNG_SIGNATURE) {
        return Err(PhotoError::WrongType);
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let end = i.checked_add(12).and_then(|x| x.checked_add(len)).ok_or(PhotoError::Damaged)?;
        if end > b.len() {
            return Err(PhotoError::Damaged);
        }
        let kind = &b[i + 4..i + 8];
        if !PNG_DROP.iter().any(|d| &d[..] == kind) {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
    Err(PhotoError::Damaged)
}

// ---------------------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------------------

/// WGS84 (latitude, longitude) to RD New (EPSG:28992) metres, by the polynomial of
/// Schreutelkamp and Strang van Hees (accurate to about a metre in the Netherlands).
pub fn wgs84_to_rd(lat: f64, lon: f64) -> Point {
    let dp = 0.36 * (lat - 52.155_174_40);
    let dl = 0.36 * (lon - 5.387_206_21);
    let r: [(i32, i32, f64); 9] = [
        (0, 1, 190_094.945),
        (1, 1, -11_832.228),
        (2, 1, -114.221),
        (0, 3, -32.391),
        (1, 0, -0.705),
        (3, 1, -2.340),
        (1, 3, -0.608),
        (0, 2, -0.008),
        (2, 3, 0.148),
    ];
    let s: [(i32, i32, f64); 10] = [
        (1, 0, 309_056.544),
        (0, 2, 3_638.893),
        (2, 0, 73.077),
        (1, 2, -157.984),
        (3, 0, 59.788),
        (0, 1, 0.433),
        (2, 2, -6.439),
        (1, 1, -0.032),
        (0, 4, 0.092),
        (1, 4, -0.054),
    ];
    let x = 155_000.0 + r.iter().map(|(p, q, c)| c * dp.powi(*p) * dl.powi(*q)).sum::<f64>();
    let y = 463_000.0 + s.iter().map(|(p, q, c)| c * dp.powi(*p) * dl.powi(*q)).sum::<f64>();
    [x, y]
}

/// RD New metres to WGS84 (latitude, longitude); the inverse polynomial.
pub fn rd_to_wgs84(p: Point) -> (f64, f64) {
    let dx = (p[0] - 155_000.0) * 1e-5;
    let dy = (p[1] - 463_000.0) * 1e-5;
    let k: [(i32, i32, f64); 11] = [
        (0, 1, 3_235.653_89),
        (2, 0, -32.582_97),
        (0, 2, -0.247_50),
        (2, 1, -0.849_78),
        (0, 3, -0.065_50),
        (2, 2, -0.017_09),
        (1, 0, -0.007_38),
        (4, 0, 0.005_30),
        (2, 3, -0.000_39),
        (4, 1, 0.000_33),
        (1, 1, -0.000_12),
    ];
    let l: [(i32, i32, f64); 12] = [
        (1, 0, 5_260.529_16),
        (1, 1, 105.946_84),
        (1, 2, 2.456_56),
        (3, 0, -0.818_85),
        (1, 3, 0.055_94),
        (3, 1, -0.056_07),
        (0, 1, 0.011_99),
        (3, 2, -0.002_56),
        (1, 4, 0.001_28),
        (0, 2, 0.000_22),
        (2, 0, -0.000_22),
        (5, 0, 0.000_26),
    ];
    let lat = 52.155_174_40 + k.iter().map(|(p, q, c)| c * dx.powi(*p) * dy.powi(*q)).sum::<f64>() / 3600.0;
    let lon = 5.387_206_21 + l.iter().map(|(p, q, c)| c * dx.powi(*p) * dy.powi(*q)).sum::<f64>() / 3600.0;
    (lat, lon)
}

/// Even-odd ray casting over one ring.
fn in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The point lies in the shape: inside an outer ring and outside that polygon's holes.
pub fn contains(shape: &Shape, p: Point) -> bool {
    shape.polygons.iter().any(|poly| {
        let mut rings = poly.iter();
        rings.next().is_some_and(|outer| in_ring(p, outer)) && !rings.any(|hole| in_ring(p, hole))
    })
}

/// The point (latitude, longitude) in the coordinates of the shape: RD New metres unless
/// the shape itself is in degrees.
pub fn point_for(shape: &Shape, lat: f64, lon: f64) -> Point {
    match shape.bbox() {
        Some(b) if b.is_geographic() => [lon, lat],
        _ => wgs84_to_rd(lat, lon),
    }
}

/// Metres between two points (latitude, longitude), haversine on a sphere.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// Another report is "similar nearby" when it has the same top category, is still open or
/// was filed in the last `weeks` weeks, and lies within `radius_m` metres — or, when either
/// has no point (filed by address), in the same buurt.
#[allow(clippy::too_many_arguments)]
pub fn is_similar(
    top: &str,
    buurt: &str,
    point: Option<(f64, f64)>,
    other_top: &str,
    other_buurt: &str,
    other_point: Option<(f64, f64)>,
    other_filed: Date,
    today: Date,
    radius_m: f64,
    weeks: u32,
) -> bool {
    if top != other_top || other_filed < today.add_days(-7 * i64::from(weeks)) {
        return false;
    }
    match (point, other_point) {
        (Some(a), Some(b)) => distance_m(a, b) <= radius_m,
        _ => buurt == other_buurt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    const RULES: HolidayRules = HolidayRules { good_friday: false, liberation_day_every_year: true };

    #[test]
    fn category_codes_are_unique_and_prefixed_by_their_top() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CATEGORIES {
            assert!(seen.insert(c.code), "{}", c.code);
            assert!(!c.subs.is_empty());
            for s in c.subs {
                assert!(seen.insert(s.code), "{}", s.code);
                assert!(s.code.starts_with(&format!("{}.", c.code)));
                assert_eq!(find_sub(s.code).map(|(t, _)| t.code), Some(c.code));
            }
        }
        let tops: Vec<&str> = CATEGORIES.iter().map(|c| c.code).collect();
        assert_eq!(tops, ["overlast", "verval", "onveilig", "woning", "groen", "overig"]);
        assert!(find_sub("overlast").is_none(), "a top category is not a subcategory");
        assert!(find_top("groen").is_some());
    }

    #[test]
    fn every_transition_is_checked_exhaustively() {
        use Status::*;
        let allowed: &[(Status, Status)] = &[
            (Reported, InProgress),
            (Reported, OnHold),
            (Reported, Closed),
            (Reported, Cancelled),
            (InProgress, OnHold),
            (InProgress, Closed),
            (InProgress, Cancelled),
            (OnHold, InProgress),
            (OnHold, Closed),
            (OnHold, Cancelled),
            (Closed, Reopened),
            (Reopened, InProgress),
            (Reopened, OnHold),
            (Reopened, Closed),
            (Reopened, Cancelled),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                let ok = allowed.contains(&(from, to));
                let with_text = transition(from, to, "Opgeruimd door de buitendienst.");
                assert_eq!(with_text.is_ok(), ok, "{from:?} -> {to:?}");
                let without = transition(from, to, "  ");
                if ok && to.needs_text() {
                    assert_eq!(without, Err(TransitionError::TextRequired(to.code())));
                } else if ok {
                    assert_eq!(without, Ok(()));
                } else {
                    assert!(matches!(without, Err(TransitionError::NotAllowed { .. })));
                }
            }
        }
        assert_eq!(transition(InProgress, Closed, &"x".repeat(MAX_STATUS_TEXT + 1)), Err(TransitionError::TextTooLong));
        assert!(Cancelled.next().is_empty(), "cancelled is final");
    }

    #[test]
    fn status_codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert_eq!(Status::parse("done"), None);
    }

    #[test]
    fn clock_counts_working_days_over_a_weekend() {
        // Filed Thursday 2026-11-19, 3 working days: Fri, Mon, Tue → due Tuesday 24th.
        let c = clock(d("2026-11-19"), 3, &[], d("2026-11-24"), RULES);
        assert_eq!(c.due, d("2026-11-24"));
        assert!(!c.overdue, "due today is not late");
        assert_eq!(c.days_left, Some(0));
        let c = clock(d("2026-11-19"), 3, &[], d("2026-11-25"), RULES);
        assert!(c.overdue);
        assert_eq!(c.days_left, Some(-1));
        // The weekend does not count: on Saturday the 21st one working day has passed.
        let c = clock(d("2026-11-19"), 3, &[], d("2026-11-21"), RULES);
        assert_eq!(c.days_left, Some(2));
    }

    #[test]
    fn clock_skips_christmas_and_new_year() {
        // Filed Wednesday 2026-12-23 with 5 working days: 24 (Thu), [25, 26 holidays; 27
        // Sunday], 28, 29, 30, 31 → due Thursday 31 December. New Year's Day 2027 is a
        // Friday and a holiday, then a weekend: the report is late from Monday 4 January.
        let c = clock(d("2026-12-23"), 5, &[], d("2027-01-01"), RULES);
        assert_eq!(c.due, d("2026-12-31"));
        assert!(!c.overdue, "New Year's Day and the weekend are not working days");
        assert!(!clock(d("2026-12-23"), 5, &[], d("2027-01-03"), RULES).overdue);
        assert!(clock(d("2026-12-23"), 5, &[], d("2027-01-04"), RULES).overdue);
    }

    #[test]
    fn time_on_hold_pauses_the_clock() {
        let filed = d("2026-11-02"); // Monday
        let changes = [(d("2026-11-03"), Status::InProgress), (d("2026-11-04"), Status::OnHold)];
        // On hold since Wednesday; on Monday the 16th that is 8 working days (Thu 5 .. Mon 16).
        let c = clock(filed, 5, &changes, d("2026-11-16"), RULES);
        assert_eq!(c.paused_days, 8);
        assert_eq!(c.due, deadline(filed, 13, DayCount::WorkingDays, RULES));
        assert!(!c.overdue, "on hold is never overdue");
        // Taken off hold on Wednesday 11th: 5 working days paused; due moves by 5.
        let resumed = [changes[0], changes[1], (d("2026-11-11"), Status::InProgress)];
        let c = clock(filed, 5, &resumed, d("2026-11-20"), RULES);
        assert_eq!(c.paused_days, 5);
        assert_eq!(c.due, d("2026-11-16"));
        assert!(c.overdue);
        // Closed: never overdue, no days left.
        let closed = [changes[0], (d("2026-11-05"), Status::Closed)];
        let c = clock(filed, 5, &closed, d("2026-12-20"), RULES);
        assert!(!c.overdue);
        assert_eq!(c.days_left, None);
    }

    #[test]
    fn clock_skips_kings_day() {
        // 2027-04-27 is a Tuesday (Koningsdag). Filed Monday 26th with 1 working day: due Wednesday 28th.
        assert_eq!(clock(d("2027-04-26"), 1, &[], d("2027-04-26"), RULES).due, d("2027-04-28"));
    }

    #[test]
    fn descriptions_and_contacts_are_checked() {
        assert!(check_description("kort").is_err());
        assert_eq!(
            check_description("  Kapotte lantaarnpaal bij de speeltuin  ").as_deref(),
            Ok("Kapotte lantaarnpaal bij de speeltuin")
        );
        assert!(check_description(&"a".repeat(MAX_DESCRIPTION + 1)).is_err());
        assert!(check_description(&"a".repeat(MAX_DESCRIPTION)).is_ok());
        assert!(check_description("tekst met \u{0} nul erin").is_err());
        assert_eq!(check_email(" Iemand@Voorbeeld.NL ").expect("valid"), Some("iemand@voorbeeld.nl".into()));
        for bad in ["iemand", "iemand@", "@voorbeeld.nl", "a@b", "a b@c.nl", "a@b..nl", "a@@b.nl", "<a@b.nl>"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert_eq!(check_email("").expect("valid"), None);
        assert_eq!(check_phone("06 1234 5678").expect("valid"), Some("0612345678".into()));
        assert_eq!(check_phone("+31 (6) 12345678").expect("valid"), Some("+31612345678".into()));
        for bad in ["12345", "06-abc", "0612345678901234567", "+"] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
        assert!(check_short("name", &"n".repeat(MAX_NAME + 1), MAX_NAME).is_err());
        assert_eq!(check_point(Some(52.3), None).map_err(|e| e.field), Err("location"));
        assert!(check_point(Some(40.0), Some(4.0)).is_err(), "outside the Netherlands");
        assert_eq!(check_point(Some(52.3), Some(4.9)).expect("valid"), Some((52.3, 4.9)));
    }

    fn jpeg_with_metadata() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        // APP0 JFIF (kept)
        v.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        v.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        // APP1 EXIF with a GPS-ish payload (dropped)
        let exif = b"Exif\0\0GPS 52.3N 4.9E";
        v.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
        v.extend_from_slice(exif);
        // APP2 ICC (dropped)
        v.extend_from_slice(&[0xFF, 0xE2, 0x00, 0x06, b'I', b'C', b'C', b'_']);
        // COM (dropped)
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x07, b'h', b'a', b'l', b'l', b'o']);
        // DQT (kept)
        v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        // SOS and data
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        v
    }

    #[test]
    fn jpeg_metadata_is_removed_and_the_image_kept() {
        let src = jpeg_with_metadata();
        assert_eq!(check_photo(&src, 10_000), Ok(PhotoKind::Jpeg));
        let out = strip_metadata(&src, PhotoKind::Jpeg).expect("strip");
        let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(!has(&out, b"Exif"));
        assert!(!has(&out, b"GPS"));
        assert!(!has(&out, b"ICC_"));
        assert!(!has(&out, b"hallo"));
        assert!(has(&out, b"JFIF"));
        assert!(has(&out, &[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]));
        assert!(out.ends_with(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        // Stripping is idempotent.
        assert_eq!(strip_metadata(&out, PhotoKind::Jpeg).expect("again"), out);
        // A truncated file is refused, not half-copied.
        assert_eq!(strip_metadata(&src[..20], PhotoKind::Jpeg), Err(PhotoError::Damaged));
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by the stripper
        v
    }

    #[test]
    fn png_text_time_and_exif_are_removed() {
        let mut src = PNG_SIGNATURE.to_vec();
        src.extend(chunk(b"IHDR", &[0; 13]));
        src.extend(chunk(b"tEXt", b"Author\0Jan (fictief)"));
        src.extend(chunk(b"tIME", &[7, 234, 11, 24, 3, 0, 0]));
        src.extend(chunk(b"eXIf", b"MM\0*GPS"));
        src.extend(chunk(b"IDAT", &[1, 2, 3]));
        src.extend(chunk(b"IEND", &[]));
        assert_eq!(check_photo(&src, 10_000), Ok(PhotoKind::Png));
        let out = strip_metadata(&src, PhotoKind::Png).expect("strip");
        let mut want = PNG_SIGNATURE.to_vec();
        want.extend(chunk(b"IHDR", &[0; 13]));
        want.extend(chunk(b"IDAT", &[1, 2, 3]));
        want.extend(chunk(b"IEND", &[]));
        assert_eq!(out, want);
        assert_eq!(strip_metadata(&src[..src.len() - 6], PhotoKind::Png), Err(PhotoError::Damaged));
    }

    #[test]
    fn photos_are_checked_by_magic_bytes_and_size() {
        assert_eq!(check_photo(b"GIF89a....", 100), Err(PhotoError::WrongType));
        assert_eq!(check_photo(b"<svg onload=alert(1)>", 100), Err(PhotoError::WrongType));
        assert_eq!(check_photo(&[0xFF, 0xD8, 0xFF, 0xE0], 3), Err(PhotoError::TooLarge { size: 4, max: 3 }));
    }

    #[test]
    fn rd_conversion_round_trips_and_hits_amersfoort() {
        let p = wgs84_to_rd(52.155_174_40, 5.387_206_21);
        assert!((p[0] - 155_000.0).abs() < 0.01 && (p[1] - 463_000.0).abs() < 0.01);
        let (lat, lon) = rd_to_wgs84([120_450.0, 480_450.0]);
        let back = wgs84_to_rd(lat, lon);
        assert!((back[0] - 120_450.0).abs() < 1.0 && (back[1] - 480_450.0).abs() < 1.0, "{back:?}");
    }

    #[test]
    fn point_in_polygon_respects_holes() {
        let outer = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]];
        let hole = vec![[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]];
        let shape = Shape { polygons: vec![vec![outer, hole]] };
        assert!(contains(&shape, [1.0, 1.0]));
        assert!(!contains(&shape, [5.0, 5.0]), "in the hole");
        assert!(!contains(&shape, [11.0, 5.0]));
    }

    #[test]
    fn similar_reports_need_the_same_top_category_nearby_and_recent() {
        let today = d("2026-11-24");
        let a = Some((52.30, 4.90));
        let near = Some((52.301, 4.90)); // about 111 m north
        let far = Some((52.31, 4.90));
        assert!(is_similar("verval", "BU1", a, "verval", "BU2", near, today, today, 250.0, 4));
        assert!(!is_similar("verval", "BU1", a, "groen", "BU1", near, today, today, 250.0, 4));
        assert!(!is_similar("verval", "BU1", a, "verval", "BU1", far, today, today, 250.0, 4));
        assert!(!is_similar("verval", "BU1", a, "verval", "BU1", near, d("2026-10-01"), today, 250.0, 4));
        assert!(is_similar("verval", "BU1", None, "verval", "BU1", near, today, today, 250.0, 4), "same buurt");
        let m = distance_m((52.30, 4.90), (52.301, 4.90));
        assert!((m - 111.2).abs() < 1.0, "{m}");
    }

    proptest! {
        #[test]
        fn due_date_is_a_working_day_and_never_before_the_plain_deadline(
            days in 0i64..3000, level in 1u32..20, hold in 0i64..30, wait in 0i64..60
        ) {
            let filed = Date::parse("2025-01-01").expect("date").add_days(days);
            let on_hold = filed.add_days(1);
            let today = on_hold.add_days(hold);
            let c = clock(filed, level, &[(on_hold, Status::OnHold)], today, RULES);
            prop_assert!(is_working_day(c.due, RULES));
            prop_assert!(c.due >= deadline(filed, level, DayCount::WorkingDays, RULES));
            prop_assert!(!c.overdue);
            let plain = clock(filed, level, &[], filed.add_days(wait), RULES);
            prop_assert_eq!(plain.overdue, plain.days_left.is_some_and(|l| l < 0) && filed.add_days(wait) > plain.due);
        }

        #[test]
        fn stripping_never_panics_on_arbitrary_input(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF];
            jpeg.extend_from_slice(&bytes);
            let _ = strip_metadata(&jpeg, PhotoKind::Jpeg);
            let mut png = PNG_SIGNATURE.to_vec();
            png.extend_from_slice(&bytes);
            let _ = strip_metadata(&png, PhotoKind::Png);
        }
    }
}
