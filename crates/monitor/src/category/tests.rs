use super::*;
use std::fs;
use std::path::{Path, PathBuf};

/// The list shipped in the repository.
fn shipped() -> CategoryLists {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-categories");
    let (lists, report) = CategoryLists::load(&dir).unwrap();
    assert_eq!(report.malformed_total, 0, "{report}");
    lists
}

fn names(lists: &CategoryLists, host: &str, path: Option<&str>) -> String {
    lists.joined_names(lists.categories_of(host, path))
}

/// A list written into a fresh folder for one test, removed afterwards.
struct ScratchList(PathBuf);

impl ScratchList {
    fn new(test: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "custodian-categories-{}-{test}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, file: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.0.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }
}

impl Drop for ScratchList {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_shipped_test_list_loads_every_category_sorted_by_folder_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-categories");
    let (lists, report) = CategoryLists::load(&dir).unwrap();
    assert_eq!(
        lists.names(),
        [
            "adult",
            "council_allowed",
            "gambling",
            "malware",
            "news",
            "social_networks"
        ]
    );
    let gambling = report
        .categories
        .iter()
        .find(|c| c.name == "gambling")
        .unwrap();
    assert_eq!((gambling.domains, gambling.urls), (4, 1));
    assert!(report.skipped.is_empty());
    assert!(report.to_string().starts_with("Loaded 6 categories"));
}

#[test]
fn a_domain_matches_itself_and_every_sub_domain_but_not_look_alikes() {
    let lists = shipped();
    assert_eq!(names(&lists, "lucky-spin-casino.example", None), "gambling");
    assert_eq!(
        names(&lists, "www.lucky-spin-casino.example", None),
        "gambling"
    );
    assert_eq!(
        names(&lists, "a.b.c.lucky-spin-casino.example", None),
        "gambling"
    );
    assert_eq!(names(&lists, "notlucky-spin-casino.example", None), "");
    assert_eq!(names(&lists, "casino.example", None), "");
    assert_eq!(names(&lists, "example", None), "");
    assert_eq!(names(&lists, "", None), "");
}

#[test]
fn hosts_in_capitals_or_with_dns_trailing_dot_still_match() {
    let lists = shipped();
    assert_eq!(
        names(&lists, "WWW.Friendbook.Example", None),
        "social_networks"
    );
    assert_eq!(
        names(&lists, "friendbook.example.", None),
        "social_networks"
    );
}

#[test]
fn a_site_in_two_categories_has_both() {
    let lists = shipped();
    assert_eq!(
        names(&lists, "gambling-help-line.example", None),
        "council_allowed,gambling"
    );
}

#[test]
fn url_prefixes_match_the_path_at_a_boundary_and_only_when_a_path_is_known() {
    let lists = shipped();
    let site = "games-portal.example";
    assert_eq!(names(&lists, site, Some("/casino")), "gambling");
    assert_eq!(
        names(&lists, site, Some("/casino/roulette?table=2")),
        "gambling"
    );
    assert_eq!(names(&lists, site, Some("/CASINO/")), "gambling");
    assert_eq!(
        names(&lists, "www.games-portal.example", Some("/casino")),
        "gambling"
    );
    assert_eq!(names(&lists, site, Some("/casinos")), "");
    assert_eq!(names(&lists, site, Some("/puzzles")), "");
    assert_eq!(names(&lists, site, Some("/")), "");
    // A DNS query has no path: the casino section cannot be told from the rest of the site.
    assert_eq!(names(&lists, site, None), "");
    // Url entries name one host, not its sub-domains.
    assert_eq!(
        names(&lists, "shop.games-portal.example", Some("/casino")),
        ""
    );
}

#[test]
fn a_url_entry_without_a_path_covers_the_whole_host_even_for_dns() {
    let scratch = ScratchList::new("host-only-url");
    scratch.write("chat/urls", "chat-room.example\n");
    let (lists, _) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(names(&lists, "chat-room.example", None), "chat");
    assert_eq!(names(&lists, "chat-room.example", Some("/lobby")), "chat");
    assert_eq!(names(&lists, "eu.chat-room.example", None), "");
}

#[test]
fn an_address_matches_only_exactly() {
    let scratch = ScratchList::new("addresses");
    scratch.write("malware/domains", "192.0.2.7\n2.7\n");
    let (lists, _) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(names(&lists, "192.0.2.7", None), "malware");
    assert_eq!(names(&lists, "198.51.2.7", None), "");
}

#[test]
fn an_allowed_category_wins_over_a_flagged_one() {
    let lists = shipped();
    let flagging = Flagging::new(&lists, &["gambling", "adult"], &["council_allowed"]).unwrap();
    let flags = |host: &str| flagging.flags(lists.categories_of(host, None));
    assert!(flags("lucky-spin-casino.example"));
    assert!(flags("www.adult-only.example"));
    assert!(!flags("gambling-help-line.example"));
    assert!(!flags("daily-bugle.example"));
    assert!(!flags("unlisted.example"));
    assert!(Flagging::default().flagged.is_empty());
    assert!(!Flagging::default().flags(lists.categories_of("adult-only.example", None)));
}

#[test]
fn choosing_a_category_the_list_does_not_have_is_refused_with_its_name() {
    let lists = shipped();
    let error = Flagging::new(&lists, &["gambling", "betting"], &[]).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("no category called betting"), "{message}");
    assert!(
        message.contains("Choose from: adult, council_allowed"),
        "{message}"
    );
    let (flagging, unknown) = Flagging::ignoring_unknown(&lists, &["gambling", "betting"], &[]);
    assert_eq!(unknown, ["betting"]);
    assert!(flagging.flags(lists.categories_of("poker-night.test", None)));
}

