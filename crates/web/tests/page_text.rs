//! Every page speaks to people, not to the database (issue 17). A crawler signs in as every
//! demo role (and as the public), follows the links a person could click, and renders one
//! page of each page type in Dutch and in English. The visible text of each page must hold
//! no raw enum value (`joint_plan`), no organisation slug (`wv-ggz`), no area code without
//! its name, no ISO date, no decimal in the other language's style, and, in English, no
//! Dutch sentence of the message catalogue (and in Dutch no English one).
//!
//! What counts as visible: the text between tags, outside `script`/`style`, and outside
//! elements meant to show a code to professionals (`<code>`, `<kbd>`, `<pre>`, and
//! `class="code"` / `class="muted code"`, the secondary code beside a name).

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::OnceLock;

use axum::http::{Method, StatusCode};
use axum::Router;
use common::{login, send};
use leefwijk_app::testing::{backend_urls, full_demo_app};
use regex::Regex;

const ROLES: &[Option<&str>] = &[
    None,
    Some("wijkteam"),
    Some("regisseur"),
    Some("corporatie"),
    Some("ggz"),
    Some("privacy"),
    Some("beleid"),
    Some("beheer"),
];

const MAX_PAGES_PER_ROLE: usize = 90;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

/// The page type of a path: ids, numbers and area codes folded (as the browser crawl does).
fn page_type(path: &str) -> String {
    static CODE: OnceLock<Regex> = OnceLock::new();
    let code = CODE.get_or_init(|| re(r"^(?i)(GM|WK|BU|PV)\d+$"));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            if code.is_match(s) {
                format!("{{{}}}", s[..2].to_ascii_uppercase())
            } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "{n}".to_string()
            } else if s.len() > 6 && s.chars().any(|c| c.is_ascii_digit()) {
                "{id}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let mut keys: Vec<&str> =
        query.split('&').filter(|kv| !kv.is_empty()).map(|kv| kv.split('=').next().unwrap_or(kv)).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        segments.join("/")
    } else {
        format!("{}?{}", segments.join("/"), keys.join("&"))
    }
}

