//! Recommendations as a content rule: per profile, the top products from the categories it viewed
//! most in a window, leaving out what it bought and what is out of stock, topped up with
//! bestsellers when there is too little to go on. Each item says why it was chosen.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value};

use crate::{Store, StoreError};

/// How recommendations are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecommendOptions {
    /// How many products (default 4).
    pub count: usize,
    /// How far back product views count (default 30 days).
    pub window_ms: i64,
    /// How many of the most viewed categories are used (default 3).
    pub categories: usize,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        Self {
            count: 4,
            window_ms: 30 * 86_400_000,
            categories: 3,
        }
    }
}

/// Why a product was recommended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// From a category the profile viewed (`views` product views in the window).
    ViewedCategory {
        /// The category.
        category: String,
        /// Product views in it.
        views: u32,
    },
    /// A bestseller: the profile's views did not give enough products.
    Bestseller {
        /// Purchases in the popularity window (90 days).
        purchases: u32,
    },
}

/// One recommended product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Price.
    pub price: Option<f64>,
    /// Currency.
    pub currency: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Image.
    pub image_url: Option<String>,
    /// Product page.
    pub url: Option<String>,
    /// Why.
    pub reason: Reason,
}

impl Recommendation {
    /// The item as templates see it: product fields, `reason` in words and `reason_code`.
    #[must_use]
    pub fn to_context(&self) -> Value {
        let (code, words) = match &self.reason {
            Reason::ViewedCategory { category, views } => (
                "viewed_category",
                format!(
                    "you viewed {views} product{} in {category}",
                    if *views == 1 { "" } else { "s" }
                ),
            ),
            Reason::Bestseller { .. } => ("bestseller", "a bestseller right now".to_owned()),
        };
        let mut v = json!({"sku": self.sku, "name": self.name, "reason": words, "reason_code": code});
        for (key, value) in [
            ("currency", &self.currency),
            ("category", &self.category),
            ("image_url", &self.image_url),
            ("url", &self.url),
        ] {
            if let Some(x) = value {
                v[key] = Value::String(x.clone());
            }
        }
        if let Some(p) = self.price {
            v["price"] = json!(p);
        }
        v
    }
}

const PRODUCT: &str = "p.sku, p.name, p.price, p.currency, p.category, p.image_url, p.url";

/// In stock (unknown stock counts as in stock) and never bought by the profile `?1`.
const AVAILABLE: &str = "coalesce(p.stock, 1) > 0 AND NOT EXISTS (SELECT 1 FROM events b WHERE b.profile_id = ?1 AND b.type = 'purchase' AND b.sku = p.sku)";

fn product(r: &rusqlite::Row<'_>, reason: Reason) -> rusqlite::Result<Recommendation> {
    Ok(Recommendation {
        sku: r.get(0)?,
        name: r.get(1)?,
        price: r.get(2)?,
        currency: r.get(3)?,
        category: r.get(4)?,
        image_url: r.get(5)?,
        url: r.get(6)?,
        reason,
    })
}

impl Store {
    /// Recommendations for a profile as of `as_of` (epoch ms).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn recommendations(
        &self,
        profile_id: i64,
        as_of: i64,
        options: &RecommendOptions,
    ) -> Result<Vec<Recommendation>, StoreError> {
        let sql = |e| self.sql_error(e);
        let limit = i64::try_from(options.count).unwrap_or(i64::MAX);
        let categories: Vec<(String, u32)> = self
            .conn()
            .prepare_cached(
                "SELECT category, count(*) AS views, max(occurred_at) AS last FROM events INDEXED BY events_profile_type_time
                 WHERE profile_id = ?1 AND type = 'product_view' AND occurred_at <= ?2 AND occurred_at > ?3 AND category IS NOT NULL
                 GROUP BY category ORDER BY views DESC, last DESC, category LIMIT ?4",
            )
            .and_then(|mut st| {
                st.query_map(
                    params![
                        profile_id,
                        as_of,
                        as_of.saturating_sub(options.window_ms),
                        i64::try_from(options.categories).unwrap_or(i64::MAX)
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .collect()
            })
            .map_err(sql)?;
        let mut out: Vec<Recommendation> = Vec::new();
        // Within a category: products the profile viewed most first, then the store's bestsellers.
        let mut in_category = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {PRODUCT} FROM products p LEFT JOIN product_popularity pop ON pop.sku = p.sku
                 WHERE p.category = ?2 AND {AVAILABLE}
                 ORDER BY (SELECT count(*) FROM events v WHERE v.profile_id = ?1 AND v.type = 'product_view' AND v.sku = p.sku AND v.occurred_at <= ?3 AND v.occurred_at > ?4) DESC,
                          coalesce(pop.purchases, 0) DESC, p.sku LIMIT ?5"
            ))
            .map_err(sql)?;
        for (category, views) in &categories {
            if out.len() >= options.count {
                break;
            }
            let rows: Vec<Recommendation> = in_category
                .query_map(
                    params![
                        profile_id,
                        category,
                        as_of,
                        as_of.saturating_sub(options.window_ms),
                        limit
                    ],
                    |r| {
                        product(
                            r,
                            Reason::ViewedCategory {
                                category: category.clone(),
                                views: *views,
                            },
                        )
                    },
                )
                .and_then(Iterator::collect)
                .map_err(sql)?;
            for r in rows {
                if out.len() < options.count && !out.iter().any(|o| o.sku == r.sku) {
                    out.push(r);
                }
            }
        }
        if out.len() < options.count {
            let rows: Vec<Recommendation> = self
                .conn()
                .prepare_cached(&format!(
                    "SELECT {PRODUCT}, pop.purchases FROM product_popularity pop JOIN products p ON p.sku = pop.sku
                     WHERE {AVAILABLE} ORDER BY pop.purchases DESC, p.sku LIMIT ?2"
                ))
                .and_then(|mut st| {
                    st.query_map(params![profile_id, limit.saturating_add(limit)], |r| {
                        let purchases: u32 = r.get(7)?;
                        product(r, Reason::Bestseller { purchases })
                    })?
                    .collect()
                })
                .map_err(sql)?;
            for r in rows {
                if out.len() < options.count && !out.iter().any(|o| o.sku == r.sku) {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// When product popularity was last computed, if ever.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn popularity_computed_at(&self) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row("SELECT max(computed_at) FROM product_popularity", [], |r| r.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sql_error(e))
    }
}

impl Store {
    /// The stock of each of `skus` that the catalogue knows with a stock figure (availability
    /// feeds: a product left out, or without a figure, counts as in stock, as for
    /// recommendations).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn stock_of(&self, skus: &[&str]) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut out = std::collections::HashMap::new();
        let mut st = self
            .conn()
            .prepare_cached("SELECT stock FROM products WHERE sku = ?1 AND stock IS NOT NULL")
            .map_err(|e| self.sql_error(e))?;
        for sku in skus {
            let stock: Option<i64> = st
                .query_row(params![sku], |r| r.get(0))
                .optional()
                .map_err(|e| self.sql_error(e))?;
            if let Some(stock) = stock {
                out.insert((*sku).to_owned(), stock);
            }
        }
        Ok(out)
    }
}