#[test]
fn malformed_lines_are_reported_with_file_and_line_and_the_rest_still_loads() {
    let scratch = ScratchList::new("malformed");
    scratch
        .write(
            "gambling/domains",
            "ok.example\r\nbad entry.example\n# comment\n\nalso!bad.example\nfine.example",
        )
        .write("gambling/urls", b"good.example/poker\n\xff\xfe.example/x\n")
        .write("news/domains", "paper.example/sport\n");
    let (lists, report) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(names(&lists, "ok.example", None), "gambling");
    assert_eq!(names(&lists, "fine.example", None), "gambling");
    assert_eq!(names(&lists, "good.example", Some("/poker")), "gambling");
    assert_eq!(report.malformed_total, 4);
    let found: Vec<(&str, u64, EntryProblem)> = report
        .malformed
        .iter()
        .map(|m| (m.file.as_str(), m.line, m.problem))
        .collect();
    assert_eq!(
        found,
        [
            ("gambling/domains", 2, EntryProblem::HasSpace),
            ("gambling/domains", 5, EntryProblem::BadCharacter('!')),
            ("gambling/urls", 2, EntryProblem::NotText),
            ("news/domains", 1, EntryProblem::LooksLikeWebAddress),
        ]
    );
    let first = report.malformed[0].to_string();
    assert!(
        first.starts_with("gambling/domains, line 2: \"bad entry.example\" has a space"),
        "{first}"
    );
    assert!(report.to_string().contains("4 lines could not be used"));
}

#[test]
fn every_malformed_line_is_counted_but_only_the_first_hundred_are_kept() {
    let scratch = ScratchList::new("many-malformed");
    scratch.write("adult/domains", "bad entry\n".repeat(250));
    let (_, report) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(report.malformed_total, 250);
    assert_eq!(report.malformed.len(), MALFORMED_KEPT);
    assert_eq!(report.malformed.last().map(|m| m.line), Some(100));
    assert!(report.to_string().contains("… and 150 more."));
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_file_is_not_part_of_the_first_domain() {
    let scratch = ScratchList::new("bom");
    scratch.write("news/domains", b"\xEF\xBB\xBFpaper.example\n");
    let (lists, report) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(report.malformed_total, 0);
    assert_eq!(names(&lists, "paper.example", None), "news");
}

#[test]
fn folders_that_are_not_categories_are_skipped_with_a_reason_and_files_ignored() {
    let scratch = ScratchList::new("skipped");
    scratch
        .write("news/domains", "paper.example\n")
        .write("empty/usage", "black\n")
        .write("bad name/domains", "x.example\n")
        .write(".git/domains", "x.example\n")
        .write("README", "a list\n");
    let (lists, report) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(lists.names(), ["news"]);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, ["bad name", "empty"]);
    assert!(report.skipped[0].reason.contains("Rename the folder"));
    assert!(report.skipped[1].reason.contains("no domains or urls file"));
}

