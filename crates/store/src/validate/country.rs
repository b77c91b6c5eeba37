//! Countries: ISO 3166-1 alpha-2 codes from the many ways a country is written.
//!
//! [`country_code`] recognizes, for every one of the 249 ISO 3166-1 countries and territories,
//! its alpha-2 code (`de`, `DE`), its alpha-3 code (`DEU`) and its English name (`Germany`), plus
//! the ISO formal and official names (`Korea, Republic of`, `Federal Republic of Germany`), common
//! English variants (`USA`, `U.S.`, `UK`, `Great Britain`, `England`, `Holland`, `Czech Republic`,
//! `Ivory Coast`...) and, for the biggest e-commerce markets, the country's own names
//! (`Deutschland`, `España`, `Österreich`, `Schweiz`, `Suisse`, `日本`...) and its names in
//! German, French, Spanish, Italian and Dutch (`Frankreich`, `Allemagne`, `Estados Unidos`...).
//!
//! Matching ignores case, surrounding whitespace, punctuation and spacing (`U.S.A.`, `u s a`,
//! `Bosnia-Herzegovina`), accents and other diacritics on Latin letters (`Osterreich`,
//! `Cote d'Ivoire`), a leading or trailing `The` (`The Netherlands`, `Netherlands, The`), `&` for
//! `and` and `St` for `Saint` (`St. Lucia`). Anything else — a misspelling, a region, a city,
//! `America`, `Europe` — is not recognized. `Korea` alone is South Korea (`KR`) and `Congo` alone
//! is the Republic of the Congo (`CG`), as in ISO 3166-1.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cmp::Ordering;
use std::sync::OnceLock;

/// The ISO 3166-1 alpha-2 code of the country `input` names, or `None` when it is not recognized.
///
/// See the [module docs](self) for what is recognized.
#[must_use]
pub fn country_code(input: &str) -> Option<&'static str> {
    let key = Key::of(input)?;
    let key = key.as_str()?;
    if key.len() == 2 {
        if let Ok(i) = COUNTRIES.binary_search_by(|(alpha2, _, _)| cmp_code(alpha2, key)) {
            return COUNTRIES.get(i).map(|(alpha2, _, _)| *alpha2);
        }
    }
    let index = index();
    let i = index.binary_search_by(|(name, _)| name.as_ref().cmp(key)).ok()?;
    index.get(i).map(|(_, code)| *code)
}

/// Compares an upper-case table code with a lower-case key.
fn cmp_code(code: &str, key: &str) -> Ordering {
    code.bytes().map(|b| b.to_ascii_lowercase()).cmp(key.bytes())
}

/// Every alpha-3 code and name with its alpha-2 code, normalized and sorted for binary search.
fn index() -> &'static [(Box<str>, &'static str)] {
    static INDEX: OnceLock<Vec<(Box<str>, &'static str)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: Vec<(Box<str>, &'static str)> = index_entries().collect();
        index.sort_unstable();
        index.dedup_by(|a, b| a.0 == b.0);
        index
    })
}

/// The unsorted entries of [`index`]: normalized alpha-3 codes, names and aliases (also with
/// `st` for a leading `saint`), with their alpha-2 codes.
fn index_entries() -> impl Iterator<Item = (Box<str>, &'static str)> {
    let codes = COUNTRIES.iter().map(|(alpha2, alpha3, _)| (*alpha3, *alpha2));
    let names = COUNTRIES.iter().map(|(alpha2, _, name)| (*name, *alpha2));
    let aliases = ISO_NAMES.iter().chain(ALIASES).map(|(name, alpha2)| (*name, *alpha2));
    codes.chain(names).chain(aliases).flat_map(|(name, alpha2)| {
        let key = Key::of(name).and_then(|k| k.as_str().map(Box::<str>::from));
        let saint = key
            .as_deref()
            .and_then(|k| k.strip_prefix("saint"))
            .map(|rest| format!("st{rest}").into_boxed_str());
        key.into_iter().chain(saint).map(move |k| (k, alpha2))
    })
}

/// The longest normalized name, in bytes; longer input is no country.
const KEY_CAP: usize = 64;

/// A normalized name: lower case, Latin diacritics removed, only letters and digits, a leading or
/// trailing `the` dropped, `&` spelled `and`. Kept on the stack.
struct Key {
    buf: [u8; KEY_CAP],
    len: usize,
    overflow: bool,
}

impl Key {
    /// Normalizes `input`; `None` when it is too long to be a country or has no letters.
    fn of(input: &str) -> Option<Key> {
        let mut key = Key {
            buf: [0; KEY_CAP],
            len: 0,
            overflow: false,
        };
        let mut words = 0;
        let mut in_word = false;
        let mut last_word_start = 0;
        let mut end_word = |key: &mut Key, in_word: &mut bool| {
            if *in_word {
                words += 1;
                if words == 1 && key.bytes() == b"the" {
                    key.len = 0;
                }
            }
            *in_word = false;
        };
        for c in input.chars() {
            if c.is_ascii_alphanumeric() {
                if !in_word {
                    last_word_start = key.len;
                }
                key.push(c.to_ascii_lowercase());
                in_word = true;
            } else if c == '&' {
                end_word(&mut key, &mut in_word);
                last_word_start = key.len;
                key.push_str("and");
                in_word = true;
            } else if c.is_ascii() {
                end_word(&mut key, &mut in_word);
            } else {
                for lower in c.to_lowercase() {
                    if is_combining_mark(lower) {
                        continue;
                    }
                    let folded = fold(lower);
                    if folded.is_some() || lower.is_alphanumeric() {
                        if !in_word {
                            last_word_start = key.len;
                        }
                        match folded {
                            Some(folded) => key.push_str(folded),
                            None => key.push(lower),
                        }
                        in_word = true;
                    } else {
                        end_word(&mut key, &mut in_word);
                    }
                }
            }
            if key.overflow {
                return None;
            }
        }
        end_word(&mut key, &mut in_word);
        // A trailing `the` word, as in `Netherlands, The`.
        if last_word_start > 0 && key.bytes().get(last_word_start..) == Some(b"the".as_slice()) {
            key.len = last_word_start;
        }
        (key.len > 0).then_some(key)
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.bytes()).ok()
    }

    fn push(&mut self, c: char) {
        let mut utf8 = [0; 4];
        self.push_str(c.encode_utf8(&mut utf8));
    }

    fn push_str(&mut self, s: &str) {
        match self.buf.get_mut(self.len..self.len + s.len()) {
            Some(slot) => {
                slot.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            None => self.overflow = true,
        }
    }
}

