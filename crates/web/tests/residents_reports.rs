//! Public-space reports end to end, on SQLite and PostgreSQL: a resident files a report
//! without an account (JSON, the no-JavaScript form and multipart with a photo), it is
//! routed to the right organisation by area and category, staff move it through the status
//! machine (refused moves included), the list marks it overdue only after the weekend and
//! New Year's Day have passed, the reporter follows it through the private link and
//! answers the satisfaction question once, and contact details are anonymised after the
//! term. Size and rate limits, and escaping of what residents type, are checked too.

mod common;

use axum::http::{Method, StatusCode};
use base64::Engine;
use common::{form, login, send, Reply};
use leefwijk_app::households::notify::MailSender;
use leefwijk_app::residents::reports::{anonymise_contacts, ReportsConfig};
use leefwijk_app::residents::ResidentsConfig;
use leefwijk_app::signals::SignalsConfig;
use leefwijk_app::testing::{backend_urls, demo_app};
use leefwijk_app::App;
use leefwijk_domain::calendar::Date;
use leefwijk_store::ReportRouteRecord;

fn day(s: &str) -> Date {
    Date::parse(s).expect("date")
}

fn at(app: &App, today: &str) -> App {
    app.clone().with_signals(SignalsConfig { fixed_today: Some(day(today)), ..SignalsConfig::default() })
}

/// A tiny JPEG with EXIF (a fake GPS position) and a comment.
fn jpeg_with_exif() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    let exif = b"Exif\0\0GPS 52.3N 4.9E";
    v.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
    v.extend_from_slice(exif);
    v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x07, b'h', b'a', b'l', b'l', b'o']);
    v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00, 0x12, 0x34, 0xFF, 0xD9]);
    v
}

async fn setup(app: &App) {
    app.store.put_postcode_areas(&leefwijk_app::demo::demo_postcodes()).await.expect("postcodes");
    let rules = [
        ("r1", "GM9901", None, "wv-gemeente"),
        ("r2", "GM9901", Some("woning"), "wv-corporatie"),
        // More specific area and category: green space in wijk 02 goes to the wijkteam.
        ("r3", "WK990102", Some("groen"), "wv-wijkteam"),
    ];
    for (id, area, category, org) in rules {
        app.store
            .add_report_route(&ReportRouteRecord {
                id: id.into(),
                tenant_id: leefwijk_app::demo::DEMO_TENANT.into(),
                area_code: area.into(),
                category: category.map(String::from),
                organisation_id: org.into(),
                created_at: 1,
            })
            .await
            .expect("route");
    }
}

async fn file_json(r: &axum::Router, body: serde_json::Value) -> Reply {
    send(r, Method::POST, "/api/v1/reports", &[("content-type", "application/json")], Some(body.to_string())).await
}

