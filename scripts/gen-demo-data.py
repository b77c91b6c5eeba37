#!/usr/bin/env python3
"""Deterministic demo data for the Northwind Outfitters workspace (fixtures/demo/store/).

    python3 scripts/gen-demo-data.py [--seed 42] [--out fixtures/demo/store] [--profiles 2000]
        [--events 50000] [--products 200] [--days 90] [--end 2026-11-28T00:00:00Z]

Writes products.csv, profiles.csv, profiles.expected.json and events.jsonl. The same arguments
give byte-identical files: every random choice comes from one random.Random(seed) and every time
from --end, never from the clock. Python 3.11+, standard library only.

What is planted in profiles.csv for the importer to handle (see fixtures/demo/store/README.md):
about 3% of emails with an upper-case domain or surrounding spaces, 2% of names with a double
inner space, 1% exact duplicate rows (same email, newer updated_at, one field changed: to be
merged) and 0.5% fuzzy near-duplicates (same name and postal code, another email, the phone one
digit off: to be reported, never merged). profiles.expected.json lists the planted duplicates.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random

# ----------------------------------------------------------------------------------------------
# Catalogue
# ----------------------------------------------------------------------------------------------

# Twelve categories in groups (the first path segment), each with product types and their USD
# price range; EUR prices are about the same number, ending in .95 as in the demo fixtures.
# `season` is how much more the category sells at the end of the window (late autumn) than at
# its start.
CATEGORIES: dict[str, dict] = {
    "jackets/insulated": {"weight": 14, "season": 2.0, "nouns": [
        ("Insulated Jacket", 149, 249), ("Down Jacket", 199, 329), ("Down Parka", 279, 449),
        ("Puffer Vest", 99, 159), ("Synthetic Hoody", 149, 229), ("Down Vest", 129, 189),
        ("Belay Jacket", 219, 299)]},
    "jackets/rain": {"weight": 11, "season": 1.3, "nouns": [
        ("3L Rain Shell", 199, 379), ("2.5L Rain Jacket", 119, 189), ("Storm Shell", 229, 349),
        ("Waterproof Anorak", 139, 199), ("Rain Poncho", 49, 89), ("Stretch Rain Jacket", 149, 219)]},
    "jackets/wind": {"weight": 7, "season": 0.8, "nouns": [
        ("Packable Windbreaker", 79, 119), ("Wind Shell", 89, 139), ("Softshell Jacket", 129, 199),
        ("Wind Anorak", 79, 129), ("Hybrid Jacket", 149, 219)]},
    "layers/merino": {"weight": 10, "season": 1.4, "nouns": [
        ("Merino Base Layer Crew", 69, 99), ("Merino Zip Neck", 89, 129), ("Merino Leggings", 69, 99),
        ("Merino Tee", 49, 79), ("Merino Hoody", 109, 159), ("Merino Long Johns", 69, 99)]},
    "layers/fleece": {"weight": 10, "season": 1.4, "nouns": [
        ("Fleece Half-Zip", 69, 109), ("Grid Fleece Hoody", 99, 149), ("Fleece Jacket", 89, 149),
        ("High-Pile Fleece Vest", 79, 119), ("Fleece Pullover", 59, 99)]},
    "layers/shirts": {"weight": 7, "season": 0.9, "nouns": [
        ("Flannel Shirt", 59, 89), ("Sun Hoody", 49, 79), ("Trail Tee", 29, 45),
        ("Long-Sleeve Hiking Shirt", 59, 89), ("Chambray Shirt", 59, 89)]},
    "pants/hiking": {"weight": 8, "season": 1.0, "nouns": [
        ("Softshell Pant", 89, 139), ("Convertible Hiking Pant", 79, 119), ("Trail Shorts", 49, 75),
        ("Rain Pant", 89, 159), ("Climbing Pant", 79, 119), ("Insulated Pant", 129, 199)]},
    "footwear/boots": {"weight": 9, "season": 1.2, "nouns": [
        ("Waterproof Hiking Boot", 149, 219), ("Mid Hiking Boot", 129, 189), ("Winter Boot", 149, 249),
        ("Approach Shoe", 119, 169), ("Leather Trekking Boot", 199, 299)]},
    "footwear/trail-running": {"weight": 6, "season": 0.7, "nouns": [
        ("Trail Running Shoe", 119, 159), ("Waterproof Trail Runner", 139, 179),
        ("Mountain Running Shoe", 129, 169)]},
    "packs/daypacks": {"weight": 8, "season": 0.9, "nouns": [
        ("28L Daypack", 99, 139), ("22L Daypack", 79, 119), ("18L Hydration Pack", 89, 129),
        ("Hip Pack", 39, 59), ("35L Hiking Pack", 139, 189), ("12L Running Vest", 99, 149)]},
    "accessories/socks": {"weight": 6, "season": 1.2, "nouns": [
        ("Merino Hiking Socks (2-pack)", 29, 39), ("Trail Running Socks", 16, 24), ("Ski Socks", 24, 34),
        ("Liner Socks (3-pack)", 19, 29), ("Crew Socks", 14, 22)]},
    "accessories/cold-weather": {"weight": 9, "season": 1.8, "nouns": [
        ("Wool Beanie", 24, 39), ("Touchscreen Gloves", 34, 55), ("Lambswool Scarf", 44, 69),
        ("Neck Gaiter", 19, 29), ("Insulated Mittens", 45, 79), ("Fleece Headband", 19, 29),
        ("Trapper Hat", 49, 79)]},
}

# The sixteen products of fixtures/demo/data, with their names, categories and USD prices.
HEROES = [
    ("Ridgeline Insulated Jacket", "jackets/insulated", 189),
    ("Cascade 3L Rain Shell", "jackets/rain", 229),
    ("Alder Merino Base Layer Crew", "layers/merino", 79),
    ("Timberline Fleece Half-Zip", "layers/fleece", 89),
    ("Switchback Waterproof Hiking Boot", "footwear/boots", 169),
    ("Fjell Wool Beanie", "accessories/cold-weather", 29),
    ("Basecamp 28L Daypack", "packs/daypacks", 119),
    ("Glacier Down Parka", "jackets/insulated", 329),
    ("Trailhead Softshell Pant", "pants/hiking", 109),
    ("Ember Merino Hiking Socks (2-pack)", "accessories/socks", 34),
    ("Tundra Touchscreen Gloves", "accessories/cold-weather", 45),
    ("Summit Lightweight Puffer Vest", "jackets/insulated", 129),
    ("Coastline Flannel Shirt", "layers/shirts", 69),
    ("Driftwood Packable Windbreaker", "jackets/wind", 99),
    ("Bramble Trail Running Shoe", "footwear/trail-running", 139),
    ("Highland Lambswool Scarf", "accessories/cold-weather", 49),
]

PRODUCT_LINES = [
    "Aspen", "Ashgrove", "Birchwood", "Boulder", "Cairn", "Cinder", "Cobble", "Corrie", "Crag",
    "Dune", "Estuary", "Fernwood", "Firth", "Flint", "Gorse", "Granite", "Halden", "Heath",
    "Heron", "Hollow", "Juniper", "Kestrel", "Kettle", "Larch", "Lark", "Lichen", "Loch",
    "Meadow", "Moraine", "Nettle", "Nordkapp", "Otter", "Pinecrest", "Ptarmigan", "Quarry",
    "Ravine", "Rowan", "Scree", "Skerry", "Solstice", "Sorrel", "Spruce", "Stormpoint", "Talus",
    "Tamarack", "Tarn", "Thistle", "Torrent", "Vale", "Wayfarer", "Willow", "Windrift", "Wren",
    "Yarrow", "Zephyr",
]
FITS = ["Women's ", "Men's ", "Kids' "]

# The demo workspace's own product pictures, one per subcategory, drawn by scripts/demo-images.py.
ASSETS = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "assets"


def product_image(category: str) -> str:
    """The workspace path of the subcategory's picture (`assets/product-<category>-<hash>.png`)."""
    stem = "product-" + category.replace("/", "-")
    found = sorted(ASSETS.glob(f"{stem}-" + "[0-9a-f]" * 12 + ".png"))
    if len(found) != 1:
        sys.exit(f"error: {ASSETS}: expected one picture {stem}-<hash>.png for category {category}, found {len(found)} "
                 "(run scripts/demo-images.py)")
    return f"assets/{found[0].name}"


@dataclass
class Product:
    sku: str
    name: str
    price: float
    currency: str
    category: str
    stock: int
    popularity: float

    @property
    def image_url(self) -> str:
        return product_image(self.category)

    @property
    def url(self) -> str:
        return f"https://northwind.example/p/{self.sku.lower()}"


def usd_price(rng: Random, lo: int, hi: int) -> float:
    """Whole dollars ending in 9 (or 4 or 9 below 50), like 189.00 or 34.00."""
    raw = rng.randint(lo, hi)
    if raw < 50:
        return float(max(9, raw - raw % 5 + 4))
    return float(min(raw - raw % 10 + 9, hi - hi % 10 + 9))


