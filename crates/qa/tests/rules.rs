//! Each accessibility, link and content rule on a failing and a passing email, and client support
//! findings located by block and field.

use tessera_qa::{check, BlockFields, Category, Fallback, Finding, Input, Level, Options};

/// A clean email around `body`: lang, dir, title, preheader, an unsubscribe link.
fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\"><title>Sale</title></head><body>{body}\
         <p>Enough text for the email not to be image-only: our winter sale has jackets, boots, hats and gloves for the whole season.</p>\
         <p><a href=\"https://shop.test/unsubscribe\">Unsubscribe</a></p></body></html>"
    )
}

fn run(html: &str) -> Vec<Finding> {
    run_with(&Input {
        html,
        subject: "Winter sale",
        preheader: "Forty percent off jackets",
        ..Input::default()
    })
}

fn run_with(input: &Input<'_>) -> Vec<Finding> {
    check(input, &Options::default()).findings
}

fn has(findings: &[Finding], rule: &str) -> bool {
    findings.iter().any(|f| f.rule == rule)
}

/// `rule` is found in `bad` and not in `good`.
fn fails_and_passes(rule: &str, bad: &str, good: &str) {
    let found = run(bad);
    assert!(has(&found, rule), "{rule} not found in {bad}: {:#?}", rules(&found));
    let found = run(good);
    assert!(!has(&found, rule), "{rule} found in {good}: {:#?}", rules(&found));
}

fn rules(found: &[Finding]) -> Vec<(&str, &str)> {
    found
        .iter()
        .filter(|f| f.category != Category::Support)
        .map(|f| (f.rule.as_str(), f.message.as_str()))
        .collect()
}

#[test]
fn the_clean_page_has_no_accessibility_link_or_content_finding() {
    let found = run(&page("<p>Hello</p>"));
    assert!(rules(&found).is_empty(), "{:#?}", rules(&found));
}

#[test]
fn lang_dir_and_title() {
    let good = page("<p>Hi</p>");
    fails_and_passes("a11y:lang", &good.replace(" lang=\"en\"", ""), &good);
    fails_and_passes("a11y:dir", &good.replace(" dir=\"ltr\"", ""), &good);
    fails_and_passes(
        "a11y:title",
        &good.replace("<title>Sale</title>", "<title> </title>"),
        &good,
    );
}

#[test]
fn layout_tables_need_role_presentation_and_data_tables_do_not() {
    fails_and_passes(
        "a11y:table-role",
        &page("<table><tr><td>Layout</td></tr></table>"),
        &page("<table role=\"presentation\"><tr><td>Layout</td></tr></table><table><tr><th>Size</th></tr><tr><td>M</td></tr></table>"),
    );
}

#[test]
fn alt_text_missing_file_name_and_image_only_links() {
    fails_and_passes(
        "a11y:img-alt",
        &page("<img src=\"https://shop.test/a.png\">"),
        &page("<img src=\"https://shop.test/a.png\" alt=\"\"><img src=\"https://shop.test/b.png\" alt=\"Red jacket\">"),
    );
    fails_and_passes(
        "a11y:img-alt-filename",
        &page("<img src=\"https://shop.test/a.png\" alt=\"IMG_2034.jpg\">"),
        &page("<img src=\"https://shop.test/a.png\" alt=\"A red jacket on snow\">"),
    );
    fails_and_passes(
        "a11y:link-name",
        &page("<a href=\"https://shop.test/\"><img src=\"https://shop.test/logo.png\" alt=\"\" height=\"50\"></a>"),
        &page("<a href=\"https://shop.test/\"><img src=\"https://shop.test/logo.png\" alt=\"Shop home\" height=\"50\"></a>"),
    );
}

#[test]
fn headings_must_not_skip_levels() {
    fails_and_passes(
        "a11y:heading-order",
        &page("<h1>Sale</h1><h3>Jackets</h3>"),
        &page("<h1>Sale</h1><h2>Jackets</h2><h3>Down</h3><h2>Boots</h2>"),
    );
}

#[test]
fn link_text_must_say_where_it_goes() {
    fails_and_passes(
        "a11y:link-text",
        &page("<p><a href=\"https://shop.test/sale\">Click here</a></p>"),
        &page("<p><a href=\"https://shop.test/sale\">Shop the winter sale</a></p>"),
    );
}