fn multipart(fields: &[(&str, &str)], photo: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----leefwijk-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some(p) = photo {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"x.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(p);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_bytes(r: &axum::Router, uri: &str, content_type: &str, body: Vec<u8>) -> Reply {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .expect("request");
    let response = r.clone().oneshot(req).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 20 * 1024 * 1024).await.expect("body");
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn token_of(location: &str) -> String {
    location.trim_start_matches("/melding/").split('?').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn report_from_filing_to_anonymisation() {
    for url in backend_urls() {
        let base = demo_app(&url).await;
        setup(&base).await;
        // Wednesday 23 December 2026: Christmas, a weekend and New Year's Day follow.
        let mail_dir = std::env::temp_dir().join(format!("leefwijk-reports-mail-{}", std::process::id()));
        std::fs::create_dir_all(&mail_dir).expect("mail dir");
        let mail = mail_dir.join(format!("{}.jsonl", base.store.backend().name()));
        let _ = std::fs::remove_file(&mail);
        let app = at(&base, "2026-12-23").with_mail(MailSender::File { path: mail.clone() });
        let r = leefwijk_web::router(app.clone());

        // --- Filing through the JSON API, with an injected script and a photo with EXIF.
        let photo = base64::engine::general_purpose::STANDARD.encode(jpeg_with_exif());
        let filed = file_json(
            &r,
            serde_json::json!({
                "category": "verval.zwerfafval",
                "postcode": "9110 ab",
                "house_number": 12,
                "description": "Zakken afval <script>alert('x')</script> naast de container.",
                "email": "melder@voorbeeld.nl",
                "photo_base64": photo,
            }),
        )
        .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{url}: {}", filed.body);
        let f = filed.json();
        let token = f["token"].as_str().expect("token").to_string();
        let id = f["id"].as_str().expect("id").to_string();
        assert_eq!(token.len(), 64);
        assert_eq!(f["buurt_code"], "BU99010101");
        assert_eq!(f["organisation"], "Gemeente Wijkerveen (fictief)");
        // 5 working days from Wednesday 23 December: 24, 28, 29, 30, 31.
        assert_eq!(f["due"], "2026-12-31");
        // The status link goes to the reporter's e-mail address: the only copy outside the browser.
        let sent = std::fs::read_to_string(&mail).expect("mail file");
        let first: serde_json::Value = serde_json::from_str(sent.lines().next().expect("a mail")).expect("json");
        assert_eq!(first["to"], "melder@voorbeeld.nl");
        assert!(first["body"].as_str().unwrap_or_default().contains(&format!("/melding/{token}")));

        // --- Routing by area and category: most specific area, category before all.
        let route_of = |category: &str, postcode: &str| {
            serde_json::json!({"category": category, "postcode": postcode, "house_number": 1,
                "description": "Iets dat opgelost moet worden in de buurt."})
        };
        for (category, postcode, org) in [
            ("woning.portiek", "9110AB", "Woonstichting Veenland (fictief)"),
            ("groen.boom", "9210AB", "Sociaal Wijkteam Wijkerveen (fictief)"),
            ("groen.boom", "9110AB", "Gemeente Wijkerveen (fictief)"),
        ] {
            let reply = file_json(&r, route_of(category, postcode)).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            assert_eq!(reply.json()["organisation"], org, "{category} at {postcode}");
        }
        // A point on the map is placed in its buurt by the boundaries (RD New).
        let (lat, lon) = leefwijk_domain::residents::reports::rd_to_wgs84([120_450.0, 480_450.0]);
        let by_point = file_json(
            &r,
            serde_json::json!({"category": "overlast.geluid", "lat": lat, "lon": lon,
                "description": "Harde muziek elke nacht bij het plein."}),
        )
        .await;
        assert_eq!(by_point.status, StatusCode::CREATED, "{}", by_point.body);
        assert_eq!(by_point.json()["buurt_code"], "BU99010101");
        // Unknown place and invalid input: per-field problems, nothing stored.
        let outside = file_json(&r, route_of("verval.graffiti", "1011AB")).await;
        assert_eq!(outside.status, StatusCode::BAD_REQUEST);
        assert_eq!(outside.json()["errors"][0]["field"], "postcode");
        let invalid = file_json(
            &r,
            serde_json::json!({"category": "nonsense", "description": "kort", "email": "geen-adres", "phone": "12"}),
        )
        .await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert!(invalid.content_type().starts_with("application/problem+json"));
        let fields: Vec<String> = invalid.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_string())
            .collect();
        for field in ["category", "description", "email", "phone", "location"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
        }
        let gif = file_json(
            &r,
            serde_json::json!({"category": "verval.graffiti", "postcode": "9110AB", "house_number": 2,
                "description": "Graffiti op de muur van de school.",
                "photo_base64": base64::engine::general_purpose::STANDARD.encode(b"GIF89a\x01\x00")}),
        )
        .await;
        assert_eq!(gif.status, StatusCode::BAD_REQUEST);
        assert!(gif.body.contains("JPEG"), "{}", gif.body);

        // --- The status page: escaped, no contact details, no referrer.
        let page = send(&r, Method::GET, &format!("/melding/{token}"), &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("&#60;script&#62;"), "escaped");
        assert!(!page.body.contains("<script>alert"), "never raw");
        assert!(!page.body.contains("melder@voorbeeld.nl"), "no contact details on the status page");
        assert_eq!(page.headers.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("no-referrer"));
        let api_status = send(&r, Method::GET, &format!("/api/v1/reports/status/{token}"), &[], None).await;
        assert_eq!(api_status.json()["status"], "reported");
        assert!(!api_status.body.contains("melder@"), "no contact details in the API either");
        assert_eq!(send(&r, Method::GET, "/melding/00ff", &[], None).await.status, StatusCode::NOT_FOUND);
        // The photo comes back without its metadata.
        let stored = send(&r, Method::GET, &format!("/melding/{token}/foto"), &[], None).await;
        assert_eq!(stored.status, StatusCode::OK);
        assert_eq!(stored.content_type(), "image/jpeg");
        assert!(!stored.body.contains("Exif") && !stored.body.contains("GPS") && !stored.body.contains("hallo"));
        assert!(stored.body.contains("JFIF"));

        // --- Staff: only the handling organisation sees it.
        let beleid = login(&r, "beleid").await;
        let corp = login(&r, "corporatie").await;
        let json_headers = |b: &common::Browser| {
            vec![
                ("cookie".to_string(), b.cookie()),
                ("x-csrf-token".to_string(), b.csrf.clone()),
                ("content-type".to_string(), "application/json".to_string()),
            ]
        };
        let post_status = |b: common::Browser, status: &'static str, text: &'static str| {
            let r = r.clone();
            let id = id.clone();
            async move {
                let h = json_headers(&b);
                let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                send(
                    &r,
                    Method::POST,
                    &format!("/api/v1/reports/{id}/status"),
                    &h,
                    Some(serde_json::json!({"status": status, "text": text}).to_string()),
                )
                .await
            }
        };
        let list = send(&r, Method::GET, "/api/v1/reports", &[("cookie", &beleid.cookie())], None).await;
        assert!(list.body.contains(&id), "{}", list.body);
        let other = send(&r, Method::GET, "/api/v1/reports", &[("cookie", &corp.cookie())], None).await;
        assert!(!other.body.contains(&id));
        assert_eq!(
            send(&r, Method::GET, &format!("/api/v1/reports/{id}"), &[("cookie", &corp.cookie())], None).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(post_status(corp.clone(), "in_progress", "").await.status, StatusCode::NOT_FOUND, "not theirs");
        let full = send(&r, Method::GET, &format!("/api/v1/reports/{id}"), &[("cookie", &beleid.cookie())], None).await;
        assert_eq!(full.json()["contact_email"], "melder@voorbeeld.nl");

        // --- The status machine, refused moves included.
        let refused = post_status(beleid.clone(), "reopened", "waarom").await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        let detail = refused.json()["detail"].as_str().unwrap_or_default().to_string();
        assert!(detail.starts_with("Een melding met status") && detail.contains(" / "), "Dutch first: {detail}");
        let no_text = post_status(beleid.clone(), "closed", "  ").await;
        assert_eq!(no_text.status, StatusCode::BAD_REQUEST, "closing needs a text");
        assert!(no_text.body.contains("hoort een tekst voor de melder"), "{}", no_text.body);
        assert_eq!(post_status(beleid.clone(), "done", "").await.status, StatusCode::BAD_REQUEST);
        let no_csrf = send(
            &r,
            Method::POST,
            &format!("/api/v1/reports/{id}/status"),
            &[("cookie", &beleid.cookie()), ("content-type", "application/json")],
            Some("{\"status\":\"in_progress\"}".into()),
        )
        .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        assert_eq!(post_status(beleid.clone(), "in_progress", "").await.status, StatusCode::OK);
        assert_eq!(post_status(beleid.clone(), "on_hold", "Wacht op de veegwagen.").await.status, StatusCode::OK);
        assert_eq!(post_status(beleid.clone(), "in_progress", "").await.status, StatusCode::OK);

        // --- Satisfaction is refused while open.
        let sat = |score: i64| {
            let r = r.clone();
            let token = token.clone();
            async move {
                send(
                    &r,
                    Method::POST,
                    &format!("/api/v1/reports/status/{token}/satisfaction"),
                    &[("content-type", "application/json")],
                    Some(serde_json::json!({"score": score, "comment": "Netjes <b>opgelost</b>"}).to_string()),
                )
                .await
            }
        };
        assert_eq!(sat(4).await.status, StatusCode::CONFLICT);

        // --- Overdue after the holidays: not on New Year's Day or the weekend, but on Monday.
        for (today, overdue) in
            [("2026-12-31", false), ("2027-01-01", false), ("2027-01-03", false), ("2027-01-04", true)]
        {
            let later = leefwijk_web::router(at(&base, today));
            let rows =
                send(&later, Method::GET, "/api/v1/reports?status=open", &[("cookie", &beleid.cookie())], None).await;
            let row =
                rows.json().as_array().expect("rows").iter().find(|x| x["id"] == id.as_str()).cloned().expect("row");
            assert_eq!(row["overdue"], overdue, "{today}: {row}");
            let page =
                send(&later, Method::GET, "/meldingen?overdue=true", &[("cookie", &beleid.cookie())], None).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(
                page.body.contains(&format!("/meldingen/{id}\"")),
                overdue,
                "{today}: overdue filter on the page"
            );
            if overdue {
                assert!(page.body.contains("mark-overdue"));
            }
        }

        // --- Closing with a text; the reporter sees it and answers once.
        assert_eq!(
            post_status(beleid.clone(), "closed", "Opgeruimd door de buitendienst.").await.status,
            StatusCode::OK
        );
        assert_eq!(post_status(beleid.clone(), "cancelled", "").await.status, StatusCode::CONFLICT);
        let sent = std::fs::read_to_string(&mail).expect("mail file");
        assert_eq!(sent.lines().count(), 2, "confirmation and closing");
        assert!(
            sent.contains("Opgeruimd door de buitendienst.")
                && !sent.lines().nth(1).unwrap_or_default().contains(&token)
        );
        let page = send(&r, Method::GET, &format!("/melding/{token}"), &[], None).await;
        assert!(page.body.contains("Opgeruimd door de buitendienst."));
        assert!(page.body.contains("satisfaction-form"));
        assert_eq!(sat(9).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(sat(4).await.status, StatusCode::NO_CONTENT);
        assert_eq!(sat(5).await.status, StatusCode::CONFLICT, "once");
        let form_again = send(
            &r,
            Method::POST,
            &format!("/melding/{token}/tevredenheid"),
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[("score", "2")])),
        )
        .await;
        assert_eq!(form_again.status, StatusCode::CONFLICT);
        let page = send(&r, Method::GET, &format!("/melding/{token}"), &[], None).await;
        assert!(page.body.contains("4 / 5") && !page.body.contains("satisfaction-form"));
        let staff_view =
            send(&r, Method::GET, &format!("/meldingen/{id}"), &[("cookie", &beleid.cookie())], None).await;
        assert!(staff_view.body.contains("Netjes &#60;b&#62;opgelost&#60;/b&#62;"), "comment escaped for staff");

        // --- Status changes and contact reads are audited.
        let audit = base.store.audit_page(0, 100_000).await.expect("audit");
        assert!(audit
            .iter()
            .any(|e| e.purpose == "public_reports" && e.subject == id && e.rule == "status on_hold -> in_progress"));
        assert!(audit.iter().any(|e| e.purpose == "public_reports" && e.category == "contact" && e.subject == id));

        // --- Contact details are cleared 90 days after closing, not before.
        assert_eq!(anonymise_contacts(&app, day("2027-02-01")).await.expect("early"), 0);
        assert_eq!(anonymise_contacts(&app, day("2027-04-01")).await.expect("after the term"), 1);
        let full = send(&r, Method::GET, &format!("/api/v1/reports/{id}"), &[("cookie", &beleid.cookie())], None).await;
        assert_eq!(full.json()["contact_email"], serde_json::Value::Null);
        assert_eq!(full.json()["contact_anonymised"], true);
        let audit = base.store.audit_page(0, 100_000).await.expect("audit");
        assert!(audit.iter().any(|e| e.action == "purge" && e.rule.contains("cleared on 1 reports")));

        // --- The public summary is disclosure-controlled: 6 reports are under the threshold.
        let summary = send(&r, Method::GET, "/api/v1/report-summary/GM9901", &[], None).await;
        assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
        assert_eq!(summary.json()["total"], serde_json::Value::Null, "{}", summary.body);
    }
}

#[tokio::test]
async fn the_form_works_without_javascript_and_escapes_input() {
    for url in backend_urls() {
        let base = demo_app(&url).await;
        setup(&base).await;
        let app = at(&base, "2026-11-24");
        let r = leefwijk_web::router(app.clone());
        let page = send(&r, Method::GET, "/melden", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<optgroup label=\"Verval en zwerfafval\">"));
        assert!(page.body.contains("enctype=\"multipart/form-data\""));

        // Url-encoded (no photo): straight to the status page.
        let sent = send(
            &r,
            Method::POST,
            "/melden",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[
                ("category", "onveilig.verlichting"),
                ("postcode", "9130AB"),
                ("house_number", "3"),
                ("description", "Lantaarnpaal doet het niet meer."),
            ])),
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let location = sent.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(location.starts_with("/melding/") && location.ends_with("?nieuw=1"), "{location}");
        let status = send(&r, Method::GET, &location, &[], None).await;
        assert!(status.body.contains("report-filed"));

        // From the neighbourhood page: the buurt is chosen, an address is optional.
        let page = send(&r, Method::GET, "/melden?buurt=BU99010201", &[], None).await;
        assert!(page.body.contains("name=\"buurt\" value=\"BU99010201\""));
        let ignored = send(&r, Method::GET, "/melden?buurt=%3Cscript%3E", &[], None).await;
        assert!(!ignored.body.contains("name=\"buurt\"") && !ignored.body.contains("<script>"));
        let sent = send(
            &r,
            Method::POST,
            "/melden",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[
                ("category", "groen.snoeien"),
                ("buurt", "BU99010201"),
                ("description", "Heg langs het fietspad moet gesnoeid."),
            ])),
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let location = sent.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let status = send(&r, Method::GET, &location, &[], None).await;
        // The buurt by its name (Polderhof, BU99010201), never its code (issue 17).
        assert!(status.body.contains("Polderhof") && status.body.contains("Sociaal Wijkteam"), "routed by the buurt");
        assert!(!status.body.contains("BU99010201"), "the resident is not shown the buurt code");

        // Errors re-render the form with what was typed, escaped, next to the field.
        let bad = send(
            &r,
            Method::POST,
            "/melden",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[
                ("category", "verval.graffiti"),
                ("postcode", "\"><script>alert(1)</script>"),
                ("house_number", "12"),
                ("description", "Graffiti <img src=x onerror=alert(1)> op de muur."),
                ("email", "geen adres"),
            ])),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("id=\"postcode-error\""));
        assert!(bad.body.contains("id=\"email-error\""));
        let start = bad.body.find("Graffiti").unwrap_or(0);
        assert!(
            bad.body.contains("Graffiti &#60;img src=x onerror=alert(1)&#62; op de muur."),
            "kept and escaped: {}",
            &bad.body[start..(start + 120).min(bad.body.len())]
        );
        assert!(!bad.body.contains("<script>alert(1)"));
        assert!(bad.body.contains("value=\"verval.graffiti\" selected"));

        // Multipart with a photo: stored without metadata.
        let (ct, body) = multipart(
            &[
                ("category", "verval.dumping"),
                ("postcode", "9110AB"),
                ("house_number", "8"),
                ("description", "Matras op de stoep gedumpt."),
            ],
            Some(&jpeg_with_exif()),
        );
        let sent = send_bytes(&r, "/melden", &ct, body).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let token = token_of(sent.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default());
        let photo = send(&r, Method::GET, &format!("/melding/{token}/foto"), &[], None).await;
        assert_eq!(photo.status, StatusCode::OK);
        assert!(!photo.body.contains("Exif"));
        // A similar report nearby (same top category, same buurt) is pointed out.
        let page = send(&r, Method::GET, &format!("/melding/{token}"), &[], None).await;
        assert!(!page.body.contains("similar-reports"), "no similar report yet: {}", page.body.len());
        let (ct, body) = multipart(
            &[
                ("category", "verval.zwerfafval"),
                ("postcode", "9110AB"),
                ("house_number", "9"),
                ("description", "Nog meer afval bij de container."),
            ],
            None,
        );
        let second = send_bytes(&r, "/melden", &ct, body).await;
        let token2 = token_of(second.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default());
        let page = send(&r, Method::GET, &format!("/melding/{token2}"), &[], None).await;
        assert!(page.body.contains("similar-reports"), "the earlier dumping report is similar");
    }
}