/// Whether `c` is a combining diacritical mark (as in decomposed `O` + `◌̈`).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}')
}

/// The ASCII spelling of a lower-case Latin letter with a diacritic (`é` → `e`, `ß` → `ss`).
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ǻ' | 'ạ'..='ặ' => "a",
        'æ' | 'ǽ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẹ'..='ệ' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ỉ' | 'ị' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ơ' | 'ǒ' | 'ǿ' | 'ọ'..='ợ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ụ'..='ự' => {
            "u"
        }
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'ỳ'..='ỹ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Every ISO 3166-1 country and territory, sorted by alpha-2 code: alpha-2 code, alpha-3 code,
/// English short name.
const COUNTRIES: [(&str, &str, &str); 249] = [
    ("AD", "AND", "Andorra"),
    ("AE", "ARE", "United Arab Emirates"),
    ("AF", "AFG", "Afghanistan"),
    ("AG", "ATG", "Antigua and Barbuda"),
    ("AI", "AIA", "Anguilla"),
    ("AL", "ALB", "Albania"),
    ("AM", "ARM", "Armenia"),
    ("AO", "AGO", "Angola"),
    ("AQ", "ATA", "Antarctica"),
    ("AR", "ARG", "Argentina"),
    ("AS", "ASM", "American Samoa"),
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("AW", "ABW", "Aruba"),
    ("AX", "ALA", "Åland Islands"),
    ("AZ", "AZE", "Azerbaijan"),
    ("BA", "BIH", "Bosnia and Herzegovina"),
    ("BB", "BRB", "Barbados"),
    ("BD", "BGD", "Bangladesh"),
    ("BE", "BEL", "Belgium"),
    ("BF", "BFA", "Burkina Faso"),
    ("BG", "BGR", "Bulgaria"),
    ("BH", "BHR", "Bahrain"),
    ("BI", "BDI", "Burundi"),
    ("BJ", "BEN", "Benin"),
    ("BL", "BLM", "Saint Barthélemy"),
    ("BM", "BMU", "Bermuda"),
    ("BN", "BRN", "Brunei Darussalam"),
    ("BO", "BOL", "Bolivia"),
    ("BQ", "BES", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "BRA", "Brazil"),
    ("BS", "BHS", "Bahamas"),
    ("BT", "BTN", "Bhutan"),
    ("BV", "BVT", "Bouvet Island"),
    ("BW", "BWA", "Botswana"),
    ("BY", "BLR", "Belarus"),
    ("BZ", "BLZ", "Belize"),
    ("CA", "CAN", "Canada"),
    ("CC", "CCK", "Cocos (Keeling) Islands"),
    ("CD", "COD", "Congo, The Democratic Republic of the"),
    ("CF", "CAF", "Central African Republic"),
    ("CG", "COG", "Congo"),
    ("CH", "CHE", "Switzerland"),
    ("CI", "CIV", "Côte d'Ivoire"),
    ("CK", "COK", "Cook Islands"),
    ("CL", "CHL", "Chile"),
    ("CM", "CMR", "Cameroon"),
    ("CN", "CHN", "China"),
    ("CO", "COL", "Colombia"),
    ("CR", "CRI", "Costa Rica"),
    ("CU", "CUB", "Cuba"),
    ("CV", "CPV", "Cabo Verde"),
    ("CW", "CUW", "Curaçao"),
    ("CX", "CXR", "Christmas Island"),
    ("CY", "CYP", "Cyprus"),
    ("CZ", "CZE", "Czechia"),
    ("DE", "DEU", "Germany"),
    ("DJ", "DJI", "Djibouti"),
    ("DK", "DNK", "Denmark"),
    ("DM", "DMA", "Dominica"),
    ("DO", "DOM", "Dominican Republic"),
    ("DZ", "DZA", "Algeria"),
    ("EC", "ECU", "Ecuador"),
    ("EE", "EST", "Estonia"),
    ("EG", "EGY", "Egypt"),
    ("EH", "ESH", "Western Sahara"),
    ("ER", "ERI", "Eritrea"),
    ("ES", "ESP", "Spain"),
    ("ET", "ETH", "Ethiopia"),
    ("FI", "FIN", "Finland"),
    ("FJ", "FJI", "Fiji"),
    ("FK", "FLK", "Falkland Islands (Malvinas)"),
    ("FM", "FSM", "Micronesia, Federated States of"),
    ("FO", "FRO", "Faroe Islands"),
    ("FR", "FRA", "France"),
    ("GA", "GAB", "Gabon"),
    ("GB", "GBR", "United Kingdom"),
    ("GD", "GRD", "Grenada"),
    ("GE", "GEO", "Georgia"),
    ("GF", "GUF", "French Guiana"),
    ("GG", "GGY", "Guernsey"),
    ("GH", "GHA", "Ghana"),
    ("GI", "GIB", "Gibraltar"),
    ("GL", "GRL", "Greenland"),
    ("GM", "GMB", "Gambia"),
    ("GN", "GIN", "Guinea"),
    ("GP", "GLP", "Guadeloupe"),
    ("GQ", "GNQ", "Equatorial Guinea"),
    ("GR", "GRC", "Greece"),
    ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
    ("GT", "GTM", "Guatemala"),
    ("GU", "GUM", "Guam"),
    ("GW", "GNB", "Guinea-Bissau"),
    ("GY", "GUY", "Guyana"),
    ("HK", "HKG", "Hong Kong"),
    ("HM", "HMD", "Heard Island and McDonald Islands"),
    ("HN", "HND", "Honduras"),
    ("HR", "HRV", "Croatia"),
    ("HT", "HTI", "Haiti"),
    ("HU", "HUN", "Hungary"),
    ("ID", "IDN", "Indonesia"),
    ("IE", "IRL", "Ireland"),
    ("IL", "ISR", "Israel"),
    ("IM", "IMN", "Isle of Man"),
    ("IN", "IND", "India"),
    ("IO", "IOT", "British Indian Ocean Territory"),
    ("IQ", "IRQ", "Iraq"),
    ("IR", "IRN", "Iran"),
    ("IS", "ISL", "Iceland"),
    ("IT", "ITA", "Italy"),
    ("JE", "JEY", "Jersey"),
    ("JM", "JAM", "Jamaica"),
    ("JO", "JOR", "Jordan"),
    ("JP", "JPN", "Japan"),
    ("KE", "KEN", "Kenya"),
    ("KG", "KGZ", "Kyrgyzstan"),
    ("KH", "KHM", "Cambodia"),
    ("KI", "KIR", "Kiribati"),
    ("KM", "COM", "Comoros"),
    ("KN", "KNA", "Saint Kitts and Nevis"),
    ("KP", "PRK", "North Korea"),
    ("KR", "KOR", "South Korea"),
    ("KW", "KWT", "Kuwait"),
    ("KY", "CYM", "Cayman Islands"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("LA", "LAO", "Laos"),
    ("LB", "LBN", "Lebanon"),
    ("LC", "LCA", "Saint Lucia"),
    ("LI", "LIE", "Liechtenstein"),
    ("LK", "LKA", "Sri Lanka"),
    ("LR", "LBR", "Liberia"),
    ("LS", "LSO", "Lesotho"),
    ("LT", "LTU", "Lithuania"),
    ("LU", "LUX", "Luxembourg"),
    ("LV", "LVA", "Latvia"),
    ("LY", "LBY", "Libya"),
    ("MA", "MAR", "Morocco"),
    ("MC", "MCO", "Monaco"),
    ("MD", "MDA", "Moldova"),
    ("ME", "MNE", "Montenegro"),
    ("MF", "MAF", "Saint Martin (French part)"),
    ("MG", "MDG", "Madagascar"),
    ("MH", "MHL", "Marshall Islands"),
    ("MK", "MKD", "North Macedonia"),
    ("ML", "MLI", "Mali"),
    ("MM", "MMR", "Myanmar"),
    ("MN", "MNG", "Mongolia"),
    ("MO", "MAC", "Macao"),
    ("MP", "MNP", "Northern Mariana Islands"),
    ("MQ", "MTQ", "Martinique"),
    ("MR", "MRT", "Mauritania"),
    ("MS", "MSR", "Montserrat"),
    ("MT", "MLT", "Malta"),
    ("MU", "MUS", "Mauritius"),
    ("MV", "MDV", "Maldives"),
    ("MW", "MWI", "Malawi"),
    ("MX", "MEX", "Mexico"),
    ("MY", "MYS", "Malaysia"),
    ("MZ", "MOZ", "Mozambique"),
    ("NA", "NAM", "Namibia"),
    ("NC", "NCL", "New Caledonia"),
    ("NE", "NER", "Niger"),
    ("NF", "NFK", "Norfolk Island"),
    ("NG", "NGA", "Nigeria"),
    ("NI", "NIC", "Nicaragua"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NP", "NPL", "Nepal"),
    ("NR", "NRU", "Nauru"),
    ("NU", "NIU", "Niue"),
    ("NZ", "NZL", "New Zealand"),
    ("OM", "OMN", "Oman"),
    ("PA", "PAN", "Panama"),
    ("PE", "PER", "Peru"),
    ("PF", "PYF", "French Polynesia"),
    ("PG", "PNG", "Papua New Guinea"),
    ("PH", "PHL", "Philippines"),
    ("PK", "PAK", "Pakistan"),
    ("PL", "POL", "Poland"),
    ("PM", "SPM", "Saint Pierre and Miquelon"),
    ("PN", "PCN", "Pitcairn"),
    ("PR", "PRI", "Puerto Rico"),
    ("PS", "PSE", "Palestine, State of"),
    ("PT", "PRT", "Portugal"),
    ("PW", "PLW", "Palau"),
    ("PY", "PRY", "Paraguay"),
    ("QA", "QAT", "Qatar"),
    ("RE", "REU", "Réunion"),
    ("RO", "ROU", "Romania"),
    ("RS", "SRB", "Serbia"),
    ("RU", "RUS", "Russian Federation"),
    ("RW", "RWA", "Rwanda"),
    ("SA", "SAU", "Saudi Arabia"),
    ("SB", "SLB", "Solomon Islands"),
    ("SC", "SYC", "Seychelles"),
    ("SD", "SDN", "Sudan"),
    ("SE", "SWE", "Sweden"),
    ("SG", "SGP", "Singapore"),
    ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "SVN", "Slovenia"),
    ("SJ", "SJM", "Svalbard and Jan Mayen"),
    ("SK", "SVK", "Slovakia"),
    ("SL", "SLE", "Sierra Leone"),
    ("SM", "SMR", "San Marino"),
    ("SN", "SEN", "Senegal"),
    ("SO", "SOM", "Somalia"),
    ("SR", "SUR", "Suriname"),
    ("SS", "SSD", "South Sudan"),
    ("ST", "STP", "Sao Tome and Principe"),
    ("SV", "SLV", "El Salvador"),
    ("SX", "SXM", "Sint Maarten (Dutch part)"),
    ("SY", "SYR", "Syria"),
    ("SZ", "SWZ", "Eswatini"),
    ("TC", "TCA", "Turks and Caicos Islands"),
    ("TD", "TCD", "Chad"),
    ("TF", "ATF", "French Southern Territories"),
    ("TG", "TGO", "Togo"),
    ("TH", "THA", "Thailand"),
    ("TJ", "TJK", "Tajikistan"),
    ("TK", "TKL", "Tokelau"),
    ("TL", "TLS", "Timor-Leste"),
    ("TM", "TKM", "Turkmenistan"),
    ("TN", "TUN", "Tunisia"),
    ("TO", "TON", "Tonga"),
    ("TR", "TUR", "Türkiye"),
    ("TT", "TTO", "Trinidad and Tobago"),
    ("TV", "TUV", "Tuvalu"),
    ("TW", "TWN", "Taiwan"),
    ("TZ", "TZA", "Tanzania"),
    ("UA", "UKR", "Ukraine"),
    ("UG", "UGA", "Uganda"),
    ("UM", "UMI", "United States Minor Outlying Islands"),
    ("US", "USA", "United States"),
    ("UY", "URY", "Uruguay"),
    ("UZ", "UZB", "Uzbekistan"),
    ("VA", "VAT", "Holy See (Vatican City State)"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"),
    ("VE", "VEN", "Venezuela"),
    ("VG", "VGB", "Virgin Islands, British"),
    ("VI", "VIR", "Virgin Islands, U.S."),
    ("VN", "VNM", "Vietnam"),
    ("VU", "VUT", "Vanuatu"),
    ("WF", "WLF", "Wallis and Futuna"),
    ("WS", "WSM", "Samoa"),
    ("YE", "YEM", "Yemen"),
    ("YT", "MYT", "Mayotte"),
    ("ZA", "ZAF", "South Africa"),
    ("ZM", "ZMB", "Zambia"),
    ("ZW", "ZWE", "Zimbabwe"),
];

/// The ISO formal and official names that differ from the names in [`COUNTRIES`].
const ISO_NAMES: &[(&str, &str)] = &[
    ("Principality of Andorra", "AD"),
    ("Islamic Republic of Afghanistan", "AF"),
    ("Republic of Albania", "AL"),
    ("Republic of Armenia", "AM"),
    ("Republic of Angola", "AO"),
    ("Argentine Republic", "AR"),
    ("Republic of Austria", "AT"),
    ("Republic of Azerbaijan", "AZ"),
    ("Republic of Bosnia and Herzegovina", "BA"),
    ("People's Republic of Bangladesh", "BD"),
    ("Kingdom of Belgium", "BE"),
    ("Republic of Bulgaria", "BG"),
    ("Kingdom of Bahrain", "BH"),
    ("Republic of Burundi", "BI"),
    ("Republic of Benin", "BJ"),
    ("Bolivia, Plurinational State of", "BO"),
    ("Plurinational State of Bolivia", "BO"),
    ("Federative Republic of Brazil", "BR"),
    ("Commonwealth of the Bahamas", "BS"),
    ("Kingdom of Bhutan", "BT"),
    ("Republic of Botswana", "BW"),
    ("Republic of Belarus", "BY"),
    ("Republic of the Congo", "CG"),
    ("Swiss Confederation", "CH"),
    ("Republic of Côte d'Ivoire", "CI"),
    ("Republic of Chile", "CL"),
    ("Republic of Cameroon", "CM"),
    ("People's Republic of China", "CN"),
    ("Republic of Colombia", "CO"),
    ("Republic of Costa Rica", "CR"),
    ("Republic of Cuba", "CU"),
    ("Republic of Cabo Verde", "CV"),
    ("Republic of Cyprus", "CY"),
    ("Czech Republic", "CZ"),
    ("Federal Republic of Germany", "DE"),
    ("Republic of Djibouti", "DJ"),
    ("Kingdom of Denmark", "DK"),
    ("Commonwealth of Dominica", "DM"),
    ("People's Democratic Republic of Algeria", "DZ"),
    ("Republic of Ecuador", "EC"),
    ("Republic of Estonia", "EE"),
    ("Arab Republic of Egypt", "EG"),
    ("the State of Eritrea", "ER"),
    ("Kingdom of Spain", "ES"),
    ("Federal Democratic Republic of Ethiopia", "ET"),
    ("Republic of Finland", "FI"),
    ("Republic of Fiji", "FJ"),
    ("Federated States of Micronesia", "FM"),
    ("French Republic", "FR"),
    ("Gabonese Republic", "GA"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("Republic of Ghana", "GH"),
    ("Republic of the Gambia", "GM"),
    ("Republic of Guinea", "GN"),
    ("Republic of Equatorial Guinea", "GQ"),
    ("Hellenic Republic", "GR"),
    ("Republic of Guatemala", "GT"),
    ("Republic of Guinea-Bissau", "GW"),
    ("Republic of Guyana", "GY"),
    ("Hong Kong Special Administrative Region of China", "HK"),
    ("Republic of Honduras", "HN"),
    ("Republic of Croatia", "HR"),
    ("Republic of Haiti", "HT"),
    ("Republic of Indonesia", "ID"),
    ("State of Israel", "IL"),
    ("Republic of India", "IN"),
    ("Republic of Iraq", "IQ"),
    ("Iran, Islamic Republic of", "IR"),
    ("Islamic Republic of Iran", "IR"),
    ("Republic of Iceland", "IS"),
    ("Italian Republic", "IT"),
    ("Hashemite Kingdom of Jordan", "JO"),
    ("Republic of Kenya", "KE"),
    ("Kyrgyz Republic", "KG"),
    ("Kingdom of Cambodia", "KH"),
    ("Republic of Kiribati", "KI"),
    ("Union of the Comoros", "KM"),
    ("Korea, Democratic People's Republic of", "KP"),
    ("Democratic People's Republic of Korea", "KP"),
    ("Korea, Republic of", "KR"),
    ("State of Kuwait", "KW"),
    ("Republic of Kazakhstan", "KZ"),
    ("Lao People's Democratic Republic", "LA"),
    ("Lebanese Republic", "LB"),
    ("Principality of Liechtenstein", "LI"),
    ("Democratic Socialist Republic of Sri Lanka", "LK"),
    ("Republic of Liberia", "LR"),
    ("Kingdom of Lesotho", "LS"),
    ("Republic of Lithuania", "LT"),
    ("Grand Duchy of Luxembourg", "LU"),
    ("Republic of Latvia", "LV"),
    ("Kingdom of Morocco", "MA"),
    ("Principality of Monaco", "MC"),
    ("Moldova, Republic of", "MD"),
    ("Republic of Moldova", "MD"),
    ("Republic of Madagascar", "MG"),
    ("Republic of the Marshall Islands", "MH"),
    ("Republic of North Macedonia", "MK"),
    ("Republic of Mali", "ML"),
    ("Republic of Myanmar", "MM"),
    ("Macao Special Administrative Region of China", "MO"),
    ("Commonwealth of the Northern Mariana Islands", "MP"),
    ("Islamic Republic of Mauritania", "MR"),
    ("Republic of Malta", "MT"),
    ("Republic of Mauritius", "MU"),
    ("Republic of Maldives", "MV"),
    ("Republic of Malawi", "MW"),
    ("United Mexican States", "MX"),
    ("Republic of Mozambique", "MZ"),
    ("Republic of Namibia", "NA"),
    ("Republic of the Niger", "NE"),
    ("Federal Republic of Nigeria", "NG"),
    ("Republic of Nicaragua", "NI"),
    ("Kingdom of the Netherlands", "NL"),
    ("Kingdom of Norway", "NO"),
    ("Federal Democratic Republic of Nepal", "NP"),
    ("Republic of Nauru", "NR"),
    ("Sultanate of Oman", "OM"),
    ("Republic of Panama", "PA"),
    ("Republic of Peru", "PE"),
    ("Independent State of Papua New Guinea", "PG"),
    ("Republic of the Philippines", "PH"),
    ("Islamic Republic of Pakistan", "PK"),
    ("Republic of Poland", "PL"),
    ("the State of Palestine", "PS"),
    ("Portuguese Republic", "PT"),
    ("Republic of Palau", "PW"),
    ("Republic of Paraguay", "PY"),
    ("State of Qatar", "QA"),
    ("Republic of Serbia", "RS"),
    ("Rwandese Republic", "RW"),
    ("Kingdom of Saudi Arabia", "SA"),
    ("Republic of Seychelles", "SC"),
    ("Republic of the Sudan", "SD"),
    ("Kingdom of Sweden", "SE"),
    ("Republic of Singapore", "SG"),
    ("Republic of Slovenia", "SI"),
    ("Slovak Republic", "SK"),
    ("Republic of Sierra Leone", "SL"),
    ("Republic of San Marino", "SM"),
    ("Republic of Senegal", "SN"),
    ("Federal Republic of Somalia", "SO"),
    ("Republic of Suriname", "SR"),
    ("Republic of South Sudan", "SS"),
    ("Democratic Republic of Sao Tome and Principe", "ST"),
    ("Republic of El Salvador", "SV"),
    ("Syrian Arab Republic", "SY"),
    ("Kingdom of Eswatini", "SZ"),
    ("Republic of Chad", "TD"),
    ("Togolese Republic", "TG"),
    ("Kingdom of Thailand", "TH"),
    ("Republic of Tajikistan", "TJ"),
    ("Democratic Republic of Timor-Leste", "TL"),
    ("Republic of Tunisia", "TN"),
    ("Kingdom of Tonga", "TO"),
    ("Republic of Türkiye", "TR"),
    ("Republic of Trinidad and Tobago", "TT"),
    ("Taiwan, Province of China", "TW"),
    ("Tanzania, United Republic of", "TZ"),
    ("United Republic of Tanzania", "TZ"),
    ("Republic of Uganda", "UG"),
    ("United States of America", "US"),
    ("Eastern Republic of Uruguay", "UY"),
    ("Republic of Uzbekistan", "UZ"),
    ("Venezuela, Bolivarian Republic of", "VE"),
    ("Bolivarian Republic of Venezuela", "VE"),
    ("British Virgin Islands", "VG"),
    ("Virgin Islands of the United States", "VI"),
    ("Viet Nam", "VN"),
    ("Socialist Republic of Viet Nam", "VN"),
    ("Republic of Vanuatu", "VU"),
    ("Independent State of Samoa", "WS"),
    ("Republic of Yemen", "YE"),
    ("Republic of South Africa", "ZA"),
    ("Republic of Zambia", "ZM"),
    ("Republic of Zimbabwe", "ZW"),
];

/// Common English variants, and the country's own names and its German, French, Spanish, Italian
/// and Dutch names for the biggest e-commerce markets, with their alpha-2 codes.
const ALIASES: &[(&str, &str)] = &[
    // Common English variants.
    ("United States", "US"),
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("United States of America", "US"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("Holland", "NL"),
    ("Netherlands", "NL"),
    ("Korea", "KR"),
    ("Korea (South)", "KR"),
    ("Korea (North)", "KP"),
    ("Republic of Korea", "KR"),
    ("DPRK", "KP"),
    ("Czech Republic", "CZ"),
    ("Russia", "RU"),
    ("Turkey", "TR"),
    ("Viet Nam", "VN"),
    ("Ivory Coast", "CI"),
    ("Burma", "MM"),
    ("Swaziland", "SZ"),
    ("Macedonia", "MK"),
    ("Cape Verde", "CV"),
    ("East Timor", "TL"),
    ("Timor-Leste", "TL"),
    ("Brunei", "BN"),
    ("Palestine", "PS"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("Holy See", "VA"),
    ("DR Congo", "CD"),
    ("DRC", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Congo-Kinshasa", "CD"),
    ("Congo-Brazzaville", "CG"),
    ("Bosnia", "BA"),
    ("Bosnia-Herzegovina", "BA"),
    ("Trinidad", "TT"),
    ("Saint Kitts", "KN"),
    ("Saint Vincent", "VC"),
    ("Saint Martin", "MF"),
    ("Saint Helena", "SH"),
    ("Saint Barts", "BL"),
    ("Sint Maarten", "SX"),
    ("Caribbean Netherlands", "BQ"),
    ("Bonaire", "BQ"),
    ("Falkland Islands", "FK"),
    ("Falklands", "FK"),
    ("Micronesia", "FM"),
    ("US Virgin Islands", "VI"),
    ("South Georgia", "GS"),
    ("Heard Island", "HM"),
    ("US Minor Outlying Islands", "UM"),
    ("Cocos Islands", "CC"),
    ("Keeling Islands", "CC"),
    ("Macau", "MO"),
    ("Hong Kong SAR", "HK"),
    ("UAE", "AE"),
    ("U.A.E.", "AE"),
    ("Emirates", "AE"),
    ("KSA", "SA"),
    ("PRC", "CN"),
    ("Mainland China", "CN"),
    ("Republic of Ireland", "IE"),
    ("Kyrgyz Republic", "KG"),
    ("Kirghizia", "KG"),
    ("Belorussia", "BY"),
    ("Byelorussia", "BY"),
    ("Slovak Republic", "SK"),
    // China, Hong Kong, Macao, Taiwan.
    ("中国", "CN"),
    ("中國", "CN"),
    ("Chine", "CN"),
    ("Cina", "CN"),
    ("香港", "HK"),
    ("Hongkong", "HK"),
    ("澳門", "MO"),
    ("澳门", "MO"),
    ("台灣", "TW"),
    ("台湾", "TW"),
    // United States.
    ("Vereinigte Staaten", "US"),
    ("Vereinigte Staaten von Amerika", "US"),
    ("États-Unis", "US"),
    ("Estados Unidos", "US"),
    ("EE. UU.", "US"),
    ("Stati Uniti", "US"),
    ("Verenigde Staten", "US"),
    // United Kingdom.
    ("Vereinigtes Königreich", "GB"),
    ("Großbritannien", "GB"),
    ("Royaume-Uni", "GB"),
    ("Grande-Bretagne", "GB"),
    ("Reino Unido", "GB"),
    ("Regno Unito", "GB"),
    ("Verenigd Koninkrijk", "GB"),
    ("Groot-Brittannië", "GB"),
    // Japan.
    ("日本", "JP"),
    ("Nippon", "JP"),
    ("Nihon", "JP"),
    ("Japon", "JP"),
    ("Giappone", "JP"),
    // South Korea.
    ("대한민국", "KR"),
    ("한국", "KR"),
    ("Südkorea", "KR"),
    ("Corée du Sud", "KR"),
    ("Corea del Sur", "KR"),
    ("Corea del Sud", "KR"),
    ("Zuid-Korea", "KR"),
    // Germany.
    ("Deutschland", "DE"),
    ("Allemagne", "DE"),
    ("Alemania", "DE"),
    ("Germania", "DE"),
    ("Duitsland", "DE"),
    // France.
    ("Frankreich", "FR"),
    ("Francia", "FR"),
    ("Frankrijk", "FR"),
    // India.
    ("भारत", "IN"),
    ("Bharat", "IN"),
    ("Indien", "IN"),
    ("Inde", "IN"),
    // Canada.
    ("Kanada", "CA"),
    // Brazil.
    ("Brasil", "BR"),
    ("Brasilien", "BR"),
    ("Brésil", "BR"),
    ("Brasile", "BR"),
    // Russia.
    ("Россия", "RU"),
    ("Rossiya", "RU"),
    ("Russland", "RU"),
    ("Russie", "RU"),
    ("Rusia", "RU"),
    ("Rusland", "RU"),
    // Spain.
    ("España", "ES"),
    ("Spanien", "ES"),
    ("Espagne", "ES"),
    ("Spagna", "ES"),
    ("Spanje", "ES"),
    // Italy.
    ("Italia", "IT"),
    ("Italien", "IT"),
    ("Italie", "IT"),
    ("Italië", "IT"),
    // Netherlands.
    ("Nederland", "NL"),
    ("Niederlande", "NL"),
    ("Pays-Bas", "NL"),
    ("Países Bajos", "NL"),
    ("Paesi Bassi", "NL"),
    ("Holanda", "NL"),
    // Belgium.
    ("België", "BE"),
    ("Belgique", "BE"),
    ("Belgien", "BE"),
    ("Bélgica", "BE"),
    ("Belgio", "BE"),
    // Luxembourg.
    ("Lëtzebuerg", "LU"),
    ("Luxemburg", "LU"),
    ("Luxemburgo", "LU"),
    ("Lussemburgo", "LU"),
    // Switzerland.
    ("Schweiz", "CH"),
    ("Suisse", "CH"),
    ("Svizzera", "CH"),
    ("Svizra", "CH"),
    ("Confoederatio Helvetica", "CH"),
    ("Suiza", "CH"),
    ("Zwitserland", "CH"),
    // Austria.
    ("Österreich", "AT"),
    ("Oesterreich", "AT"),
    ("Autriche", "AT"),
    ("Oostenrijk", "AT"),
    // Australia, New Zealand.
    ("Australien", "AU"),
    ("Australie", "AU"),
    ("Aotearoa", "NZ"),
    ("Neuseeland", "NZ"),
    ("Nouvelle-Zélande", "NZ"),
    ("Nueva Zelanda", "NZ"),
    // Indonesia, Malaysia, Singapore, Thailand, Vietnam, Philippines.
    ("Indonesien", "ID"),
    ("Indonésie", "ID"),
    ("Malaisie", "MY"),
    ("Malasia", "MY"),
    ("Singapur", "SG"),
    ("Singapour", "SG"),
    ("ประเทศไทย", "TH"),
    ("ไทย", "TH"),
    ("Thaïlande", "TH"),
    ("Tailandia", "TH"),
    ("Việt Nam", "VN"),
    ("Pilipinas", "PH"),
    ("Philippinen", "PH"),
    ("Filipinas", "PH"),
    ("Filippine", "PH"),
    // Mexico and South America.
    ("México", "MX"),
    ("Mexiko", "MX"),
    ("Mexique", "MX"),
    ("Messico", "MX"),
    ("Argentinien", "AR"),
    ("Argentine", "AR"),
    ("Chili", "CL"),
    ("Kolumbien", "CO"),
    ("Colombie", "CO"),
    ("Perú", "PE"),
    ("Pérou", "PE"),
    // Türkiye.
    ("Türkei", "TR"),
    ("Turquie", "TR"),
    ("Turquía", "TR"),
    ("Turchia", "TR"),
    ("Turkije", "TR"),
    // Nordics.
    ("Sverige", "SE"),
    ("Schweden", "SE"),
    ("Suède", "SE"),
    ("Suecia", "SE"),
    ("Svezia", "SE"),
    ("Zweden", "SE"),
    ("Norge", "NO"),
    ("Noreg", "NO"),
    ("Norwegen", "NO"),
    ("Norvège", "NO"),
    ("Noruega", "NO"),
    ("Norvegia", "NO"),
    ("Noorwegen", "NO"),
    ("Danmark", "DK"),
    ("Dänemark", "DK"),
    ("Danemark", "DK"),
    ("Dinamarca", "DK"),
    ("Danimarca", "DK"),
    ("Denemarken", "DK"),
    ("Suomi", "FI"),
    ("Finnland", "FI"),
    ("Finlande", "FI"),
    ("Finlandia", "FI"),
    ("Ísland", "IS"),
    ("Island", "IS"),
    ("Islande", "IS"),
    ("Islandia", "IS"),
    // Central and Eastern Europe.
    ("Polska", "PL"),
    ("Polen", "PL"),
    ("Pologne", "PL"),
    ("Polonia", "PL"),
    ("Česko", "CZ"),
    ("Česká republika", "CZ"),
    ("Tschechien", "CZ"),
    ("Tschechische Republik", "CZ"),
    ("Tchéquie", "CZ"),
    ("República Checa", "CZ"),
    ("Chequia", "CZ"),
    ("Tsjechië", "CZ"),
    ("Slovensko", "SK"),
    ("Slowakei", "SK"),
    ("Slovaquie", "SK"),
    ("Eslovaquia", "SK"),
    ("Slovenija", "SI"),
    ("Slowenien", "SI"),
    ("Slovénie", "SI"),
    ("Magyarország", "HU"),
    ("Ungarn", "HU"),
    ("Hongrie", "HU"),
    ("Hungría", "HU"),
    ("Ungheria", "HU"),
    ("Hongarije", "HU"),
    ("Hrvatska", "HR"),
    ("Kroatien", "HR"),
    ("Croatie", "HR"),
    ("Croacia", "HR"),
    ("România", "RO"),
    ("Rumänien", "RO"),
    ("Roumanie", "RO"),
    ("Rumania", "RO"),
    ("България", "BG"),
    ("Bulgarien", "BG"),
    ("Bulgarie", "BG"),
    ("Србија", "RS"),
    ("Srbija", "RS"),
    ("Serbien", "RS"),
    ("Україна", "UA"),
    ("Ucrania", "UA"),
    ("Ucraina", "UA"),
    ("Oekraïne", "UA"),
    ("Weißrussland", "BY"),
    ("Lietuva", "LT"),
    ("Litauen", "LT"),
    ("Lituanie", "LT"),
    ("Latvija", "LV"),
    ("Lettland", "LV"),
    ("Lettonie", "LV"),
    ("Eesti", "EE"),
    ("Estland", "EE"),
    ("Estonie", "EE"),
    // Southern Europe.
    ("Ελλάδα", "GR"),
    ("Ελλάς", "GR"),
    ("Hellas", "GR"),
    ("Ellada", "GR"),
    ("Griechenland", "GR"),
    ("Grèce", "GR"),
    ("Grecia", "GR"),
    ("Griekenland", "GR"),
    ("Κύπρος", "CY"),
    ("Zypern", "CY"),
    ("Chypre", "CY"),
    ("Chipre", "CY"),
    // Ireland.
    ("Éire", "IE"),
    ("Irland", "IE"),
    ("Irlande", "IE"),
    ("Irlanda", "IE"),
    ("Ierland", "IE"),
    // Middle East and Africa.
    ("ישראל", "IL"),
    ("Israël", "IL"),
    ("السعودية", "SA"),
    ("المملكة العربية السعودية", "SA"),
    ("Saudi-Arabien", "SA"),
    ("Arabie saoudite", "SA"),
    ("Arabia Saudita", "SA"),
    ("الإمارات", "AE"),
    ("الإمارات العربية المتحدة", "AE"),
    ("Vereinigte Arabische Emirate", "AE"),
    ("Émirats arabes unis", "AE"),
    ("Emiratos Árabes Unidos", "AE"),
    ("Emirati Arabi Uniti", "AE"),
    ("مصر", "EG"),
    ("Ägypten", "EG"),
    ("Égypte", "EG"),
    ("Egipto", "EG"),
    ("Marokko", "MA"),
    ("Maroc", "MA"),
    ("Marruecos", "MA"),
    ("Suid-Afrika", "ZA"),
    ("Südafrika", "ZA"),
    ("Afrique du Sud", "ZA"),
    ("Sudáfrica", "ZA"),
    ("Zuid-Afrika", "ZA"),
];

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn recognized() {
        let table: &[(&str, &str)] = &[
            ("de", "DE"),
            ("DE", "DE"),
            (" De ", "DE"),
            ("D.E.", "DE"),
            ("DEU", "DE"),
            ("deu", "DE"),
            ("Germany", "DE"),
            ("GERMANY", "DE"),
            ("  germany\t", "DE"),
            ("Deutschland", "DE"),
            ("Federal Republic of Germany", "DE"),
            ("Allemagne", "DE"),
            ("United States", "US"),
            ("United States of America", "US"),
            ("USA", "US"),
            ("U.S.", "US"),
            ("U.S.A.", "US"),
            ("u. s. a.", "US"),
            ("us", "US"),
            ("Estados Unidos", "US"),
            ("EE. UU.", "US"),
            ("UK", "GB"),
            ("U.K.", "GB"),
            ("GB", "GB"),
            ("GBR", "GB"),
            ("United Kingdom", "GB"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("Scotland", "GB"),
            ("Großbritannien", "GB"),
            ("Grossbritannien", "GB"),
            ("Holland", "NL"),
            ("The Netherlands", "NL"),
            ("the netherlands", "NL"),
            ("Netherlands, The", "NL"),
            ("Nederland", "NL"),
            ("South Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("Republic of Korea", "KR"),
            ("Korea", "KR"),
            ("Korea (South)", "KR"),
            ("Korea (North)", "KP"),
            ("대한민국", "KR"),
            ("North Korea", "KP"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("Česko", "CZ"),
            ("Cesko", "CZ"),
            ("España", "ES"),
            ("Espana", "ES"),
            ("ESPAÑA", "ES"),
            ("Österreich", "AT"),
            ("Osterreich", "AT"),
            ("Oesterreich", "AT"),
            ("O\u{308}sterreich", "AT"),
            ("Schweiz", "CH"),
            ("Suisse", "CH"),
            ("Svizzera", "CH"),
            ("Italia", "IT"),
            ("Sverige", "SE"),
            ("Norge", "NO"),
            ("Danmark", "DK"),
            ("Polska", "PL"),
            ("日本", "JP"),
            (" 日本 ", "JP"),
            ("中国", "CN"),
            ("Brasil", "BR"),
            ("México", "MX"),
            ("Mexico", "MX"),
            ("France", "FR"),
            ("Россия", "RU"),
            ("РОССИЯ", "RU"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Türkiye", "TR"),
            ("Turkiye", "TR"),
            ("Turkey", "TR"),
            ("Ελλάδα", "GR"),
            ("ΕΛΛΆΔΑ", "GR"),
            ("Việt Nam", "VN"),
            ("Vietnam", "VN"),
            ("Viet Nam", "VN"),
            ("Côte d'Ivoire", "CI"),
            ("Cote d’Ivoire", "CI"),
            ("Ivory Coast", "CI"),
            ("Bosnia and Herzegovina", "BA"),
            ("Bosnia & Herzegovina", "BA"),
            ("Bosnia-Herzegovina", "BA"),
            ("Trinidad & Tobago", "TT"),
            ("Saint Lucia", "LC"),
            ("St. Lucia", "LC"),
            ("St Kitts and Nevis", "KN"),
            ("St. Vincent & the Grenadines", "VC"),
            ("The Gambia", "GM"),
            ("Bahamas", "BS"),
            ("The Bahamas", "BS"),
            ("Congo", "CG"),
            ("Republic of the Congo", "CG"),
            ("DR Congo", "CD"),
            ("Congo, The Democratic Republic of the", "CD"),
            ("Democratic Republic of the Congo", "CD"),
            ("Iran", "IR"),
            ("Iran, Islamic Republic of", "IR"),
            ("Åland Islands", "AX"),
            ("Aland Islands", "AX"),
            ("Curaçao", "CW"),
            ("Curacao", "CW"),
            ("Réunion", "RE"),
            ("Sao Tome and Principe", "ST"),
            ("São Tomé and Príncipe", "ST"),
            ("Hong Kong", "HK"),
            ("香港", "HK"),
            ("Taiwan", "TW"),
            ("Holy See (Vatican City State)", "VA"),
            ("Vatican", "VA"),
            ("Virgin Islands, U.S.", "VI"),
            ("Virgin Islands, British", "VG"),
            ("British Virgin Islands", "VG"),
            ("UAE", "AE"),
            ("United Arab Emirates", "AE"),
            ("Éire", "IE"),
            ("Ireland", "IE"),
            ("Island", "IS"),
            ("Iceland", "IS"),
            ("Guinea-Bissau", "GW"),
            ("Guinea Bissau", "GW"),
            ("Guinea", "GN"),
            ("Equatorial Guinea", "GQ"),
            ("Niger", "NE"),
            ("Nigeria", "NG"),
            ("Dominica", "DM"),
            ("Dominican Republic", "DO"),
            ("Weißrussland", "BY"),
            ("Lëtzebuerg", "LU"),
        ];
        for &(input, code) in table {
            assert_eq!(country_code(input), Some(code), "input {input:?}");
        }
    }

    #[test]
    fn not_recognized() {
        for input in [
            "",
            "   ",
            ".",
            "the",
            "The",
            "Atlantis",
            "Germany!!x",
            "Germ any x",
            "XX",
            "EU",
            "EL",
            "X",
            "DEUT",
            "Bavaria",
            "Berlin",
            "America",
            "North America",
            "Europe",
            "Virgin Islands",
            "Deutschland Deutschland Deutschland Deutschland Deutschland Deutschland Deutschland",
            "\u{0}",
            "日",
        ] {
            assert_eq!(country_code(input), None, "input {input:?}");
        }
    }

    #[test]
    fn every_country_by_code_and_name() {
        assert_eq!(COUNTRIES.len(), 249);
        for (alpha2, alpha3, name) in COUNTRIES {
            assert_eq!(country_code(alpha2), Some(alpha2), "{alpha2}");
            assert_eq!(country_code(&alpha2.to_ascii_lowercase()), Some(alpha2), "{alpha2}");
            assert_eq!(country_code(alpha3), Some(alpha2), "{alpha3}");
            assert_eq!(country_code(&alpha3.to_ascii_lowercase()), Some(alpha2), "{alpha3}");
            assert_eq!(country_code(name), Some(alpha2), "{name}");
            assert_eq!(country_code(&name.to_uppercase()), Some(alpha2), "{name}");
            assert_eq!(country_code(&format!("  {name}. ")), Some(alpha2), "{name}");
        }
        for (name, alpha2) in ISO_NAMES.iter().chain(ALIASES) {
            assert_eq!(country_code(name), Some(*alpha2), "{name}");
        }
    }

    #[test]
    fn table_is_consistent() {
        let mut alpha2s: HashSet<&str> = HashSet::new();
        let mut alpha3s: HashSet<&str> = HashSet::new();
        for (alpha2, alpha3, name) in COUNTRIES {
            assert!(
                alpha2.len() == 2 && alpha2.bytes().all(|b| b.is_ascii_uppercase()),
                "{alpha2}"
            );
            assert!(
                alpha3.len() == 3 && alpha3.bytes().all(|b| b.is_ascii_uppercase()),
                "{alpha3}"
            );
            assert!(alpha2s.insert(alpha2), "duplicate {alpha2}");
            assert!(alpha3s.insert(alpha3), "duplicate {alpha3}");
            assert!(!name.is_empty());
        }
        assert!(
            COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0),
            "COUNTRIES must be sorted by alpha-2 code"
        );
        for (name, alpha2) in ISO_NAMES.iter().chain(ALIASES) {
            assert!(alpha2s.contains(alpha2), "{name}: unknown code {alpha2}");
        }
        // No normalized name means two countries, and none is taken for an alpha-2 code.
        let mut seen: HashMap<Box<str>, &str> = HashMap::new();
        for (key, alpha2) in index_entries() {
            if let Some(code) = alpha2s.iter().find(|c| key.len() == 2 && c.eq_ignore_ascii_case(&key)) {
                assert_eq!(*code, alpha2, "{key} is the alpha-2 code of another country");
            }
            if let Some(other) = seen.insert(key.clone(), alpha2) {
                assert_eq!(other, alpha2, "{key} names both {other} and {alpha2}");
            }
        }
        // Every table entry normalizes.
        let entries = COUNTRIES.len() * 2 + ISO_NAMES.len() + ALIASES.len();
        assert!(index_entries().count() >= entries);
    }

    #[test]
    fn normalization() {
        let key = |s: &str| Key::of(s).and_then(|k| k.as_str().map(str::to_owned));
        assert_eq!(key("  The Netherlands "), Some("netherlands".to_owned()));
        assert_eq!(key("Thailand"), Some("thailand".to_owned()));
        assert_eq!(key("Bosnia & Herzegovina"), Some("bosniaandherzegovina".to_owned()));
        assert_eq!(key("Côte d'Ivoire"), Some("cotedivoire".to_owned()));
        assert_eq!(key("Großbritannien"), Some("grossbritannien".to_owned()));
        assert_eq!(key("İstanbul"), Some("istanbul".to_owned()));
        assert_eq!(key("日本"), Some("日本".to_owned()));
        assert_eq!(key("..."), None);
        assert_eq!(key(&"a".repeat(KEY_CAP)), Some("a".repeat(KEY_CAP)));
        assert_eq!(key(&"a".repeat(KEY_CAP + 1)), None);
        assert_eq!(key(&"日".repeat(22)), None);
    }

    #[test]
    fn generated_inputs_never_panic() {
        let alphabet: &[char] = &[
            'a', 'G', 'e', 'r', 'm', 'n', 'y', ' ', '.', '&', 'ö', 'Ö', '日', 'İ', '\u{308}', '-', 'ß',
        ];
        let mut rng = crate::validate::test_rng::Lcg(3);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..5000 {
            let len = next(70);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            if let Some(code) = country_code(&s) {
                assert!(COUNTRIES.iter().any(|(alpha2, _, _)| *alpha2 == code));
            }
        }
    }
}