#[test]
fn contrast_in_light_mode_uses_the_inlined_colours() {
    // #777777 on white is 4.48:1, under AA's 4.5:1 for body text; #767676 is 4.54:1.
    fails_and_passes(
        "a11y:contrast",
        &page("<p style=\"color:#777777\">Fine print</p>"),
        &page("<p style=\"color:#767676\">Fine print</p>"),
    );
    // Large text needs 3:1: #949494 (3.03:1) passes at 24 px and fails at 16 px.
    fails_and_passes(
        "a11y:contrast",
        &page("<p style=\"color:#949494;font-size:16px\">Big</p>"),
        &page("<p style=\"color:#949494;font-size:24px\">Big</p>"),
    );
    // Backgrounds come from the nearest ancestor's bgcolor or background-color.
    fails_and_passes(
        "a11y:contrast",
        &page("<table role=\"presentation\"><tr><td bgcolor=\"#1f6f50\"><p style=\"color:#2a2a2a\">On green</p></td></tr></table>"),
        &page("<table role=\"presentation\"><tr><td bgcolor=\"#1f6f50\"><p style=\"color:#ffffff\">On green</p></td></tr></table>"),
    );
}

#[test]
fn contrast_in_dark_mode_applies_the_emails_dark_rules() {
    let dark = |text_rule: &str| {
        page(&format!(
            "<style>@media (prefers-color-scheme: dark) {{ .card {{ background-color: #111111 !important; }} {text_rule} }}</style>\
             <table role=\"presentation\"><tr><td class=\"card\" style=\"background-color:#ffffff\"><p class=\"copy\" style=\"color:#222222\">Dark text</p></td></tr></table>"
        ))
    };
    // The card turns near-black in dark mode while the text stays #222222: unreadable.
    fails_and_passes(
        "a11y:contrast-dark",
        &dark(""),
        &dark(".card .copy { color: #eeeeee !important; }"),
    );
}

#[test]
fn contrast_in_dark_mode_reads_outlook_coms_data_ogsc_and_data_ogsb_forms() {
    // The theme writes every dark colour a second time for Outlook.com, whose dark mode marks
    // the elements it recolours with data-ogsb (backgrounds) and data-ogsc (text colours).
    let dark = |text_rule: &str| {
        page(&format!(
            "<style>[data-ogsb] .card {{ background-color: #111111 !important; }} {text_rule}</style>\
             <table role=\"presentation\"><tr><td class=\"card\" style=\"background-color:#ffffff\"><p class=\"copy\" style=\"color:#222222\">Dark text</p></td></tr></table>"
        ))
    };
    fails_and_passes(
        "a11y:contrast-dark",
        &dark(""),
        &dark("[data-ogsc] .card .copy { color: #eeeeee !important; }"),
    );
    // A text colour under data-ogsb (or a background under data-ogsc) is not what Outlook.com
    // applies: it does not rescue the pair.
    let found = run(&dark("[data-ogsb] .card .copy { color: #eeeeee !important; }"));
    assert!(has(&found, "a11y:contrast-dark"), "{:#?}", rules(&found));
}

#[test]
fn small_text_and_small_tap_targets() {
    fails_and_passes(
        "a11y:font-size",
        &page("<p style=\"font-size:11px\">Tiny</p>"),
        &page(
            "<p style=\"font-size:14px\">Readable</p><div style=\"display:none;font-size:1px\">hidden preheader</div>",
        ),
    );
    fails_and_passes(
        "a11y:tap-target",
        &page("<a href=\"https://shop.test/\" style=\"display:inline-block;padding:4px 8px;line-height:16px\">Shop the sale</a>"),
        &page("<a href=\"https://shop.test/\" style=\"display:inline-block;padding:14px 28px;line-height:20px\">Shop the sale</a>"),
    );
}