def eur_price(rng: Random, lo: int, hi: int) -> float:
    """Whole euros minus five cents, like 179.95."""
    raw = rng.randint(lo, hi)
    base = raw - raw % 5 + 5 if raw >= 50 else raw + 1
    return round(base - 0.05, 2)


def make_products(rng: Random, count: int) -> list[Product]:
    products: list[Product] = []
    used = set()
    for i, (name, cat, price) in enumerate(HEROES[:count]):
        used.add(name)
        stock = rng.randint(40, 420)
        products.append(Product(f"NW-{1001 + i}", name, float(price), "USD", cat, stock,
                                3.0 + rng.random() * 3.0))
    cats = list(CATEGORIES)
    weights = [CATEGORIES[c]["weight"] for c in cats]
    per_cat_seen: dict[str, int] = {}
    while len(products) < count:
        cat = rng.choices(cats, weights)[0]
        info = CATEGORIES[cat]
        noun, lo, hi = rng.choice(info["nouns"])
        line = rng.choice(PRODUCT_LINES)
        fit = rng.choice(FITS) if rng.random() < 0.16 else ""
        if fit == "Kids' " and cat in ("footwear/trail-running", "accessories/socks"):
            fit = ""
        if fit == "Kids' ":
            lo, hi = max(9, lo * 6 // 10), max(14, hi * 6 // 10)
        name = f"{line} {fit}{noun}"
        if name in used:
            continue
        used.add(name)
        # Both currencies in every category: the first product of a category is EUR, the second
        # USD, the rest drawn at random.
        seen = per_cat_seen.get(cat, 0)
        per_cat_seen[cat] = seen + 1
        currency = ("EUR", "USD")[seen] if seen < 2 else ("EUR" if rng.random() < 0.5 else "USD")
        price = eur_price(rng, lo, hi) if currency == "EUR" else usd_price(rng, lo, hi)
        stock = 0 if rng.random() < 0.08 else int(3 + 380 * rng.random() ** 1.6)
        # Popularity: a long tail (a few products sell most).
        popularity = 0.15 + 2.5 * rng.random() ** 3
        products.append(Product(f"NW-{1001 + len(products)}", name, price, currency, cat, stock,
                                popularity))
    return products


# ----------------------------------------------------------------------------------------------
# People and places
# ----------------------------------------------------------------------------------------------

# Names: plain strings (Latin script) or (native script, romanization for the email address).
NAMES: dict[str, tuple[list, list]] = {
    "us": (["James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo",
            "Isabella", "Aaliyah", "DeShawn", "Jamal", "Keisha", "Mei", "Linh", "Minh", "Ethan",
            "Madison", "Hannah", "Tyler", "Chloe", "Jaylen", "Zoë", "Mary Kate", "Billy Ray",
            "Anne-Marie", "Dakota", "Riley", "Sam", "Priya", "Kai"],
           ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
            "Rodriguez", "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson",
            "Lee", "Nguyen", "Kim", "Patel", "O'Neil", "O'Connor", "D'Angelo", "McAllister",
            "DeLuca", "Washington", "Okafor", "Carter", "Brooks", "Kowalski", "St. John",
            "Van Buren", "Raman", "Yazzie", "Begay"]),
    "ca_fr": (["Étienne", "Marie-Ève", "Jean-François", "Geneviève", "Frédéric", "Amélie",
               "Benoît", "Noémie", "Félix", "Chloé", "Mathis", "Léa"],
              ["Tremblay", "Gagnon", "Bélanger", "Côté", "Bouchard", "Gauthier", "Lévesque",
               "Bergeron", "Pelletier", "Ouellet", "Bélanger-Roy", "Beaulieu"]),
    "gb": (["Oliver", "Amelia", "George", "Isla", "Harry", "Poppy", "Jack", "Freya", "Alfie",
            "Imogen", "Rhys", "Siân", "Dafydd", "Eilidh", "Callum", "Aisha", "Mohammed", "Ravi",
            "Niamh", "Hamish"],
           ["Smith", "Jones", "Williams", "Taylor", "Davies", "Evans", "Thomas", "Roberts",
            "Walker", "Wright", "Hughes", "Edwards", "Patel", "Khan", "Ahmed", "MacLeod", "Fraser",
            "Smith-Jones", "Hamilton-Smythe", "O'Sullivan", "ap Rhys", "Mehta", "Rossi"]),
    "ie": (["Aoife", "Siobhán", "Seán", "Niamh", "Cian", "Saoirse", "Oisín", "Caoimhe",
            "Pádraig", "Róisín", "Eoin", "Ciara"],
           ["Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
            "Ó Súilleabháin", "Ní Bhriain", "Ó Ceallaigh", "McCarthy", "Mac Giolla Phádraig"]),
    "de": (["Lukas", "Anna", "Jonas", "Lea", "Felix", "Mia", "Leon", "Hannah", "Maximilian",
            "Sophie", "Jürgen", "Sören", "Björn", "Käthe", "Günther", "Uwe", "Jörg", "Hans-Peter",
            "Anne-Kathrin", "Karl-Heinz", "Özlem", "Mehmet", "Zoë", "Lina", "Till"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
            "Schröder", "Neumann", "Zimmermann", "Krüger", "Hartmann", "Köhler", "Groß", "Weiß",
            "Jäger", "von der Heide", "Meyer-Lüdenscheid", "Öztürk", "Lindqvist", "Nowak"]),
    "fr": (["Léa", "Chloé", "Manon", "Camille", "Inès", "Jade", "Louise", "Hugo", "Lucas",
            "Théo", "Raphaël", "Gabriel", "Arthur", "Maël", "Noé", "Zoé", "François", "Hélène",
            "Jean-Luc", "Anne-Sophie", "Marie-Claire", "Aurélien", "Clémence", "Gaëlle", "Anaïs",
            "Yasmine", "Karim"],
           ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Fontaine", "Rousseau",
            "Vincent", "Bénard", "Giraud", "Chevalier", "Rémy", "Lemaire-Dubois", "d'Aubigny",
            "de La Fontaine", "Benali", "N'Diaye"]),
    "nl": (["Daan", "Sanne", "Sem", "Julia", "Lotte", "Bram", "Fleur", "Thijs", "Noor", "Jeroen",
            "Eline", "Joost", "Maaike", "Sven", "Fenna"],
           ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
            "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Hendriks",
            "van Leeuwen", "Dekker", "van 't Hof", "IJzerman"]),
    "sv": (["Elin", "Åsa", "Björn", "Linnéa", "Oskar", "Maja", "Elsa", "Hugo", "Astrid", "Lars",
            "Sven", "Ingrid", "Göran", "Märta", "Agnes", "Nils", "Ebba"],
           ["Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
            "Persson", "Svensson", "Gustafsson", "Lindqvist", "Åström", "Söderberg", "Lindström",
            "Bergström", "Öberg", "Ekström", "Sjögren", "Hägglund"]),
    "no": (["Øystein", "Bjørn", "Ingrid", "Solveig", "Kari", "Håkon", "Sigrid", "Torbjørn",
            "Ragnhild", "Eirik", "Åse", "Nora", "Jakob", "Ida"],
           ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
            "Kristiansen", "Karlsen", "Berg", "Haugen", "Hagen", "Sæther", "Løvås", "Ødegård",
            "Bråten", "Østby"]),
    "da": (["Søren", "Mette", "Jens", "Freja", "Mads", "Sofie", "Rasmus", "Ida", "Magnus",
            "Signe", "Asbjørn", "Birgitte"],
           ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
            "Sørensen", "Rasmussen", "Jørgensen", "Kjærgaard", "Møller", "Østergaard", "Dahl"]),
    "fi": (["Päivi", "Jyrki", "Aino", "Eetu", "Helmi", "Väinö", "Sanna", "Mikko", "Eevi", "Onni",
            "Tuulikki", "Ilkka"],
           ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
            "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Jääskeläinen"]),
    "is_m": (["Jón", "Þórður", "Ólafur", "Ásgeir", "Hafþór", "Einar"],
             ["Sigurðsson", "Þorsteinsson", "Magnússon", "Einarsson", "Björnsson", "Guðmundsson"]),
    "is_f": (["Guðrún", "Sigríður", "Kristín", "Björk", "Þóra", "Hildur"],
             ["Jónsdóttir", "Guðmundsdóttir", "Ólafsdóttir", "Stefánsdóttir", "Halldórsdóttir"]),
    "es": (["María", "José", "Lucía", "Hugo", "Martina", "Pablo", "Íñigo", "Alejandro", "Paula",
            "Álvaro", "Nuria", "Begoña", "Jesús", "María José", "Juan Pablo", "Ainhoa"],
           ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
            "Pérez", "Gómez", "Núñez", "Peña", "Muñoz", "Jiménez", "Ibáñez", "García-Márquez",
            "de la Torre", "Ruiz de Alda", "Etxeberria"]),
    "mx": (["Ximena", "Guadalupe", "Santiago", "Valentina", "Diego", "Camila", "Emiliano",
            "Regina", "José Luis", "María Fernanda"],
           ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Ramírez", "Cruz",
            "Flores", "Gómez", "Ortiz", "Sánchez-Villalobos"]),
    "pt": (["João", "Maria", "Inês", "Tomás", "Beatriz", "Gonçalo", "Afonso", "Leonor", "Duarte",
            "Mariana", "Ana Luísa"],
           ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
            "Gonçalves", "Araújo", "Magalhães", "Conceição", "Sá", "Simões"]),
    "br": (["Thiago", "Larissa", "Luíza", "Caio", "Vitória", "João Pedro", "Ana Clara", "Gustavo",
            "Letícia", "Rafael"],
           ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Araújo", "Ribeiro",
            "Carvalho", "Gonçalves", "Nascimento", "Ferreira-Lima"]),
    "it": (["Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Niccolò",
            "Ginevra", "Matteo", "Chiara", "Gianluca", "Mattia"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "D'Amico", "De Luca", "Dell'Acqua", "Fontana", "Santoro"]),
    # Polish, Czech and Icelandic surnames agree with the person: two pools each.
    "pl_m": (["Łukasz", "Jakub", "Wojciech", "Paweł", "Michał", "Krzysztof", "Bartłomiej", "Grzegorz"],
             ["Nowak", "Kowalski", "Wójcik", "Kowalczyk", "Lewandowski", "Zieliński", "Dąbrowski",
              "Mazur", "Żak", "Kamiński"]),
    "pl_f": (["Zofia", "Małgorzata", "Agnieszka", "Katarzyna", "Aleksandra", "Joanna"],
             ["Nowak", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska", "Szymańska", "Woźniak",
              "Kozłowska", "Mazur", "Żak", "Górecka"]),
    "cs_m": (["Jiří", "Jan", "Petr", "Tomáš", "Ondřej", "Vojtěch"],
             ["Novák", "Svoboda", "Dvořák", "Černý", "Kučera", "Horák", "Pokorný", "Růžička"]),
    "cs_f": (["Tereza", "Eliška", "Anežka", "Kateřina", "Lucie", "Zuzana"],
             ["Nováková", "Svobodová", "Novotná", "Dvořáková", "Černá", "Procházková", "Kučerová",
              "Veselá", "Horáková", "Němcová"]),
    "tr": (["Çağrı", "Gülşen", "Mehmet", "Ayşe", "Emre", "Zeynep", "Burak", "Elif", "Oğuz",
            "Şule", "İbrahim", "Ömer"],
           ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
            "Özdemir", "Arslan", "Doğan", "Kılıç", "Çetin"]),
    "ja": ([("陽翔", "haruto"), ("さくら", "sakura"), ("蓮", "ren"), ("結衣", "yui"),
            ("大翔", "hiroto"), ("美咲", "misaki"), ("健太", "kenta"), ("愛", "ai"),
            "Haruto", "Yui", "Kenta", "Misaki", "Ryō", "Yūki"],
           [("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
            ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
            ("小林", "kobayashi"), "Satō", "Itō", "Ōno", "Tanaka", "Watanabe"]),
    "ko": ([("민준", "minjun"), ("서연", "seoyeon"), ("지호", "jiho"), ("하은", "haeun"),
            ("도윤", "doyun"), ("지우", "jiwoo"), "Min-jun", "Seo-yeon", "Ji-ho"],
           [("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"),
            ("강", "kang"), "Kim", "Lee", "Park"]),
    "he": ([("נועה", "noa"), ("יונתן", "yonatan"), ("תמר", "tamar"), ("איתי", "itai"),
            ("מאיה", "maya"), ("אורי", "ori"), ("שירה", "shira"), ("דניאל", "daniel"),
            ("יעל", "yael"), "Noa", "Yonatan", "Tamar", "Itai"],
           [("כהן", "cohen"), ("לוי", "levi"), ("מזרחי", "mizrahi"), ("פרץ", "peretz"),
            ("ביטון", "biton"), ("אברהם", "avraham"), ("פרידמן", "friedman"),
            ("שפירא", "shapira"), "Cohen", "Levi", "Ben-David", "Friedman"]),
    "ar": ([("فاطمة", "fatima"), ("محمد", "mohammed"), ("مريم", "maryam"), ("أحمد", "ahmed"),
            ("نورة", "noura"), ("خالد", "khalid"), ("سارة", "sara"), ("عمر", "omar"),
            ("ليلى", "layla"), "Fatima", "Omar", "Layla", "Khalid"],
           [("المنصوري", "almansoori"), ("الهاشمي", "alhashimi"), ("الشامسي", "alshamsi"),
            ("الكعبي", "alkaabi"), ("النعيمي", "alnuaimi"), ("حداد", "haddad"),
            ("خوري", "khoury"), "Al-Mansoori", "Al Hashimi", "Haddad", "Khoury"]),
    "in": (["Priya", "Arjun", "Ananya", "Rohan", "Aarav", "Diya", "Vikram", "Kavya", "Siddharth",
            "Meera", "Rahul", "Nikhil"],
           ["Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Raman", "Menon", "Chatterjee",
            "Banerjee", "Desai", "Kapoor"]),
    "au": (["Charlotte", "Jack", "Mia", "William", "Matilda", "Henry", "Ruby", "Lachlan", "Zara",
            "Hamish", "Aroha", "Tama", "Mere", "Wiremu"],
           ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Anderson", "Nguyen",
            "Ngata", "Te Rangi", "Parata", "Whaanga", "Kelly", "Campbell"]),
}

