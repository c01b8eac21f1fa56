//! The `leefwijk` commands an operator runs: `import` (a good file is imported and
//! summarised; a bad one is refused with line and column and changes nothing), `admin`
//! and `audit`.

use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leefwijk-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const GOOD: &str = "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;AantalInwoners_5;InBezitWoningcorporatie_42;Woningvoorraad_35\n\
1;\"Voorbeeldstad\";\"Voorbeeldstad\";\"Gemeente  \";\"GM9901    \";52000;24;24000\n\
2;\"Centrum\";\"Voorbeeldstad\";\"Wijk      \";\"WK990101  \";12000;x;6000\n\
3;\"Oude Haven\";\"Voorbeeldstad\";\"Buurt     \";\"BU99010101\";800;.;400\n";

fn leefwijk(data_dir: &PathBuf, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_leefwijk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("LEEFWIJK_DATABASE_URL")
        .env("RUST_LOG", "info")
        .output()
        .expect("run leefwijk")
}

#[test]
fn import_reports_counts_and_refuses_bad_files_without_changing_anything() {
    let dir = temp_dir("import");
    let good = dir.join("kwb-2024.csv");
    std::fs::write(&good, GOOD).expect("write");
    let out = leefwijk(&dir, &["import", "cbs-kwb", good.to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("for 2024: 1 municipalities, 1 districts (wijken), 1 neighbourhoods (buurten)"),
        "{stdout}"
    );

    let bad = dir.join("kwb-2024-broken.csv");
    std::fs::write(&bad, GOOD.replace("800;.;400", "800;veel;400")).expect("write");
    let out = leefwijk(&dir, &["import", "cbs-kwb", bad.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert!(stderr.contains("line 4, column 7 (InBezitWoningcorporatie_42): 'veel' is not a number"), "{stderr}");

    // Unknown year: a clear instruction.
    let no_year = dir.join("kwb.csv");
    std::fs::write(&no_year, GOOD).expect("write");
    let out = leefwijk(&dir, &["import", "cbs-kwb", no_year.to_str().expect("path")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --year"));

    // The demo loads beside real figures, once.
    let out = leefwijk(&dir, &["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = leefwijk(&dir, &["demo"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("holds the demo already"));
}

#[test]
fn a_municipal_table_imports_by_its_mapping_file() {
    let dir = temp_dir("table");
    let file = dir.join("wijkmonitor.csv");
    std::fs::write(&file, "Wijkcode;Naam;Jaar;Inwoners;Eenzaam (%);Opmerking\nWK0363AA;Burgwallen-Oude Zijde;2023;4.555;51,2;x\nWK0363AB;Burgwallen-Nieuwe Zijde;2023;.;48,0;y\n")
        .expect("write");
    let mapping = dir.join("wijkmonitor.toml");
    std::fs::write(
        &mapping,
        "[table]\ncode_column = \"Wijkcode\"\nname_column = \"Naam\"\nyear_column = \"Jaar\"\ndecimal_comma = true\n\n[source]\nid = \"amsterdam-os-2023\"\nattribution = \"Gemeente Amsterdam, Onderzoek en Statistiek, Wijkmonitor 2023\"\nlicence = \"CC BY 4.0\"\n\n[[column]]\nname = \"Inwoners\"\nindicator = \"population\"\nunit = \"count\"\n\n[[column]]\nname = \"Eenzaam (%)\"\nindicator = \"lonely\"\nunit = \"percent\"\n",
    )
    .expect("write");
    let args = ["import", "table", file.to_str().expect("path"), "--mapping", mapping.to_str().expect("path")];
    let out = leefwijk(&dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("for 2023: 0 municipalities, 2 districts (wijken)"), "{stdout}");
    assert!(stdout.contains("Bron: Gemeente Amsterdam, Onderzoek en Statistiek, Wijkmonitor 2023"), "{stdout}");
    assert!(stdout.contains("Opmerking"), "an unmapped column is reported: {stdout}");

    // A mistake in the mapping names the entry; nothing is imported.
    std::fs::write(&mapping, std::fs::read_to_string(&mapping).expect("read").replace("\"lonely\"", "\"eenzaamheid\""))
        .expect("write");
    let out = leefwijk(&dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("unknown indicator 'eenzaamheid'") && stderr.contains("nothing changed"), "{stderr}");
}

#[test]
fn boundaries_import_and_openapi_command() {
    let dir = temp_dir("boundaries");
    let file = dir.join("buurten_2024.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"buurtcode":"BU99010101"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[100,0],[100,100],[0,100],[0,0]]]}}]}"#,
    )
    .expect("write");
    let out = leefwijk(&dir, &["import", "boundaries", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported 1 boundaries for 2024"));

    let out = leefwijk(&dir, &["openapi"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["info"]["title"], "Leefwijk API");
}

#[test]
fn statline_columns_unknown_to_leefwijk_are_imported_under_their_codebook_names() {
    let dir = temp_dir("codebook");
    let file = dir.join("kwb-2024.csv");
    std::fs::write(
        &file,
        "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;AantalInwoners_5;GemiddeldAardgasverbruikTotaal_61;Appartement_54;Onbekend_200\n\
         0;Voorbeeldstad;Voorbeeldstad;Gemeente;GM9901;52000;1050;1700;1\n\
         1;Centrum;Voorbeeldstad;Wijk;WK990101;12000;890;1500;2\n",
    )
    .expect("write");
    // The KWB 2024 codebook ships with Leefwijk and is used when none is given.
    let out = leefwijk(&dir, &["import", "cbs-kwb", file.to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("cbs_gemiddeld_aardgasverbruik_totaal: Gemiddeld aardgasverbruik totaal (cubic_metre)"),
        "{stdout}"
    );
    assert!(stdout.contains("Appartement_54: the codebook has more than one column"), "{stdout}");
    assert!(stdout.contains("Onbekend_200"), "{stdout}");

    // A codebook of one's own names the columns of another table.
    let book = dir.join("DataProperties.json");
    std::fs::write(&book, r#"{"value":[{"Type":"Topic","Key":"Onbekend_200","Title":"Eigen kolom","Unit":"aantal","Description":"Een kolom."}]}"#)
        .expect("write");
    let out = leefwijk(
        &dir,
        &["import", "cbs-kwb", file.to_str().expect("path"), "--codebook", book.to_str().expect("path")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("cbs_onbekend: Eigen kolom (count)"), "{stdout}");
    // What the first import named is still read, though this codebook does not know it.
    assert!(stdout.contains("cbs_gemiddeld_aardgasverbruik_totaal"), "{stdout}");
}

#[test]
fn an_operator_lets_a_collaboration_work_in_a_municipality() {
    let dir = temp_dir("municipality");
    let out = leefwijk(&dir, &["admin", "create", "beheer", "--tenant", "utrecht"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = leefwijk(&dir, &["admin", "municipality", "GM0344", "--tenant", "utrecht"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("'utrecht' now works in GM0344"));
    let out = leefwijk(&dir, &["admin", "municipality", "GM0344", "--tenant", "utrecht"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already worked in GM0344"));
    let out = leefwijk(&dir, &["admin", "municipality", "WK034401", "--tenant", "utrecht"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a municipality code"));
    let out = leefwijk(&dir, &["admin", "municipality", "GM0344", "--tenant", "nergens"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no collaboration 'nergens'"));
}

#[test]
fn an_audit_checkpoint_is_written_and_checked_later() {
    let dir = temp_dir("audit");
    let out = leefwijk(&dir, &["demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = leefwijk(&dir, &["audit", "checkpoint"]);
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(out.status.success() && line.starts_with("leefwijk-audit-checkpoint v1 seq="), "{line}");
    let file = dir.join("checkpoints.txt");
    std::fs::write(&file, format!("{line}\n")).expect("write");
    let out = leefwijk(&dir, &["audit", "verify", "--checkpoint", file.to_str().expect("path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("1 checkpoint(s) found in the chain"), "{stdout}");
    // A changed checkpoint is refused, naming the file and line.
    std::fs::write(&file, format!("\n{}\n", line.replace("seq=", "seq=9"))).expect("write");
    let out = leefwijk(&dir, &["audit", "verify", "--checkpoint", file.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("checkpoints.txt line 2"), "{stderr}");
}