#[test]
fn unsafe_empty_placeholder_and_plain_http_links() {
    fails_and_passes(
        "link:unsafe-scheme",
        &page("<a href=\"javascript:alert(1)\">Open the offer</a>"),
        &page("<a href=\"https://shop.test/offer\">Open the offer</a>"),
    );
    fails_and_passes(
        "link:empty",
        &page("<a href=\"#\">Open the offer</a>"),
        &page("<a href=\"https://shop.test/o\">Open the offer</a>"),
    );
    fails_and_passes(
        "link:placeholder",
        &page("<a href=\"https://example.com/offer\">Open the offer</a>"),
        &page("<a href=\"https://shop.test/offer\">Open the offer</a>"),
    );
    fails_and_passes(
        "link:http",
        &page("<a href=\"http://shop.test/offer\">Open the offer</a>"),
        &page("<a href=\"https://shop.test/offer\">Open the offer</a>"),
    );
}

#[test]
fn link_text_naming_another_domain_is_deceptive() {
    fails_and_passes(
        "link:deceptive",
        &page("<a href=\"https://tracker.evil.test/x\">www.shop.test/account</a>"),
        &page("<a href=\"https://links.shop.test/x\">shop.test/account</a>"),
    );
}

#[test]
fn unsubscribe_link_and_one_click_headers() {
    let without = "<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><head><title>T</title></head><body><p>Hello there, this is a newsletter with enough words in it to count as text, surely by now.</p></body></html>";
    fails_and_passes("link:unsubscribe", without, &page("<p>Hi</p>"));
    let html = page("<p>Hi</p>");
    let input = Input {
        html: &html,
        subject: "S",
        preheader: "P",
        ..Input::default()
    };
    let found = |list_unsubscribe| {
        check(
            &input,
            &Options {
                list_unsubscribe,
                ..Options::default()
            },
        )
        .findings
    };
    assert!(has(&found(Some(false)), "link:one-click"));
    assert!(!has(&found(Some(true)), "link:one-click"));
    assert!(!has(&found(None), "link:one-click"));
}

#[test]
fn tracking_parameters_must_agree_across_links() {
    fails_and_passes(
        "link:tracking",
        &page("<a href=\"https://shop.test/a?utm_source=email&utm_campaign=winter\">Jackets</a><a href=\"https://shop.test/b?utm_source=email&utm_campaign=summer\">Boots</a>"),
        &page("<a href=\"https://shop.test/a?utm_source=email&utm_campaign=winter&utm_content=a\">Jackets</a><a href=\"https://shop.test/b?utm_source=email&utm_campaign=winter&utm_content=b\">Boots</a><a href=\"https://shop.test/help\">Help</a>"),
    );
}

#[test]
fn preheader_image_only_size_and_placeholders() {
    let html = page("<p>Hi</p>");
    let with = |subject: &'static str, preheader: &'static str| {
        run_with(&Input {
            html: &html,
            subject,
            preheader,
            ..Input::default()
        })
    };
    assert!(has(&with("Winter sale", ""), "content:preheader"));
    assert!(has(&with("Winter sale", " winter SALE "), "content:preheader"));
    assert!(!has(&with("Winter sale", "Forty percent off"), "content:preheader"));

    let image_only = "<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><head><title>T</title></head><body><img src=\"https://shop.test/all.png\" alt=\"Sale\"><a href=\"https://shop.test/unsubscribe\">Unsubscribe</a></body></html>";
    fails_and_passes(
        "content:image-only",
        image_only,
        &page("<img src=\"https://shop.test/all.png\" alt=\"Sale\">"),
    );

    let big = page(&"<p>Lots of words in a long newsletter.</p>".repeat(3000));
    let found = run(&big);
    assert!(found
        .iter()
        .any(|f| f.rule == "content:gmail-clip" && f.level == Level::Error));
    assert!(!has(&run(&html), "content:gmail-clip"));

    fails_and_passes(
        "content:unresolved",
        &page("<p>Hi {{profile.first_name}}</p>"),
        &page("<p>Hi Ada</p>"),
    );

    let found = run_with(&Input {
        html: &html,
        subject: "S",
        preheader: "P",
        fallbacks: vec![Fallback {
            block: "hero".into(),
            placeholder: "{{profile.first_name}}".into(),
            field: Some("profile.first_name".into()),
            value: "there".into(),
        }],
        ..Input::default()
    });
    let fallback = found.iter().find(|f| f.rule == "content:fallback");
    assert_eq!(fallback.and_then(|f| f.block.as_deref()), Some("hero"));

    // The AMP part: a warning over 200 KB, nothing at or under it, nothing without an AMP part.
    let amp = |bytes: Option<usize>| {
        run_with(&Input {
            html: &html,
            subject: "S",
            preheader: "P",
            amp_bytes: bytes,
            ..Input::default()
        })
    };
    let over = amp(Some(200 * 1024 + 1));
    let finding = over
        .iter()
        .find(|f| f.rule == "content:amp-size")
        .expect("AMP size finding");
    assert_eq!(finding.level, Level::Warning);
    assert!(finding.message.contains("201 KB"), "{}", finding.message);
    assert!(!has(&amp(Some(200 * 1024)), "content:amp-size"));
    assert!(!has(&amp(None), "content:amp-size"));

    let sizes = |src: &str| (src == "images/hero.jpg").then_some(400 * 1024);
    let local = page("<img src=\"images/hero.jpg\" alt=\"Hero\"><img src=\"images/small.jpg\" alt=\"Small\">");
    let found = check(
        &Input {
            html: &local,
            subject: "S",
            preheader: "P",
            ..Input::default()
        },
        &Options {
            image_size: Some(&sizes),
            ..Options::default()
        },
    )
    .findings;
    let heavy: Vec<&str> = found
        .iter()
        .filter(|f| f.rule == "content:image-weight")
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(heavy, ["images/hero.jpg"]);
}