# Cultures a few customers in a country draw their names from (people move).
DIASPORA = ["in", "tr", "pl_m", "pl_f", "it", "es", "ko", "ja", "ar", "he", "gb", "fr", "de", "pt", "us"]

# Postal patterns: '#' a digit, 'A' a letter from the country's set, 'L' a Canadian FSA/LDU
# letter; anything else literal.
# City: (name, UTC offset at the end of November, postal pattern, extra) where extra is the
# area code (US/CA) or a locale override.
COUNTRIES = [
    {"code": "US", "iso3": "USA", "en": "United States", "native": ["United States of America", "USA"],
     "weight": 240, "locale": "en-US", "names": "us", "phone": "nanp", "eur": False,
     "cities": [("Portland", "-08:00", "972##", "503"), ("Boulder", "-07:00", "803##", "303"),
                ("Missoula", "-07:00", "598##", "406"), ("Seattle", "-08:00", "981##", "206"),
                ("Denver", "-07:00", "802##", "720"), ("Burlington", "-05:00", "054##", "802"),
                ("Asheville", "-05:00", "288##", "828"), ("Bend", "-08:00", "977##", "541"),
                ("Salt Lake City", "-07:00", "841##", "801"), ("Brooklyn", "-05:00", "112##", "718"),
                ("Minneapolis", "-06:00", "554##", "612"), ("Anchorage", "-09:00", "995##", "907"),
                ("Flagstaff", "-07:00", "860##", "928"), ("San Francisco", "-08:00", "941##", "415"),
                ("Austin", "-06:00", "787##", "512"), ("Chicago", "-06:00", "606##", "312"),
                ("Boston", "-05:00", "021##", "617"), ("Jackson", "-07:00", "830##", "307")]},
    {"code": "CA", "iso3": "CAN", "en": "Canada", "native": ["Canada"], "weight": 60,
     "locale": "en-CA", "names": "us", "phone": "nanp", "eur": False,
     "cities": [("Vancouver", "-08:00", "V6B #L#", "604"), ("Calgary", "-07:00", "T2P #L#", "403"),
                ("Toronto", "-05:00", "M5V #L#", "416"), ("Montréal", "-05:00", "H2X #L#", "514"),
                ("Québec", "-05:00", "G1R #L#", "418"), ("Halifax", "-04:00", "B3H #L#", "902"),
                ("Whitehorse", "-07:00", "Y1A #L#", "867"), ("Canmore", "-07:00", "T1W #L#", "403")]},
    {"code": "GB", "iso3": "GBR", "en": "United Kingdom", "native": ["Great Britain"], "weight": 90,
     "locale": "en-GB", "names": "gb", "phone": "gb", "eur": True,
     "cities": [("Bristol", "+00:00", "BS1 #AA", None), ("Edinburgh", "+00:00", "EH1 #AA", None),
                ("Manchester", "+00:00", "M1 #AA", None), ("Kendal", "+00:00", "LA9 #AA", None),
                ("Inverness", "+00:00", "IV2 #AA", None), ("Cardiff", "+00:00", "CF10 #AA", None),
                ("Sheffield", "+00:00", "S1 #AA", None), ("London", "+00:00", "N1 #AA", None),
                ("Keswick", "+00:00", "CA12 #AA", None), ("Fort William", "+00:00", "PH33 #AA", None)]},
    {"code": "IE", "iso3": "IRL", "en": "Ireland", "native": ["Éire"], "weight": 15,
     "locale": "en-IE", "names": "ie", "phone": ("353", ["85", "86", "87"], 7), "eur": True,
     "cities": [("Dublin", "+00:00", "D02 A#A#", None), ("Cork", "+00:00", "T12 A##A", None),
                ("Galway", "+00:00", "H91 A#A#", None)]},
    {"code": "DE", "iso3": "DEU", "en": "Germany", "native": ["Deutschland"], "weight": 130,
     "locale": "de-DE", "names": "de", "phone": ("49", ["151", "152", "160", "170", "176"], 8), "eur": True,
     "cities": [("Hamburg", "+01:00", "2####", None), ("Berlin", "+01:00", "10###", None),
                ("München", "+01:00", "80###", None), ("Köln", "+01:00", "50###", None),
                ("Freiburg im Breisgau", "+01:00", "79###", None), ("Leipzig", "+01:00", "04###", None),
                ("Dresden", "+01:00", "01###", None), ("Stuttgart", "+01:00", "70###", None),
                ("Nürnberg", "+01:00", "90###", None), ("Garmisch-Partenkirchen", "+01:00", "82467", None)]},
    {"code": "AT", "iso3": "AUT", "en": "Austria", "native": ["Österreich"], "weight": 25,
     "locale": "de-AT", "names": "de", "phone": ("43", ["664", "676", "699"], 7), "eur": True,
     "cities": [("Wien", "+01:00", "1###", None), ("Innsbruck", "+01:00", "60##", None),
                ("Salzburg", "+01:00", "50##", None), ("Graz", "+01:00", "80##", None)]},
    {"code": "CH", "iso3": "CHE", "en": "Switzerland", "native": ["Schweiz", "Suisse"], "weight": 25,
     "locale": "de-CH", "names": "de", "phone": ("41", ["76", "78", "79"], 7), "eur": True,
     "cities": [("Zürich", "+01:00", "80##", None), ("Bern", "+01:00", "30##", None),
                ("Genève", "+01:00", "12##", "fr-CH"), ("Lausanne", "+01:00", "10##", "fr-CH"),
                ("Luzern", "+01:00", "60##", None), ("Chur", "+01:00", "70##", None)]},
    {"code": "FR", "iso3": "FRA", "en": "France", "native": ["France"], "weight": 60,
     "locale": "fr-FR", "names": "fr", "phone": ("33", ["6", "7"], 8), "eur": True,
     "cities": [("Paris", "+01:00", "750##", None), ("Lyon", "+01:00", "6900#", None),
                ("Annecy", "+01:00", "74000", None), ("Chamonix-Mont-Blanc", "+01:00", "74400", None),
                ("Grenoble", "+01:00", "380##", None), ("Marseille", "+01:00", "130##", None),
                ("Bordeaux", "+01:00", "330##", None), ("Toulouse", "+01:00", "310##", None),
                ("Nantes", "+01:00", "440##", None), ("Brest", "+01:00", "29200", None)]},
    {"code": "BE", "iso3": "BEL", "en": "Belgium", "native": ["Belgique", "België"], "weight": 15,
     "locale": "nl-BE", "names": "nl", "phone": ("32", ["470", "475", "485", "495"], 6), "eur": True,
     "cities": [("Bruxelles", "+01:00", "10#0", "fr-BE"), ("Gent", "+01:00", "90#0", None),
                ("Antwerpen", "+01:00", "20#0", None), ("Liège", "+01:00", "40#0", "fr-BE"),
                ("Namur", "+01:00", "50#0", "fr-BE")]},
    {"code": "NL", "iso3": "NLD", "en": "Netherlands", "native": ["Nederland"], "weight": 30,
     "locale": "nl-NL", "names": "nl", "phone": ("31", ["6"], 8), "eur": True,
     "cities": [("Amsterdam", "+01:00", "10## AA", None), ("Utrecht", "+01:00", "35## AA", None),
                ("Rotterdam", "+01:00", "30## AA", None), ("Groningen", "+01:00", "97## AA", None),
                ("Nijmegen", "+01:00", "65## AA", None)]},
    {"code": "SE", "iso3": "SWE", "en": "Sweden", "native": ["Sverige"], "weight": 40,
     "locale": "sv-SE", "names": "sv", "phone": ("46", ["70", "72", "73", "76"], 7), "eur": True,
     "cities": [("Stockholm", "+01:00", "1## ##", None), ("Göteborg", "+01:00", "41# ##", None),
                ("Umeå", "+01:00", "90# ##", None), ("Malmö", "+01:00", "21# ##", None),
                ("Uppsala", "+01:00", "75# ##", None), ("Åre", "+01:00", "837 ##", None),
                ("Kiruna", "+01:00", "981 ##", None)]},
    {"code": "NO", "iso3": "NOR", "en": "Norway", "native": ["Norge"], "weight": 20,
     "locale": "nb-NO", "names": "no", "phone": ("47", ["4", "9"], 7), "eur": True,
     "cities": [("Oslo", "+01:00", "0###", None), ("Bergen", "+01:00", "50##", None),
                ("Tromsø", "+01:00", "90##", None), ("Trondheim", "+01:00", "70##", None),
                ("Stavanger", "+01:00", "40##", None)]},
    {"code": "DK", "iso3": "DNK", "en": "Denmark", "native": ["Danmark"], "weight": 15,
     "locale": "da-DK", "names": "da", "phone": ("45", ["2", "3", "4", "5"], 7), "eur": True,
     "cities": [("København", "+01:00", "1###", None), ("Aarhus", "+01:00", "8000", None),
                ("Odense", "+01:00", "5000", None), ("Aalborg", "+01:00", "9000", None)]},
    {"code": "FI", "iso3": "FIN", "en": "Finland", "native": ["Suomi"], "weight": 15,
     "locale": "fi-FI", "names": "fi", "phone": ("358", ["40", "44", "45", "50"], 7), "eur": True,
     "cities": [("Helsinki", "+02:00", "00###", None), ("Tampere", "+02:00", "33###", None),
                ("Oulu", "+02:00", "90###", None), ("Rovaniemi", "+02:00", "96###", None)]},
    {"code": "IS", "iso3": "ISL", "en": "Iceland", "native": ["Ísland"], "weight": 5,
     "locale": "is-IS", "names": "is_", "phone": ("354", ["6", "7", "8"], 6), "eur": True,
     "cities": [("Reykjavík", "+00:00", "10#", None), ("Akureyri", "+00:00", "600", None),
                ("Selfoss", "+00:00", "800", None)]},
    {"code": "ES", "iso3": "ESP", "en": "Spain", "native": ["España"], "weight": 30,
     "locale": "es-ES", "names": "es", "phone": ("34", ["6"], 8), "eur": True,
     "cities": [("Madrid", "+01:00", "280##", None), ("Barcelona", "+01:00", "080##", None),
                ("Bilbao", "+01:00", "480##", None), ("Granada", "+01:00", "180##", None),
                ("Valencia", "+01:00", "460##", None), ("Jaca", "+01:00", "22700", None)]},
    {"code": "PT", "iso3": "PRT", "en": "Portugal", "native": ["Portugal"], "weight": 10,
     "locale": "pt-PT", "names": "pt", "phone": ("351", ["91", "92", "93", "96"], 7), "eur": True,
     "cities": [("Lisboa", "+00:00", "1###-###", None), ("Porto", "+00:00", "4###-###", None),
                ("Funchal", "+00:00", "9000-###", None)]},
    {"code": "IT", "iso3": "ITA", "en": "Italy", "native": ["Italia"], "weight": 30,
     "locale": "it-IT", "names": "it", "phone": ("39", ["3"], 9), "eur": True,
     "cities": [("Milano", "+01:00", "201##", None), ("Torino", "+01:00", "101##", None),
                ("Roma", "+01:00", "001##", None), ("Bolzano", "+01:00", "39100", None),
                ("Cortina d'Ampezzo", "+01:00", "32043", None), ("Trento", "+01:00", "381##", None),
                ("Aosta", "+01:00", "11100", None)]},
    {"code": "PL", "iso3": "POL", "en": "Poland", "native": ["Polska"], "weight": 20,
     "locale": "pl-PL", "names": "pl_", "phone": ("48", ["5", "6", "7", "8"], 8), "eur": True,
     "cities": [("Warszawa", "+01:00", "0#-###", None), ("Kraków", "+01:00", "3#-###", None),
                ("Zakopane", "+01:00", "34-500", None), ("Gdańsk", "+01:00", "80-###", None),
                ("Wrocław", "+01:00", "5#-###", None)]},
    {"code": "CZ", "iso3": "CZE", "en": "Czechia", "native": ["Česko"], "weight": 10,
     "locale": "cs-CZ", "names": "cs_", "phone": ("420", ["6", "7"], 8), "eur": True,
     "cities": [("Praha", "+01:00", "1## ##", None), ("Brno", "+01:00", "6## ##", None),
                ("Liberec", "+01:00", "460 ##", None)]},
    {"code": "TR", "iso3": "TUR", "en": "Türkiye", "native": ["Türkiye", "Turkey"], "weight": 10,
     "locale": "tr-TR", "names": "tr", "phone": ("90", ["5"], 9), "eur": True,
     "cities": [("İstanbul", "+03:00", "34###", None), ("Ankara", "+03:00", "06###", None),
                ("İzmir", "+03:00", "35###", None), ("Antalya", "+03:00", "07###", None)]},
    {"code": "JP", "iso3": "JPN", "en": "Japan", "native": ["日本"], "weight": 20,
     "locale": "ja-JP", "names": "ja", "phone": ("81", ["70", "80", "90"], 8), "eur": False,
     "cities": [("東京", "+09:00", "1##-####", None), ("札幌市", "+09:00", "060-####", None),
                ("大阪市", "+09:00", "5##-####", None), ("長野市", "+09:00", "380-####", None)]},
    {"code": "KR", "iso3": "KOR", "en": "South Korea", "native": ["대한민국"], "weight": 10,
     "locale": "ko-KR", "names": "ko", "phone": ("82", ["10"], 8), "eur": False,
     "cities": [("서울", "+09:00", "0####", None), ("부산", "+09:00", "4####", None),
                ("Seoul", "+09:00", "0####", None)]},
    {"code": "IL", "iso3": "ISR", "en": "Israel", "native": ["ישראל"], "weight": 10,
     "locale": "he-IL", "names": "he", "phone": ("972", ["50", "52", "54", "58"], 7), "eur": False,
     "cities": [("תל אביב-יפו", "+02:00", "61#####", None), ("ירושלים", "+02:00", "91#####", None),
                ("חיפה", "+02:00", "31#####", None), ("Tel Aviv", "+02:00", "61#####", None)]},
    {"code": "AE", "iso3": "ARE", "en": "United Arab Emirates", "native": ["الإمارات العربية المتحدة"],
     "weight": 10, "locale": "ar-AE", "names": "ar", "phone": ("971", ["50", "52", "55", "56"], 7),
     "eur": False,
     "cities": [("دبي", "+04:00", "", None), ("أبوظبي", "+04:00", "", None),
                ("Dubai", "+04:00", "", "en-AE")]},
    {"code": "IN", "iso3": "IND", "en": "India", "native": ["भारत"], "weight": 20,
     "locale": "en-IN", "names": "in", "phone": ("91", ["7", "8", "9"], 9), "eur": False,
     "cities": [("Bengaluru", "+05:30", "560###", None), ("Mumbai", "+05:30", "400###", None),
                ("New Delhi", "+05:30", "110###", None), ("Pune", "+05:30", "411###", None),
                ("Manali", "+05:30", "175131", None)]},
    {"code": "AU", "iso3": "AUS", "en": "Australia", "native": ["Australia"], "weight": 30,
     "locale": "en-AU", "names": "au", "phone": ("61", ["4"], 8), "eur": False,
     "cities": [("Sydney", "+11:00", "20##", None), ("Melbourne", "+11:00", "30##", None),
                ("Hobart", "+11:00", "70##", None), ("Perth", "+08:00", "60##", None),
                ("Brisbane", "+10:00", "40##", None)]},
    {"code": "NZ", "iso3": "NZL", "en": "New Zealand", "native": ["New Zealand"], "weight": 10,
     "locale": "en-NZ", "names": "au", "phone": ("64", ["21", "22", "27"], 7), "eur": False,
     "cities": [("Wellington", "+13:00", "60##", None), ("Queenstown", "+13:00", "9300", None),
                ("Christchurch", "+13:00", "80##", None), ("Auckland", "+13:00", "10##", None)]},
    {"code": "MX", "iso3": "MEX", "en": "Mexico", "native": ["México"], "weight": 10,
     "locale": "es-MX", "names": "mx", "phone": ("52", ["55", "33", "81"], 8), "eur": False,
     "cities": [("Ciudad de México", "-06:00", "0####", None), ("Guadalajara", "-06:00", "44###", None),
                ("Monterrey", "-06:00", "64###", None)]},
    {"code": "BR", "iso3": "BRA", "en": "Brazil", "native": ["Brasil"], "weight": 15,
     "locale": "pt-BR", "names": "br", "phone": ("55", ["119", "219", "489"], 8), "eur": False,
     "cities": [("São Paulo", "-03:00", "0####-###", None), ("Rio de Janeiro", "-03:00", "2####-###", None),
                ("Florianópolis", "-03:00", "880##-###", None)]},
]