/// Links that are not pages a person reads: downloads, the API, assets, language switches.
fn skip(path: &str) -> bool {
    let bare = path.split('?').next().unwrap_or(path);
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    !path.starts_with('/')
        || path.starts_with("//")
        || bare.starts_with("/api/")
        || bare.starts_with("/assets/")
        || bare.starts_with("/melden/kaart/")
        || bare == "/uitloggen"
        || [".csv", ".json", ".geojson", ".svg", ".png", ".pdf", ".zip"].iter().any(|e| bare.ends_with(e))
        || bare.split('/').any(|s| matches!(s, "export" | "download" | "csv"))
        || query.split('&').any(|kv| kv.starts_with("lang=") || kv.starts_with("formaat=") || kv.starts_with("format="))
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&#160;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The text a person sees, with the code elements meant for professionals taken out, and
/// the parts marked as written in the other language (`lang="nl"` on an English page:
/// residents' and partners' own words, which are shown as they were written).
fn visible_text_in(html: &str, lang: Lang) -> String {
    let other = if lang == Lang::En { "nl" } else { "en" };
    let mut html = html.to_string();
    for tag in [
        "span",
        "q",
        "p",
        "td",
        "th",
        "dd",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "legend",
        "label",
        "option",
        "strong",
        "em",
    ] {
        let marked = re(&format!(r#"(?s)<{tag}\b[^>]*\blang="{other}"[^>]*>.*?</{tag}>"#));
        html = marked.replace_all(&html, " ").into_owned();
    }
    visible_text(&html)
}

/// The text a person sees, with the code elements meant for professionals taken out.
fn visible_text(html: &str) -> String {
    static STRIP: OnceLock<Vec<Regex>> = OnceLock::new();
    let strip = STRIP.get_or_init(|| {
        vec![
            re(r"(?s)<script\b.*?</script>"),
            re(r"(?s)<style\b.*?</style>"),
            re(r"(?s)<head\b.*?</head>"),
            re(r"(?s)<(code|kbd|pre|samp)\b.*?</(code|kbd|pre|samp)>"),
            re(r#"(?s)<(span|small|td|th|dd)\b[^>]*class="[^"]*\bcode\b[^"]*"[^>]*>.*?</(span|small|td|th|dd)>"#),
            re(r"(?s)<!--.*?-->"),
            re(r"(?s)<[^>]*>"),
        ]
    });
    let mut text = html.to_string();
    for r in strip {
        text = r.replace_all(&text, " ").into_owned();
    }
    let text = decode_entities(&text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message catalogue: every `t("Dutch", "English")` pair in the templates and the web
/// layer's sources, where the two differ enough to tell the languages apart.
fn catalogue() -> Vec<(String, String)> {
    let pair = re(r#"\bt\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)"#);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                files.push(path);
            }
        }
    }
    let mut pairs = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for c in pair.captures_iter(&source) {
            let (nl, en) = (c[1].replace("\\\"", "\""), c[2].replace("\\\"", "\""));
            let (nl, en) = (nl.trim().to_string(), en.trim().to_string());
            // Too short or shared words tell nothing about the language ("API", "Panels").
            let distinct = |a: &str, b: &str| a.len() >= 12 && a.contains(' ') && !b.contains(a) && !a.contains('{');
            if distinct(&nl, &en) || distinct(&en, &nl) {
                pairs.insert((nl, en));
            }
        }
    }
    assert!(pairs.len() > 200, "the catalogue found only {} message pairs", pairs.len());
    pairs.into_iter().collect()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Nl,
    En,
}

struct Checks {
    iso_date: Regex,
    point_decimal: Regex,
    comma_decimal: Regex,
    snake_enum: Regex,
    area_code: Regex,
    slugs: Vec<String>,
    catalogue: Vec<(String, String)>,
}

impl Checks {
    fn new(slugs: Vec<String>) -> Self {
        Checks {
            iso_date: re(r"\b\d{4}-\d{2}-\d{2}\b"),
            // A decimal point in Dutch text: one or two digits after the point (three are
            // thousands), not a version ("WCAG 2.1", "EUPL-1.2") or a time ("14.30 uur").
            point_decimal: re(r"(^|[^\w.\-])(\d+)\.(\d{1,2})([^\w.]|$)"),
            comma_decimal: re(r"(^|[^\w,])(\d+),(\d{1,2})([^\w,]|$)"),
            snake_enum: re(r"\b[a-z]{2,}(_[a-z0-9]+)+\b"),
            area_code: re(r"\b(GM|WK|BU)\d{4,8}\b"),
            slugs,
            catalogue: catalogue(),
        }
    }

    fn problems(&self, text: &str, lang: Lang) -> Vec<String> {
        let mut found = Vec::new();
        let around = |start: usize, end: usize| {
            let from = text[..start].char_indices().rev().nth(40).map(|(i, _)| i).unwrap_or(0);
            let to = text[end..].char_indices().nth(40).map(|(i, _)| end + i).unwrap_or(text.len());
            text[from..to].to_string()
        };
        for m in self.iso_date.find_iter(text) {
            found.push(format!("ISO date {:?} in “{}”", m.as_str(), around(m.start(), m.end())));
        }
        let decimal = if lang == Lang::Nl { &self.point_decimal } else { &self.comma_decimal };
        for c in decimal.captures_iter(text) {
            let whole = c.get(0).map(|m| (m.start(), m.end())).unwrap_or_default();
            let before = &text[..whole.0 + c.get(1).map(|m| m.len()).unwrap_or(0)];
            let version = ["WCAG ", "EUPL-", "CC BY ", "versie ", "version ", "v", "ADR ", "OAS ", "OpenAPI "]
                .iter()
                .any(|p| before.ends_with(p));
            if !version {
                found.push(format!("decimal in the wrong style in “{}”", around(whole.0, whole.1)));
            }
        }
        for m in self.snake_enum.find_iter(text) {
            found.push(format!("raw value {:?} in “{}”", m.as_str(), around(m.start(), m.end())));
        }
        for m in self.area_code.find_iter(text) {
            found.push(format!(
                "area code {:?} shown without its name in “{}”",
                m.as_str(),
                around(m.start(), m.end())
            ));
        }
        for slug in &self.slugs {
            let slug_re = re(&format!(r"(^|[\s(,]){}([\s),.]|$)", regex::escape(slug)));
            if let Some(m) = slug_re.find(text) {
                found.push(format!("organisation slug {slug:?} in “{}”", around(m.start(), m.end())));
            }
        }
        for (nl, en) in &self.catalogue {
            let (other, mine) = if lang == Lang::En { (nl, en) } else { (en, nl) };
            if other.len() >= 12
                && other.contains(' ')
                && !mine.contains(other.as_str())
                && text.contains(other.as_str())
            {
                found.push(format!(
                    "{} text in a {lang:?} page: “{other}”",
                    if lang == Lang::En { "Dutch" } else { "English" }
                ));
            }
        }
        found
    }
}

fn links(html: &str) -> Vec<String> {
    static HREF: OnceLock<Regex> = OnceLock::new();
    let href = HREF.get_or_init(|| re(r#"<a\b[^>]*\bhref="([^"]+)""#));
    href.captures_iter(html).map(|c| decode_entities(&c[1]).split('#').next().unwrap_or_default().to_string()).collect()
}

async fn crawl(
    router: &Router,
    checks: &Checks,
    user: Option<&str>,
    lang: Lang,
) -> (BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let session = match user {
        Some(u) => Some(login(router, u).await.cookie()),
        None => None,
    };
    let cookie = match (&session, lang) {
        (Some(s), Lang::En) => format!("{s}; lang=en"),
        (Some(s), Lang::Nl) => format!("{s}; lang=nl"),
        (None, Lang::En) => "lang=en".to_string(),
        (None, Lang::Nl) => "lang=nl".to_string(),
    };
    let start = if user.is_some() { "/werk" } else { "/" };
    let mut queue = VecDeque::from([start.to_string()]);
    let mut seen = BTreeSet::new();
    let mut problems = BTreeMap::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited >= MAX_PAGES_PER_ROLE {
            break;
        }
        if !seen.insert(page_type(&path)) {
            continue;
        }
        visited += 1;
        let reply = send(router, Method::GET, &path, &[("cookie", &cookie)], None).await;
        assert!(reply.status.as_u16() < 500, "{user:?} {lang:?} GET {path}: {} {}", reply.status, reply.body);
        if reply.status == StatusCode::SEE_OTHER || !reply.content_type().starts_with("text/html") {
            continue;
        }
        let found = checks.problems(&visible_text_in(&reply.body, lang), lang);
        if !found.is_empty() {
            problems.insert(format!("{lang:?} {} {path}", user.unwrap_or("public")), found);
        }
        for link in links(&reply.body) {
            if !skip(&link) && !seen.contains(&page_type(&link)) {
                queue.push_back(link);
            }
        }
    }
    (problems, seen)
}

#[tokio::test]
async fn every_page_shows_names_and_dutch_formats_in_both_languages() {
    // Rendering does not depend on the database; the whole demo on SQLite is enough here
    // (the per-capability tests run both backends).
    let url = backend_urls().into_iter().next().expect("a backend");
    let app = full_demo_app(&url).await;
    let slugs: Vec<String> = leefwijk_store::testing::raw_strings(&app.store, "SELECT id FROM organisations")
        .await
        .expect("organisation ids")
        .into_iter()
        .filter(|s| s.contains('-'))
        .collect();
    assert!(!slugs.is_empty(), "the demo has organisations with slugs");
    let checks = Checks::new(slugs);
    let router = leefwijk_web::router(app.clone());
    let mut all = BTreeMap::new();
    let mut pages = 0;
    for lang in [Lang::Nl, Lang::En] {
        for user in ROLES {
            let (problems, seen) = crawl(&router, &checks, *user, lang).await;
            let visited = seen.len();
            assert!(visited >= 6, "{user:?} {lang:?}: the crawl reached only {visited} page types");
            // The publications every page's footer links (issue 20) are read by everyone.
            for public in ["/toegankelijkheid", "/openbaar/convenant"] {
                assert!(seen.contains(public), "{user:?} {lang:?}: the crawl reaches {public}");
            }
            pages += visited;
            all.extend(problems);
        }
    }
    let report: Vec<String> =
        all.iter().map(|(page, found)| format!("{page}:\n  - {}", found.join("\n  - "))).collect();
    assert!(all.is_empty(), "{} of {pages} pages show codes or foreign formats:\n{}", all.len(), report.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let checks = Checks {
        catalogue: vec![("Er is niets opgeslagen".into(), "Nothing was stored".into())],
        ..Checks::new(vec!["wv-ggz".into()])
    };
    let bad_nl = "Status: joint_plan sinds 2026-03-01, aandeel 0.4 bij wv-ggz in WK990101. Nothing was stored";
    let found = checks.problems(bad_nl, Lang::Nl);
    assert_eq!(found.len(), 6, "{found:#?}");
    assert!(checks
        .problems("Centrum, aandeel 0,4 en 12.345 huishoudens, WCAG 2.1, 14 december 2026", Lang::Nl)
        .is_empty());
    assert_eq!(checks.problems("share 0,4 and Er is niets opgeslagen", Lang::En).len(), 2);
    assert!(checks.problems("share 0.4 of 12,345 households", Lang::En).is_empty());
    assert_eq!(
        visible_text(r#"<p>Centrum <span class="muted code">WK990101</span></p><script>x_y</script>"#),
        "Centrum"
    );
    assert_eq!(page_type("/gebied/WK990101?indicator=x&lang=en"), "/gebied/{WK}?indicator&lang");
    assert_eq!(page_type("/plan/12"), "/plan/{n}");
}