#[tokio::test]
async fn size_and_rate_limits() {
    for url in backend_urls() {
        let base = demo_app(&url).await;
        setup(&base).await;
        let mut residents = ResidentsConfig {
            reports: ReportsConfig { max_photo_bytes: 1000, ..ReportsConfig::default() },
            ..ResidentsConfig::default()
        };
        residents.rate_limit.max_posts = 100;
        let app = at(&base, "2026-11-24").with_residents(residents.clone());
        let r = leefwijk_web::router(app.clone());
        let mut big = jpeg_with_exif();
        big.extend(std::iter::repeat_n(0u8, 2000));
        // Multipart: a photo over the cap is refused with a clear message (413), nothing stored.
        let fields = [
            ("category", "verval.dumping"),
            ("postcode", "9110AB"),
            ("house_number", "8"),
            ("description", "Matras op de stoep gedumpt."),
        ];
        let (ct, body) = multipart(&fields, Some(&big));
        let refused = send_bytes(&r, "/melden", &ct, body).await;
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(refused.body.contains("De foto is te groot"), "{}", refused.body);
        // A body far over the route's limit is cut off before it is read.
        let (ct, body) = multipart(&fields, Some(&vec![0xFFu8; 400 * 1024]));
        let cut = send_bytes(&r, "/melden", &ct, body).await;
        assert_eq!(cut.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(cut.body.contains("te groot"));
        // JSON: base64 over the cap is a field error; a body over the limit a 413 problem.
        let b64 = base64::engine::general_purpose::STANDARD.encode(&big);
        let over = file_json(
            &r,
            serde_json::json!({"category": "verval.dumping", "postcode": "9110AB", "house_number": 8,
                "description": "Matras op de stoep gedumpt.", "photo_base64": b64}),
        )
        .await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST);
        assert_eq!(over.json()["errors"][0]["field"], "photo");
        let huge = "x".repeat(200 * 1024);
        let too_big = file_json(&r, serde_json::json!({"description": huge})).await;
        assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(too_big.content_type().starts_with("application/problem+json"));
        // A description over 2000 characters is refused with its length.
        let long = file_json(
            &r,
            serde_json::json!({"category": "verval.dumping", "postcode": "9110AB", "house_number": 8, "description": "y".repeat(2001)}),
        )
        .await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST);
        assert!(long.body.contains("2001"), "{}", long.body);
    }
}