# Letters used in postal codes: UK inward codes skip C I K M O V; Canada skips D F I O Q U;
# Eircode unique identifiers use a reduced set.
POSTAL_LETTERS = {"GB": "ABDEFGHJLNPQRSTUWXYZ", "IE": "ACDEFHKNPRTVWXY", "NL": "ABCDEGHJKLNPRSTVWXZ"}
CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

EMAIL_DOMAINS = [("example.com", 30), ("example.org", 10), ("example.net", 10), ("mail.example", 9),
                 ("inbox.example", 8), ("post.example", 6), ("webmail.example", 5), ("local", 12)]

TIERS = [("Member", 60, (0, 800)), ("Trail", 28, (600, 1500)), ("Summit", 12, (1200, 4200))]

SPECIAL_FOLD = {"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d",
                "Ð": "d", "þ": "th", "Þ": "th", "ł": "l", "Ł": "l", "ı": "i", "œ": "oe", "Œ": "oe"}
GERMAN_FOLD = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"}


def latin(name) -> str:
    return name[1] if isinstance(name, tuple) else name


def shown(name) -> str:
    return name[0] if isinstance(name, tuple) else name


def fold(text: str, german: bool) -> str:
    """A name as letters, digits and hyphens for an email local part: "Müller" → "mueller"."""
    out = []
    for ch in text:
        if german and ch in GERMAN_FOLD:
            out.append(GERMAN_FOLD[ch])
        elif ch in SPECIAL_FOLD:
            out.append(SPECIAL_FOLD[ch])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)))
    s = "".join(out).lower()
    s = re.sub(r"[\s'’.]+", "", s)
    s = re.sub(r"[^a-z0-9-]", "", s)
    return re.sub(r"-+", "-", s).strip("-")