#[test]
fn a_missing_folder_is_named_in_the_error() {
    let error = CategoryLists::load(Path::new("/no/such/custodian/list")).unwrap_err();
    assert!(matches!(error, CategoryError::FolderMissing { .. }));
    assert!(error.to_string().contains("/no/such/custodian/list"));
}

#[test]
fn a_file_given_instead_of_a_folder_is_refused() {
    let scratch = ScratchList::new("file-not-folder");
    scratch.write("list.txt", "x.example\n");
    let error = CategoryLists::load(&scratch.0.join("list.txt")).unwrap_err();
    assert!(matches!(error, CategoryError::NotAFolder { .. }), "{error}");
}

#[test]
fn a_folder_without_categories_points_to_the_list_one_level_down() {
    let scratch = ScratchList::new("nested");
    scratch.write("blacklists/gambling/domains", "bet.example\n");
    let error = CategoryLists::load(&scratch.0).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("has no categories in it"), "{message}");
    assert!(message.contains("blacklists instead"), "{message}");
    let empty = ScratchList::new("no-categories");
    let error = CategoryLists::load(&empty.0).unwrap_err();
    assert!(matches!(
        error,
        CategoryError::NoCategories { nested: None, .. }
    ));
}

#[test]
fn no_list_matches_nothing() {
    let lists = CategoryLists::default();
    assert!(
        lists
            .categories_of("lucky-spin-casino.example", Some("/"))
            .is_empty()
    );
    assert!(lists.names().is_empty());
}

#[test]
fn category_sets_hold_ids_across_words() {
    let high = CategoryId(200);
    let set = CategorySet::EMPTY.with(CategoryId(3)).with(high);
    assert!(set.contains(high) && set.contains(CategoryId(3)));
    assert!(!set.contains(CategoryId(4)));
    assert_eq!(set.ids().collect::<Vec<_>>(), [CategoryId(3), high]);
    assert!(set.intersects(CategorySet::EMPTY.with(high)));
    assert!(!set.intersects(CategorySet::EMPTY.with(CategoryId(64))));
}

#[test]
fn checking_a_list_finds_the_same_categories_and_bad_lines_as_loading_it() {
    let scratch = ScratchList::new("check");
    scratch
        .write(
            "gambling/domains",
            "ok.example\nbad entry.example\nfine.example\n",
        )
        .write("gambling/urls", "good.example/poker\n")
        .write("news/domains", "paper.example/sport\npaper.example\n")
        .write("notes/readme.txt", "not a category\n");
    let (lists, loaded) = CategoryLists::load(&scratch.0).unwrap();
    let (names, checked) = CategoryLists::check(&scratch.0).unwrap();
    assert_eq!(names, lists.names());
    assert_eq!(checked, loaded);
    assert_eq!(checked.malformed_total, 2);
    assert_eq!(
        CategoryLists::check(&scratch.0.join("missing"))
            .unwrap_err()
            .to_string(),
        CategoryLists::load(&scratch.0.join("missing"))
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn a_list_larger_than_its_first_guess_still_finds_every_name() {
    // The table is sized from the files at roughly 20 bytes a line; shorter lines overfill
    // that guess and the table grows while loading.
    let scratch = ScratchList::new("short-lines");
    let domains: String = (0..30_000).map(|n| format!("{n}.tv\n")).collect();
    scratch.write("adult/domains", &domains);
    let (lists, report) = CategoryLists::load(&scratch.0).unwrap();
    assert_eq!(report.categories[0].domains, 30_000);
    for n in [0, 777, 29_999] {
        assert_eq!(names(&lists, &format!("www.{n}.tv"), None), "adult");
    }
    assert_eq!(names(&lists, "30000.tv", None), "");
}