#[tokio::test]
async fn rate_limit_on_the_public_form() {
    for url in backend_urls() {
        // A fresh app: the limiter's counters are shared by every clone of an App.
        let base = demo_app(&url).await;
        setup(&base).await;
        let mut residents = ResidentsConfig::default();
        // Rate limit: the fourth post from the same client within the window is refused.
        residents.rate_limit.max_posts = 3;
        let limited = leefwijk_web::router(at(&base, "2026-11-24").with_residents(residents));
        let post = || {
            send(
                &limited,
                Method::POST,
                "/melden",
                &[("content-type", "application/x-www-form-urlencoded")],
                Some(form(&[
                    ("category", "overig.overig"),
                    ("postcode", "9110AB"),
                    ("house_number", "1"),
                    ("description", "Bankje omgevallen bij de vijver."),
                ])),
            )
        };
        for _ in 0..3 {
            assert_eq!(post().await.status, StatusCode::SEE_OTHER);
        }
        let fourth = post().await;
        assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(fourth.headers.get("retry-after").is_some());
    }
}

#[tokio::test]
async fn demo_reports_show_overdue_on_the_team_list() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&app).await.expect("the residents' demo loads");
        assert_eq!(app.store.report_count(leefwijk_app::demo::DEMO_TENANT).await.expect("count"), 25);
        leefwijk_app::demo::load_residents(&app).await.expect("and loads again without error");
        assert_eq!(app.store.report_count(leefwijk_app::demo::DEMO_TENANT).await.expect("count"), 25, "loaded once");
        let r = leefwijk_web::router(app.clone());
        let beleid = login(&r, "beleid").await;
        let rows = send(&r, Method::GET, "/api/v1/reports", &[("cookie", &beleid.cookie())], None).await.json();
        let rows = rows.as_array().expect("rows");
        assert!(rows.len() >= 15, "{}", rows.len());
        assert!(rows.iter().any(|r| r["overdue"] == true), "some demo reports are overdue");
        assert!(rows.iter().all(|r| r["top_category"] != "woning"), "homes go to the corporation");
        let corp = login(&r, "corporatie").await;
        let theirs = send(&r, Method::GET, "/api/v1/reports", &[("cookie", &corp.cookie())], None).await.json();
        assert!(theirs.as_array().expect("rows").iter().all(|r| r["top_category"] == "woning"));
        let page = send(&r, Method::GET, "/meldingen", &[("cookie", &beleid.cookie())], None).await;
        assert!(page.body.contains("mark-overdue"));
        let summary = send(&r, Method::GET, "/api/v1/report-summary/GM9901", &[], None).await.json();
        assert!(summary["total"].is_number(), "25 demo reports pass the threshold: {summary}");
    }
}