def postal(rng: Random, pattern: str, country: str) -> str:
    letters = POSTAL_LETTERS.get(country, "ABCDEFGHJKLMNPRSTUVWXYZ")
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "A":
            out.append(rng.choice(letters))
        elif ch == "L":
            out.append(rng.choice(CA_LETTERS))
        else:
            out.append(ch)
    return "".join(out)


def phone(rng: Random, country: dict, area: str | None) -> str:
    spec = country["phone"]
    if spec == "nanp":
        # 555-0100 to 555-0199: reserved for fiction in the North American Numbering Plan.
        return f"+1{area}5550{rng.randrange(100, 200)}"
    if spec == "gb":
        # 07700 900000 to 900999: reserved by Ofcom for drama.
        return f"+447700900{rng.randrange(1000):03d}"
    cc, prefixes, rest = spec
    digits = "".join(str(rng.randrange(10)) for _ in range(rest))
    return f"+{cc}{rng.choice(prefixes)}{digits}"


def offset_minutes(tz: str) -> int:
    sign = -1 if tz[0] == "-" else 1
    return sign * (int(tz[1:3]) * 60 + int(tz[4:6]))


def rfc3339(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Profile:
    email: str                  # as it is written in the file (maybe with dirt)
    key: str                    # the clean address events refer to
    crm_id: str
    shop_id: str
    first_name: object
    last_name: object
    phone: str
    locale: str
    timezone: str
    country: str
    country_code: str
    postal_code: str
    city: str
    consent: bool
    tier: str
    points: int
    created_at: datetime
    updated_at: datetime
    eur: bool
    culture: str
    first_text: str = ""        # the names as written in the file (maybe with a double space)
    last_text: str = ""
    activity: float = 0.0
    favourites: list = field(default_factory=list)

    def row(self) -> list[str]:
        return [self.email, self.crm_id, self.shop_id, self.first_text, self.last_text, self.phone, self.locale,
                self.timezone, self.country, self.postal_code, self.city,
                "yes" if self.consent else "no", self.tier, str(self.points),
                rfc3339(self.created_at), rfc3339(self.updated_at)]


PROFILE_HEADER = ["email", "crm_id", "shop_id", "first_name", "last_name", "phone", "locale",
                  "timezone", "country", "postal_code", "city", "consent_email", "loyalty_tier",
                  "loyalty_points", "created_at", "updated_at"]


def country_spelling(rng: Random, c: dict, locale: str) -> str:
    r = rng.random()
    if r < 0.42:
        return c["code"]
    if r < 0.67:
        return c["en"]
    if r < 0.72:
        return c["en"].lower() if rng.random() < 0.5 else c["en"].upper()
    if r < 0.82:
        return c["iso3"]
    natives = c["native"]
    if c["code"] == "CH":
        return "Suisse" if locale.startswith("fr") else "Schweiz"
    if c["code"] == "BE":
        return "Belgique" if locale.startswith("fr") else "België"
    return rng.choice(natives)


def jaro_winkler(a: str, b: str) -> float:
    """As strsim::jaro_winkler (used by the importer to score fuzzy matches)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    ma, mb = [False] * la, [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(lb, i + window + 1)):
            if not mb[j] and b[j] == ch:
                ma[i] = mb[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    t, j = 0, 0
    for i in range(la):
        if ma[i]:
            while not mb[j]:
                j += 1
            t += a[i] != b[j]
            j += 1
    jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def make_profiles(rng: Random, count: int, end: datetime, days: int):
    countries = COUNTRIES
    cweights = [c["weight"] for c in countries]
    history_start = datetime(end.year - 7, 3, 1, tzinfo=timezone.utc)
    window_start = end - timedelta(days=days)
    span = int((window_start - history_start).total_seconds())
    used_keys: set[str] = set()
    taken: set[tuple[str, str]] = set()     # (postal code, last name): no accidental fuzzy pairs
    crm_ids = rng.sample(range(100000, 999999), count * 2)
    shop_ids = rng.sample(range(10_000_000, 99_999_999), count * 2)
    profiles: list[Profile] = []

    def fresh_key(local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        while email in used_keys:
            email = f"{local}{rng.randrange(2, 99)}@{domain}"
        used_keys.add(email)
        return email

    def make_email(first: str, last: str, cc: str, german: bool) -> str:
        f, l = fold(first, german), fold(last, german)
        if not f:
            f = "customer"
        if not l:
            l = "nw"
        r = rng.random()
        if r < 0.38:
            local = f"{f}.{l}"
        elif r < 0.48:
            local = f"{f}{l}"
        elif r < 0.58:
            local = f"{f[0]}.{l}"
        elif r < 0.63:
            local = f"{f}_{l}"
        elif r < 0.73:
            local = f"{f}.{l}{rng.randrange(60, 100):02d}"
        elif r < 0.83:
            local = f"{f}{rng.randrange(1, 1000)}"
        elif r < 0.88:
            local = f"{l}.{f}"
        elif r < 0.93:
            local = f"{f}.{l}+northwind"
        else:
            local = f"{f[0]}{l}"
        domain = rng.choices([d for d, _ in EMAIL_DOMAINS], [w for _, w in EMAIL_DOMAINS])[0]
        if domain == "local":
            domain = f"post.{cc.lower()}.example"
        return fresh_key(local[:60], domain)

    def city_locale(c: dict, city: tuple) -> str:
        name, _, _, extra = city
        if extra and "-" in extra:
            return extra
        if c["code"] == "CA" and name in ("Montréal", "Québec"):
            return "fr-CA"
        return c["locale"]

    for i in range(count):
        c = rng.choices(countries, cweights)[0]
        city, tz, pattern, extra = rng.choice(c["cities"])
        locale = city_locale(c, (city, tz, pattern, extra))
        culture = c["names"]
        if culture.endswith("_"):
            culture += rng.choice("mf")
        if c["code"] == "CA" and locale == "fr-CA":
            culture = "ca_fr"
        elif c["code"] in ("FR", "BE") and locale.startswith("fr") or c["code"] == "CH" and locale.startswith("fr"):
            culture = "fr"
        if rng.random() < 0.12 and c["code"] in ("US", "GB", "DE", "CA", "AU", "FR", "NL", "SE"):
            culture = rng.choice(DIASPORA)
        firsts, lasts = NAMES[culture]
        native_city = any(ord(ch) > 0x024F for ch in city)
        for _ in range(40):
            first, last = rng.choice(firsts), rng.choice(lasts)
            # Native-script names stay together, abroad people write their names in Latin
            # letters, and a native-script city goes with a native-script name.
            native = isinstance(first, tuple)
            if native != isinstance(last, tuple):
                continue
            if not culture.startswith(c["names"]) and native:
                continue
            if culture.startswith(c["names"]) and c["code"] in ("KR", "IL", "AE") and native_city != native:
                continue
            break
        german = locale.startswith("de") and culture == "de"
        email = make_email(latin(first), latin(last), c["code"], german)
        postal_code = postal(rng, pattern, c["code"]) if pattern else ""
        last_key = " ".join(shown(last).split()).casefold()
        if postal_code:
            # Another postal code in the same city, else another city with the same locale.
            alike = [x for x in c["cities"] if x[2] and city_locale(c, x) == locale]
            for attempt in range(60):
                if (postal_code, last_key) not in taken:
                    break
                if attempt >= 20 or "#" not in pattern:
                    city, tz, pattern, extra = rng.choice(alike)
                postal_code = postal(rng, pattern, c["code"])
            taken.add((postal_code, last_key))
        area = extra if c["phone"] == "nanp" else None
        if c["phone"] == "nanp" and not area:
            area = "555"
        tier = rng.choices([t for t, _, _ in TIERS], [w for _, w, _ in TIERS])[0]
        lo, hi = next(r for t, _, r in TIERS if t == tier)
        points = rng.randint(lo, hi) // 10 * 10
        if rng.random() < 0.07:
            created = window_start + timedelta(seconds=rng.randrange(int((end - window_start).total_seconds()) - 86400))
        else:
            created = history_start + timedelta(seconds=int(span * rng.random() ** 0.7))
        age = int((end - created).total_seconds())
        updated = created + timedelta(seconds=int(age * (1 - rng.random() ** 2.5)))
        updated = min(max(updated, created), end - timedelta(minutes=5))
        profiles.append(Profile(
            email=email, key=email, crm_id=f"CRM-{crm_ids[i]}" if rng.random() < 0.93 else "",
            shop_id=str(shop_ids[i]) if rng.random() < 0.72 else "", first_name=first, last_name=last,
            phone=phone(rng, c, area) if rng.random() < 0.86 else "", locale=locale, timezone=tz,
            country=country_spelling(rng, c, locale), country_code=c["code"], postal_code=postal_code,
            city=city, consent=rng.random() < 0.78, tier=tier, points=points,
            created_at=created.replace(microsecond=0), updated_at=updated.replace(microsecond=0),
            eur=c["eur"], culture=culture, first_text=shown(first), last_text=shown(last)))
    # CRM exports come in sign-up order.
    profiles.sort(key=lambda p: (p.created_at, p.key))
    return profiles, crm_ids[count:], shop_ids[count:], fresh_key


def plant_dirt(rng: Random, profiles: list[Profile], total: int, end: datetime, spare_crm, spare_shop,
               fresh_key):
    """Near-duplicates, exact duplicates, dirty emails and names. `total` profiles in all: the
    originals plus one near-duplicate each for 0.5% of them. Returns the rows in file order and
    what was planted."""
    n = len(profiles)
    order = list(range(n))
    rng.shuffle(order)
    n_fuzzy = total - n
    n_dups = round(total * 0.01)
    # Fuzzy pairs: originals with a phone and a postal code.
    fuzzy_src = [i for i in order if profiles[i].phone and profiles[i].postal_code][:n_fuzzy]
    chosen = set(fuzzy_src)
    dup_src = [i for i in order if i not in chosen][:n_dups]
    chosen.update(dup_src)
    rest = [i for i in order if i not in chosen]
    n_email_dirt = round(total * 0.03)
    n_name_dirt = round(total * 0.02)
    for i in rest[:n_email_dirt]:
        p = profiles[i]
        local, domain = p.key.split("@")
        r = rng.random()
        if r < 0.5:
            p.email = f"{local}@{domain.upper() if rng.random() < 0.6 else domain.title()}"
        elif r < 0.75:
            p.email = f" {p.key} "
        elif r < 0.88:
            p.email = f"  {p.key}"
        else:
            p.email = f"{p.key} "
    # Double inner spaces: in names that have a space ("van  Dijk", "Juan  Pablo"), else between
    # a given name and a second one.
    spaced = [i for i in rest[n_email_dirt:] if " " in profiles[i].first_text + profiles[i].last_text]
    others = [i for i in rest[n_email_dirt:] if i not in set(spaced)]
    for i in (spaced + others)[:n_name_dirt]:
        p = profiles[i]
        if " " in p.last_text:
            p.last_text = p.last_text.replace(" ", "  ", 1)
        elif " " in p.first_text:
            p.first_text = p.first_text.replace(" ", "  ", 1)
        else:
            p.first_text = f"{p.first_text}  {rng.choice(['Marie', 'Anne', 'Louise', 'Jean', 'Paul', 'James'])}"

    extra_after: dict[int, list[Profile]] = {}
    fuzzy_pairs = []
    for i in fuzzy_src:
        p = profiles[i]
        twin = Profile(**{k: getattr(p, k) for k in p.__dataclass_fields__})
        local, domain = p.key.split("@")
        base = fold(latin(p.first_name), p.locale.startswith("de"))
        lastf = fold(latin(p.last_name), p.locale.startswith("de"))
        new_local = rng.choice([f"{base[0]}{lastf}", f"{base}{rng.randrange(10, 99)}", f"{lastf}.{base}",
                                f"{base}.{lastf}.work"])
        new_domain = rng.choice(["inbox.example", "example.net", "webmail.example", "mail.example"])
        twin.email = twin.key = fresh_key(new_local, new_domain)
        digits = list(p.phone)
        pos = rng.randrange(len(digits) - 6, len(digits))
        digits[pos] = str((int(digits[pos]) + rng.randrange(1, 10)) % 10)
        twin.phone = "".join(digits)
        twin.crm_id = f"CRM-{spare_crm.pop()}" if rng.random() < 0.5 else ""
        twin.shop_id = str(spare_shop.pop()) if rng.random() < 0.7 else ""
        later = p.created_at + timedelta(seconds=int((end - p.created_at).total_seconds() * rng.uniform(0.2, 0.9)))
        twin.created_at = twin.updated_at = min(later, end - timedelta(hours=1)).replace(microsecond=0)
        twin.consent = rng.random() < 0.78
        twin.tier, twin.points = "Member", rng.randrange(0, 40) * 10
        c = next(c for c in COUNTRIES if c["code"] == p.country_code)
        twin.country = country_spelling(rng, c, p.locale)
        pos_after = rng.randrange(i, n)
        extra_after.setdefault(pos_after, []).append(twin)
        fuzzy_pairs.append((p, twin))
    dup_rows = []
    for i in dup_src:
        p = profiles[i]
        if (end - p.updated_at).total_seconds() < 3 * 86400:
            p.updated_at = max(p.created_at, p.updated_at - timedelta(days=20))
        dup = Profile(**{k: getattr(p, k) for k in p.__dataclass_fields__})
        room = int((end - p.updated_at).total_seconds()) - 3600
        dup.updated_at = p.updated_at + timedelta(seconds=rng.randrange(3600, max(room, 3601)))
        change = rng.choice(["points", "consent", "phone", "tier"])
        if change == "points":
            dup.points = p.points + rng.randrange(1, 60) * 10
        elif change == "consent":
            dup.consent = not p.consent
        elif change == "tier":
            dup.tier = {"Member": "Trail", "Trail": "Summit", "Summit": "Summit"}[p.tier]
            dup.points = p.points + rng.randrange(20, 90) * 10
        else:
            c = next(c for c in COUNTRIES if c["code"] == p.country_code)
            area = p.phone[2:5] if c["phone"] == "nanp" and p.phone else "555"
            dup.phone = phone(rng, c, area)
        pos_after = rng.randrange(i, n)
        extra_after.setdefault(pos_after, []).append(dup)
        dup_rows.append(dup)
    rows: list[Profile] = []
    for i, p in enumerate(profiles):
        rows.append(p)
        rows.extend(extra_after.get(i, []))
    return rows, fuzzy_pairs, dup_rows


def fuzzy_scored_pairs(rows: list[Profile]) -> list[tuple[str, str]]:
    """Every pair the importer's fuzzy rule would report: same postal code and last name, then
    names x 0.6 + phones x 0.4 (names x 0.9 without a phone) at 0.85 or more."""
    by_key: dict[tuple[str, str], list[Profile]] = {}
    found = []
    seen_keys: set[str] = set()
    for p in rows:
        if p.key in seen_keys:
            continue  # an exact duplicate: merged, not scored
        seen_keys.add(p.key)
        last = " ".join(p.last_text.split())
        if not p.postal_code or not last:
            continue
        k = (p.postal_code, last.casefold())
        for q in by_key.get(k, []):
            a = f"{' '.join(p.first_text.split())} {last}".lower()
            b = f"{' '.join(q.first_text.split())} {' '.join(q.last_text.split())}".lower()
            name = jaro_winkler(a.strip(), b.strip())
            if p.phone and q.phone:
                dist = levenshtein(p.phone, q.phone)
                score = name * 0.6 + (1 - dist / max(len(p.phone), len(q.phone))) * 0.4
            else:
                score = name * 0.9
            if score >= 0.85:
                found.append((q.key, p.key))
        by_key.setdefault(k, []).append(p)
    return found


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ----------------------------------------------------------------------------------------------
# Events
# ----------------------------------------------------------------------------------------------

HOUR_WEIGHTS = [0.25, 0.12, 0.06, 0.05, 0.05, 0.1, 0.3, 0.6, 0.8, 0.9, 1.0, 1.1, 1.35, 1.2, 1.0,
                1.0, 1.1, 1.3, 1.6, 1.9, 2.0, 1.8, 1.2, 0.6]


def black_friday(year: int) -> datetime:
    nov1 = datetime(year, 11, 1, tzinfo=timezone.utc)
    first_thursday = nov1 + timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + timedelta(days=22)


class EventMaker:
    def __init__(self, rng: Random, products: list[Product], profiles: list[Profile],
                 end: datetime, days: int):
        self.rng = rng
        self.end = end
        self.start = end - timedelta(days=days)
        self.days = days
        self.events: list[tuple[int, int, dict]] = []
        self.seq = 0
        self.by_market = {True: [p for p in products if p.currency == "EUR"],
                          False: [p for p in products if p.currency == "USD"]}
        if not self.by_market[True]:
            self.by_market[True] = products
        if not self.by_market[False]:
            self.by_market[False] = products
        self.profiles = profiles
        bf = black_friday(end.year if end.month >= 11 else end.year - 1)
        self.day_weights = []
        for d in range(days):
            day = self.start + timedelta(days=d)
            w = 1.0 + 0.7 * d / max(days - 1, 1)               # the season ramps up into winter
            w *= {5: 1.15, 6: 1.25, 0: 0.95}.get(day.weekday(), 1.0)
            delta = (day.date() - bf.date()).days
            if -6 <= delta < 0:
                w *= 1.5                                     # Black Friday week
            elif delta == 0:
                w *= 2.6
            elif 1 <= delta <= 3:
                w *= 1.8                                     # the weekend and Cyber Monday
            self.day_weights.append(w)
        self.black_friday = bf
        # Abandoned carts: no purchase by these profiles after this time.
        self.no_purchase_after: dict[str, datetime] = {}

    def pick_time(self, profile: Profile) -> datetime:
        """A moment in the window, busier on some days and at some local hours."""
        lo = max(self.start, profile.created_at)
        for _ in range(6):
            d = self.rng.choices(range(self.days), self.day_weights)[0]
            hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
            local = self.start + timedelta(days=d, hours=hour, seconds=self.rng.randrange(3600))
            t = local - timedelta(minutes=offset_minutes(profile.timezone))
            if lo <= t < self.end - timedelta(minutes=10):
                return t
        span = int((self.end - lo).total_seconds())
        return lo + timedelta(seconds=self.rng.randrange(max(span - 600, 1)))

    def pick_product(self, profile: Profile, around: datetime) -> Product:
        pool = self.by_market[profile.eur]
        weights = []
        late = (around - self.start).total_seconds() / max((self.end - self.start).total_seconds(), 1)
        for p in pool:
            w = p.popularity
            season = CATEGORIES[p.category]["season"]
            w *= 1 + (season - 1) * late
            if p.category in profile.favourites:
                w *= 4
            weights.append(w)
        return self.rng.choices(pool, weights)[0]

    def add(self, profile: Profile, kind: str, at: datetime, source: str, product: Product | None = None,
            qty: int = 0, category: str | None = None) -> None:
        value = currency = None
        if product is not None and kind in ("add_to_cart", "purchase"):
            value = round(product.price * qty, 2)
            currency = product.currency
        self.events.append((int(at.timestamp()), self.seq, {
            "email": profile.key,
            "type": kind,
            "sku": product.sku if product else None,
            "category": product.category if product else category,
            "value": value,
            "currency": currency,
            "occurred_at": rfc3339(at),
            "source": source,
        }))
        self.seq += 1

    def session(self, profile: Profile, at: datetime, budget: int, first: Product | None = None,
                abandon: bool = False) -> int:
        """A visit: page views, product views, maybe a cart, maybe a purchase. Returns the number
        of events written (at most budget)."""
        rng = self.rng
        planned: list[tuple] = []
        t = at
        if first is None:
            for _ in range(1 + (rng.random() < 0.35) + (rng.random() < 0.15)):
                cat = rng.choice(profile.favourites) if rng.random() < 0.6 else None
                planned.append(("page_view", t, None, 0, cat, "web"))
                t += timedelta(seconds=rng.randrange(8, 120))
        viewed = [first] if first else []
        n_views = 1 + int(rng.random() * 3.2) if first is None else int(rng.random() * 2.5)
        for _ in range(n_views):
            viewed.append(self.pick_product(profile, t))
        for p in viewed:
            planned.append(("product_view", t, p, 0, None, "web"))
            t += timedelta(seconds=rng.randrange(15, 240))
        cart = []
        blocked = profile.key in self.no_purchase_after and at >= self.no_purchase_after[profile.key] - timedelta(hours=1)
        if abandon or (not blocked and rng.random() < 0.13):
            for p in rng.sample(viewed, min(len(viewed), 1 + (rng.random() < 0.25))):
                qty = 1 + (rng.random() < 0.12) + (p.category == "accessories/socks" and rng.random() < 0.3)
                planned.append(("add_to_cart", t, p, qty, None, "web"))
                cart.append((p, qty))
                t += timedelta(seconds=rng.randrange(20, 300))
        if cart and not abandon and rng.random() < 0.5:
            t += timedelta(seconds=rng.randrange(60, 900))
            for p, qty in cart:
                planned.append(("purchase", t, p, qty, None, "shop"))
                t += timedelta(seconds=1)
        written = 0
        for kind, when, p, qty, cat, source in planned[:budget]:
            if when >= self.end:
                break
            self.add(profile, kind, when, source, p, qty, cat)
            written += 1
        return written

    def campaigns(self, budget: int) -> list[tuple[Profile, datetime, Product]]:
        """Email sends: a weekly newsletter (Thursdays, 15:00 UTC) and Black Friday mailings.
        Writes opens and clicks (about budget events); returns the clicks for follow-up visits."""
        rng = self.rng
        sends = []
        t = self.start.replace(hour=15, minute=0, second=0)
        t += timedelta(days=(3 - t.weekday()) % 7)
        while t < self.end:
            sends.append(("newsletter", t))
            t += timedelta(days=7)
        for name, when in (("black-friday-early-access", self.black_friday - timedelta(days=3, hours=-7)),
                           ("black-friday", self.black_friday + timedelta(hours=6))):
            if self.start <= when < self.end:
                sends.append((name, when))
        sends.sort(key=lambda s: s[1])
        subscribed = [p for p in self.profiles if p.consent]
        # Open probability per recipient: engaged customers open more.
        base = {p.key: min(0.08 + 0.12 * p.activity, 0.7) for p in subscribed}
        expected = sum(base[p.key] for p in subscribed) * len(sends) * 1.35
        scale = min(1.0, budget / expected) if expected else 0.0
        clicks = []
        for name, sent in sends:
            featured = {m: rng.sample(pool, min(4, len(pool))) for m, pool in self.by_market.items()}
            for p in subscribed:
                if p.created_at > sent or rng.random() >= base[p.key] * scale * (1.3 if "black" in name else 1.0):
                    continue
                opened = sent + timedelta(seconds=int(-math.log(1 - rng.random()) * 5 * 3600) + 30)
                if opened >= self.end:
                    continue
                self.add(p, "email_open", opened, "esp")
                if rng.random() < 0.12:
                    again = opened + timedelta(seconds=rng.randrange(600, 86400))
                    if again < self.end:
                        self.add(p, "email_open", again, "esp")
                if rng.random() < 0.2:
                    product = rng.choice(featured[p.eur])
                    clicked = opened + timedelta(seconds=rng.randrange(4, 240))
                    if clicked < self.end:
                        self.add(p, "click", clicked, "esp", product)
                        clicks.append((p, clicked, product))
        return clicks


def make_events(rng: Random, products: list[Product], profiles: list[Profile], total: int,
                end: datetime, days: int) -> list[dict]:
    cats = list(CATEGORIES)
    for p in profiles:
        p.activity = 0.0 if rng.random() < 0.12 else rng.lognormvariate(0.0, 0.9)
        p.favourites = rng.sample(cats, 2)
    maker = EventMaker(rng, products, profiles, end, days)
    # Abandoned carts in the last 48 hours (for the abandoned-cart email): chosen first, so that no
    # later visit of theirs buys anything after the cart.
    active = [p for p in profiles if p.activity > 0 and p.created_at < end - timedelta(days=2)]
    n_abandon = max(1, round(len(active) * 0.03)) if active else 0
    abandoners = rng.sample(active, min(n_abandon, len(active)))
    for profile in abandoners:
        maker.no_purchase_after[profile.key] = end - timedelta(seconds=rng.randrange(5400, 47 * 3600))
    clicks = maker.campaigns(int(total * 0.1))
    # Follow-up visits from email clicks.
    for profile, clicked, product in clicks:
        if len(maker.events) >= total:
            break
        if rng.random() < 0.7:
            maker.session(profile, clicked + timedelta(seconds=rng.randrange(2, 30)),
                          total - len(maker.events), first=product)
    for profile in abandoners:
        if len(maker.events) >= total:
            break
        maker.session(profile, maker.no_purchase_after[profile.key], total - len(maker.events), abandon=True)
    # Everyday browsing until the budget is spent.
    weighted = [p for p in profiles if p.activity > 0]
    weights = [p.activity for p in weighted]
    while len(maker.events) < total and weighted:
        profile = rng.choices(weighted, weights)[0]
        at = maker.pick_time(profile)
        maker.session(profile, at, total - len(maker.events))
    # The importer treats events with the same profile, time, type, SKU, category, value,
    # currency and source as one: move any such twin a second later.
    seen: set[tuple] = set()
    for i, (ts, seq, e) in enumerate(maker.events):
        key = tuple(e.values())
        while key in seen:
            ts += 1
            e["occurred_at"] = rfc3339(datetime.fromtimestamp(ts, timezone.utc))
            key = tuple(e.values())
        seen.add(key)
        maker.events[i] = (ts, seq, e)
    maker.events.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in maker.events]


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--out", default="fixtures/demo/store", help="output folder (default fixtures/demo/store)")
    ap.add_argument("--profiles", type=int, default=2000,
                    help="distinct profiles, near-duplicates included (default 2000); exact duplicate rows come on top")
    ap.add_argument("--events", type=int, default=50000, help="events (default 50000)")
    ap.add_argument("--products", type=int, default=200, help="products (default 200)")
    ap.add_argument("--days", type=int, default=90, help="length of the event window in days (default 90)")
    ap.add_argument("--end", default="2026-11-28T00:00:00Z",
                    help="end of the event window, RFC 3339 (UTC); events fall in [end - days, end)")
    args = ap.parse_args(argv)
    if args.profiles < 1 or args.products < 1 or args.events < 0 or args.days < 2:
        ap.error("--profiles and --products must be at least 1, --events at least 0, --days at least 2")
    try:
        end = datetime.fromisoformat(args.end.replace("Z", "+00:00"))
    except ValueError:
        ap.error(f"--end {args.end!r} is not an RFC 3339 date-time like 2026-11-28T00:00:00Z")
    if end.tzinfo is None:
        ap.error("--end needs a UTC offset, like 2026-11-28T00:00:00Z")
    end = end.astimezone(timezone.utc)

    rng = Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    products = make_products(rng, args.products)
    n_fuzzy = round(args.profiles * 0.005) if args.profiles >= 4 else 0
    profiles, spare_crm, spare_shop, fresh_key = make_profiles(rng, args.profiles - n_fuzzy, end, args.days)
    rows, fuzzy_pairs, dup_rows = plant_dirt(rng, profiles, args.profiles, end, spare_crm, spare_shop, fresh_key)
    planted = {(a.key, b.key) for a, b in fuzzy_pairs}
    scored = fuzzy_scored_pairs(rows)
    accidental = [f for f in scored if f not in planted]
    missed = sorted(planted - set(scored))
    if accidental or missed:
        print(f"error: fuzzy pairs not as planted: unplanted {accidental[:5]}, missed {missed[:5]}; "
              "try another --seed", file=sys.stderr)
        return 1
    # Events come from every distinct profile, as it stands after merging (the newer duplicate).
    newest = {d.key: d for d in dup_rows}
    people = [newest.get(p.key, p) for p in profiles] + [twin for _, twin in fuzzy_pairs]
    events = make_events(rng, products, people, args.events, end, args.days)

    write_csv(out / "products.csv", ["sku", "name", "price", "currency", "category", "image_url", "url", "stock"],
              [[p.sku, p.name, f"{p.price:.2f}", p.currency, p.category, p.image_url, p.url, str(p.stock)]
               for p in products])
    write_csv(out / "profiles.csv", PROFILE_HEADER, [p.row() for p in rows])
    pairs = ",\n".join("    " + json.dumps([a.email, b.email], ensure_ascii=False) for a, b in fuzzy_pairs)
    pairs = f"[\n{pairs}\n  ]" if pairs else "[]"
    (out / "profiles.expected.json").write_text(
        f'{{\n  "exact_duplicates": {len(dup_rows)},\n  "fuzzy_pairs": {pairs}\n}}\n', encoding="utf-8")
    with (out / "events.jsonl").open("w", encoding="utf-8", newline="\n") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")

    counts: dict[str, int] = {}
    for e in events:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    print(f"{out}: {len(products)} products, {len(rows)} profile rows ({len(profiles) + len(fuzzy_pairs)} profiles, "
          f"{len(dup_rows)} exact duplicates, {len(fuzzy_pairs)} fuzzy pairs), {len(events)} events "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