#[test]
fn support_findings_name_the_block_and_the_field_the_css_came_from() {
    let html = page(
        "<!--tsr-block:intro--><div style=\"display:flex\">A</div><!--/tsr-block-->\
         <!--tsr-block:promo--><div style=\"display: grid\">B</div><!--/tsr-block-->",
    );
    let input = Input {
        html: &html,
        subject: "S",
        preheader: "P",
        blocks: vec![BlockFields {
            block: "promo".into(),
            kind: "custom".into(),
            fields: vec![("style".into(), "display: grid".into()), ("label".into(), "B".into())],
        }],
        ..Input::default()
    };
    let found = run_with(&input);
    let flex = found
        .iter()
        .find(|f| f.rule == "support:css-display-flex" && f.level == Level::Error);
    let flex = flex.expect("display:flex is unsupported somewhere");
    assert_eq!(flex.block.as_deref(), Some("intro"));
    assert_eq!(flex.field, None);
    assert!(
        flex.clients.iter().any(|c| c == "outlook.windows"),
        "{:?}",
        flex.clients
    );
    assert!(flex.message.contains("Outlook Windows"), "{}", flex.message);
    let grid = found
        .iter()
        .find(|f| f.rule == "support:css-display-grid")
        .expect("grid");
    assert_eq!(
        (grid.block.as_deref(), grid.field.as_deref()),
        (Some("promo"), Some("style"))
    );
}

#[test]
fn outlook_conditional_comments_are_not_flagged_and_plain_comments_are() {
    let comments = |html: &str| {
        let markup = tessera_qa::markup::parse(html);
        tessera_qa::support::uses(&markup, &[])
            .iter()
            .filter(|u| {
                tessera_qa::data::data()
                    .data
                    .get(u.feature)
                    .is_some_and(|f| f.title == "HTML comments")
            })
            .count()
    };
    let conditional = page("<!--[if mso]><table role=\"presentation\"><tr><td><![endif]--><p>x</p><!--[if mso]></td></tr></table><![endif]--><!--[if !mso]><!--><p>y</p><!--<![endif]-->");
    assert_eq!(comments(&conditional), 0);
    assert_eq!(comments(&page("<!-- note --><p>x</p>")), 1);
}

#[test]
fn the_family_summary_counts_each_feature_once_at_its_worst() {
    let html = page("<div style=\"display:flex\">A</div>");
    let report = check(
        &Input {
            html: &html,
            ..Input::default()
        },
        &Options::default(),
    );
    let outlook = report.families.iter().find(|f| f.family == "outlook").expect("outlook");
    assert_eq!(outlook.clients.len(), 5);
    assert!(outlook.red >= 1);
    let apple = report
        .families
        .iter()
        .find(|f| f.family == "apple-mail")
        .expect("apple");
    assert_eq!(apple.red, 0, "{apple:?}");
    assert!(apple.green > 5);
}