#[tokio::test]
async fn administrators_manage_report_routing() {
    for url in backend_urls() {
        let base = demo_app(&url).await;
        setup(&base).await;
        let r = leefwijk_web::router(at(&base, "2026-11-24"));
        let beheer = login(&r, "beheer").await;
        let h = [
            ("cookie", beheer.cookie()),
            ("x-csrf-token", beheer.csrf.clone()),
            ("content-type", "application/json".into()),
        ];
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let add =
            |body: serde_json::Value| send(&r, Method::POST, "/api/v1/report-routing", &h, Some(body.to_string()));
        let bad = add(
            serde_json::json!({"area_code": "BU99010101", "category": "zwembad", "organisation_id": "wv-gemeente"}),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let foreign = add(serde_json::json!({"area_code": "BU99010101", "organisation_id": "dh-gemeente"})).await;
        assert_eq!(foreign.status, StatusCode::BAD_REQUEST, "only organisations of the own collaboration");
        // A buurt rule for nuisance beats the municipality-wide rule.
        let added = add(
            serde_json::json!({"area_code": "BU99010101", "category": "overlast", "organisation_id": "wv-wijkteam"}),
        )
        .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        let rule_id = added.json()["id"].as_str().expect("id").to_string();
        let filed = file_json(
            &r,
            serde_json::json!({"category": "overlast.geluid", "postcode": "9110AB", "house_number": 4,
                "description": "Harde muziek uit de kelderbox."}),
        )
        .await;
        assert_eq!(filed.json()["organisation"], "Sociaal Wijkteam Wijkerveen (fictief)");
        let list = send(&r, Method::GET, "/api/v1/report-routing", &[("cookie", &beheer.cookie())], None).await;
        assert_eq!(list.json().as_array().map(Vec::len), Some(4));
        // DELETE, as the API design rules ask; the 1.0 path `POST …/delete` still works.
        let gone = send(&r, Method::DELETE, &format!("/api/v1/report-routing/{rule_id}"), &h, None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
        let again = send(&r, Method::POST, &format!("/api/v1/report-routing/{rule_id}/delete"), &h, None).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        let filed = file_json(
            &r,
            serde_json::json!({"category": "overlast.geluid", "postcode": "9110AB", "house_number": 4,
                "description": "Weer harde muziek uit de kelderbox."}),
        )
        .await;
        assert_eq!(filed.json()["organisation"], "Gemeente Wijkerveen (fictief)");
        // The second report sees the first as similar (same top category, same buurt).
        assert_eq!(filed.json()["similar"].as_array().map(Vec::len), Some(1), "{}", filed.body);
        let token = filed.json()["token"].as_str().expect("token").to_string();
        let status = send(&r, Method::GET, &format!("/api/v1/reports/status/{token}"), &[], None).await;
        assert_eq!(status.json()["similar"].as_array().map(Vec::len), Some(1));
        // Not an administrator: refused by the access table.
        let beleid = login(&r, "beleid").await;
        let refused = send(&r, Method::GET, "/api/v1/report-routing", &[("cookie", &beleid.cookie())], None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_administrator_routes_reports_by_area_and_category_on_a_page() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        leefwijk_app::demo::load_residents(&app).await.expect("demo");
        let r = leefwijk_web::router(app.clone());
        let beheer = login(&r, "beheer").await;
        let page = beheer.get(&r, "/beheer/meldingen-routering").await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        assert!(page.body.contains("GM9901"), "the demo's rules are listed");
        let before = app.store.report_routes(leefwijk_app::demo::DEMO_TENANT).await.expect("routes").len();

        // A wrong area code is named, and what was typed stays in the form.
        let wrong = beheer
            .post(
                &r,
                "/beheer/meldingen-routering",
                &[("area_code", "XX12"), ("category", "groen"), ("organisation_id", "wv-gemeente")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", wrong.body);
        assert!(wrong.body.contains("id=\"routing-error\"") && wrong.body.contains("value=\"XX12\""));
        let foreign = beheer
            .post(
                &r,
                "/beheer/meldingen-routering",
                &[("area_code", "WK990102"), ("category", ""), ("organisation_id", "dh-gemeente")],
            )
            .await;
        assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: another collaboration's organisation");

        // Green space in WK990102 goes to the corporation from now on; then the rule is removed.
        let added = beheer
            .post(
                &r,
                "/beheer/meldingen-routering",
                &[("area_code", "WK990102"), ("category", "groen"), ("organisation_id", "wv-corporatie")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{url}: {}", added.body);
        let rules = app.store.report_routes(leefwijk_app::demo::DEMO_TENANT).await.expect("routes");
        assert_eq!(rules.len(), before + 1);
        let rule =
            rules.iter().find(|x| x.area_code == "WK990102" && x.category.as_deref() == Some("groen")).expect("rule");
        assert_eq!(rule.organisation_id, "wv-corporatie");
        let routed =
            leefwijk_app::residents::reports::route(&app, "BU99010203", "groen").await.expect("route").expect("a rule");
        assert_eq!(routed.organisation_id, "wv-corporatie", "{url}: the wijk rule for the category wins");
        let removed = beheer.post(&r, &format!("/beheer/meldingen-routering/{}/verwijderen", rule.id), &[]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER, "{url}: {}", removed.body);
        assert_eq!(app.store.report_routes(leefwijk_app::demo::DEMO_TENANT).await.expect("routes").len(), before);

        // Only administrators, and only with the form's token.
        let corporatie = login(&r, "corporatie").await;
        assert_eq!(corporatie.get(&r, "/beheer/meldingen-routering").await.status, StatusCode::FORBIDDEN);
        let forged = send(
            &r,
            Method::POST,
            "/beheer/meldingen-routering",
            &[("cookie", &beheer.cookie()), ("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[("area_code", "WK990102"), ("organisation_id", "wv-gemeente")])),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{url}: no CSRF token");
    }
}

/// The value of `name="…" … value="…"` of the first input with that name.
fn input_value(body: &str, name: &str) -> String {
    let start = body.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &body[start..];
    let v = rest.find("value=\"").expect("value") + 7;
    rest[v..].split('"').next().unwrap_or_default().to_string()
}

fn attribute(body: &str, id: &str, attribute: &str) -> String {
    let start = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element {id}"));
    let tag = &body[body[..start].rfind('<').expect("tag")..];
    let a = tag.find(&format!(" {attribute}=\"")).expect("attribute") + attribute.len() + 3;
    tag[a..].split('"').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_click_on_the_map_chooses_the_point_without_javascript() {
    for url in backend_urls() {
        let app = demo_app(&url).await;
        setup(&app).await;
        let r = leefwijk_web::router(app.clone());

        // Without a municipality the form offers the maps of those that take reports.
        let plain = send(&r, Method::GET, "/melden", &[], None).await;
        assert!(plain.body.contains("href=\"/melden?gemeente=GM9901\""), "{url}: {}", plain.body);
        let form_page = send(&r, Method::GET, "/melden?gemeente=GM9901", &[], None).await;
        assert_eq!(form_page.status, StatusCode::OK);
        assert!(form_page.body.contains("type=\"image\" name=\"kaart\""), "an image input sends the click");
        let width: f64 = attribute(&form_page.body, "map", "width").parse().expect("width");
        let height: f64 = attribute(&form_page.body, "map", "height").parse().expect("height");
        let svg = send(&r, Method::GET, "/melden/kaart/GM9901", &[], None).await;
        assert_eq!(svg.content_type(), "image/svg+xml");
        assert!(svg.body.matches("<path").count() >= 20, "the buurten of the municipality");
        assert_eq!(send(&r, Method::GET, "/melden/kaart/GM0000", &[], None).await.status, StatusCode::NOT_FOUND);

        // A click keeps what was typed, fills in the point and names its buurt; nothing is filed.
        let (x, y) = (format!("{}", (width * 0.3).round()), format!("{}", (height * 0.4).round()));
        let clicked = send(
            &r,
            Method::POST,
            "/melden",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[
                ("category", "verval.zwerfafval"),
                ("description", "Zakken afval naast de container (test)"),
                ("gemeente", "GM9901"),
                ("kaart.x", &x),
                ("kaart.y", &y),
            ])),
        )
        .await;
        assert_eq!(clicked.status, StatusCode::OK, "{url}: {}", clicked.body);
        assert!(clicked.body.contains("Zakken afval naast de container (test)"), "typed text kept");
        assert!(clicked.body.contains("id=\"map-picked\""), "{}", clicked.body);
        assert_eq!(app.store.report_count(leefwijk_app::demo::DEMO_TENANT).await.expect("count"), 0, "not filed yet");
        let (lat, lon) = (input_value(&clicked.body, "lat"), input_value(&clicked.body, "lon"));
        let buurt = leefwijk_app::residents::reports::buurt_of_point(
            &app,
            lat.parse().expect("lat"),
            lon.parse().expect("lon"),
        )
        .await
        .expect("lookup")
        .expect("the click lies in a buurt");
        let view = app.monitor.view(None).await.expect("figures");
        let name =
            view.area(&leefwijk_domain::AreaCode::parse(&buurt).expect("code")).expect("known buurt").name.clone();
        assert!(clicked.body.contains(&format!("Gekozen plek in buurt {name}.")), "{url}: the page names {name}");
        let marked = send(&r, Method::GET, &format!("/melden/kaart/GM9901?lat={lat}&lon={lon}"), &[], None).await;
        assert!(marked.body.contains("<circle"), "the map marks the chosen spot");
        assert!(marked.body.contains(&format!(">{name}</text>")), "the map names the buurten");

        // Sending the form now files the report in that buurt.
        let filed = send(
            &r,
            Method::POST,
            "/melden",
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(form(&[
                ("category", "verval.zwerfafval"),
                ("description", "Zakken afval naast de container (test)"),
                ("gemeente", "GM9901"),
                ("lat", &lat),
                ("lon", &lon),
            ])),
        )
        .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{url}: {}", filed.body);
        let status = send(&r, Method::GET, filed.headers["location"].to_str().expect("ascii"), &[], None).await;
        let view = app.monitor.view(None).await.expect("figures");
        let name =
            view.area(&leefwijk_domain::AreaCode::parse(&buurt).expect("code")).expect("known buurt").name.clone();
        assert!(status.body.contains(&name), "{url}: filed in the clicked buurt ({name})");
    }
}

/// A configured base map lies under the click-map: its tiles (Dutch tiling scheme) in an SVG
/// of the same size, the map image transparent over it, its origin the only addition to the
/// CSP, and its attribution under the map. Without one, none of it (issue 17).
#[tokio::test]
async fn a_configured_base_map_lies_under_the_click_map() {
    let url = backend_urls().into_iter().next().expect("a backend");
    let config = ResidentsConfig {
        reports: ReportsConfig {
            base_map_tiles: "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png".into(),
            base_map_attribution: "Kaart: testtegels".into(),
            ..ReportsConfig::default()
        },
        ..ResidentsConfig::default()
    };
    let app = demo_app(&url).await.with_residents(config);
    setup(&app).await;
    let r = leefwijk_web::router(app.clone());
    let page = send(&r, Method::GET, "/melden?gemeente=GM9901", &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("img-src 'self' data: http://127.0.0.1:9;"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let tiles = page.body.matches("<image href=\"http://127.0.0.1:9/tiles/").count();
    assert!((1..=leefwijk_domain::tiles::MAX_TILES).contains(&tiles), "{tiles} tiles: {}", page.body);
    assert_eq!(attribute(&page.body, "map-base", "width"), attribute(&page.body, "map", "width"), "same pixels");
    assert!(page.body.contains("id=\"map-attribution\">Kaart: testtegels<"));
    let svg = send(&r, Method::GET, "/melden/kaart/GM9901", &[], None).await;
    assert!(!svg.body.contains("<rect"), "the map image lets the base map show through");

    let plain_app = demo_app(&url).await;
    setup(&plain_app).await;
    let plain = send(&leefwijk_web::router(plain_app), Method::GET, "/melden?gemeente=GM9901", &[], None).await;
    assert!(!plain.body.contains("map-base") && !plain.body.contains("<image"), "no base map unless configured");
    let csp = plain.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("img-src 'self' data:;"), "{csp}");
}
