//! Token use and cost per model and UTC day. Added to when a reply finishes,
//! so the totals survive purging the conversations they came from.

use rusqlite::{Connection, params};

use crate::api::models::Pricing;
use crate::api::types::Usage;

use super::Store;
use super::error::Result;
use super::messages::tokens_in;
use super::types::{Timestamp, UsageRecord};

/// The price of a reply in USD. Cache writes cost 1.25x and cache reads
/// 0.1x the input price (Anthropic's published multipliers for 5-minute
/// caching).
pub fn cost_usd(usage: &Usage, pricing: &Pricing) -> f64 {
    let per = |tokens: u64, price_per_million: f64| tokens as f64 * price_per_million / 1e6;
    per(usage.input_tokens, pricing.input_per_million)
        + per(usage.output_tokens, pricing.output_per_million)
        + per(
            usage.cache_creation_input_tokens.unwrap_or(0),
            pricing.input_per_million * 1.25,
        )
        + per(
            usage.cache_read_input_tokens.unwrap_or(0),
            pricing.input_per_million * 0.1,
        )
}

pub(crate) fn record(
    conn: &Connection,
    at: Timestamp,
    model: &str,
    u: &Usage,
    cost: Option<f64>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO usage_records (day, model, messages, input_tokens, output_tokens,
            cache_creation_input_tokens, cache_read_input_tokens, cost_usd, unpriced_messages)
         VALUES (date(?1 / 1000, 'unixepoch'), ?2, 1, ?3, ?4, ?5, ?6, ?7, ?7 IS NULL)
         ON CONFLICT (day, model) DO UPDATE SET
            messages = messages + 1,
            input_tokens = input_tokens + excluded.input_tokens,
            output_tokens = output_tokens + excluded.output_tokens,
            cache_creation_input_tokens = cache_creation_input_tokens + excluded.cache_creation_input_tokens,
            cache_read_input_tokens = cache_read_input_tokens + excluded.cache_read_input_tokens,
            cost_usd = CASE WHEN excluded.cost_usd IS NULL THEN cost_usd
                            ELSE coalesce(cost_usd, 0) + excluded.cost_usd END,
            unpriced_messages = unpriced_messages + excluded.unpriced_messages",
    )?
    .execute(params![
        at,
        model,
        tokens_in(u.input_tokens),
        tokens_in(u.output_tokens),
        tokens_in(u.cache_creation_input_tokens.unwrap_or(0)),
        tokens_in(u.cache_read_input_tokens.unwrap_or(0)),
        cost,
    ])?;
    Ok(())
}

impl Store {
    /// Usage on the UTC days from the day of `from` to the day of `to`, both
    /// included, by day then model.
    pub fn usage_by_day(&self, from: Timestamp, to: Timestamp) -> Result<Vec<UsageRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, model, messages, input_tokens, output_tokens,
                cache_creation_input_tokens, cache_read_input_tokens, cost_usd, unpriced_messages
             FROM usage_records
             WHERE day BETWEEN date(?1 / 1000, 'unixepoch') AND date(?2 / 1000, 'unixepoch')
             ORDER BY day, model",
        )?;
        let rows = stmt
            .query_map([from, to], |r| {
                Ok(UsageRecord {
                    day: r.get(0)?,
                    model: r.get(1)?,
                    messages: r.get(2)?,
                    input_tokens: r.get(3)?,
                    output_tokens: r.get(4)?,
                    cache_creation_input_tokens: r.get(5)?,
                    cache_read_input_tokens: r.get(6)?,
                    cost_usd: r.get(7)?,
                    unpriced_messages: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
