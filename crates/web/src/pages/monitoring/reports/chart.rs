//! The day-by-hour chart: 24 bars of hits, one per London hour, drawn as inline SVG by the
//! template from the geometry worked out here.
//!
//! Hand-written rather than with a plotting crate: 24 rectangles, two axes and a few labels
//! do not justify a dependency, and markup we write ourselves can carry the accessible name
//! (`<title>`, `<desc>`) and stay inside the Content Security Policy (no inline styles: only
//! presentation attributes). The same figures are given as a table for screen readers.

use super::count;

/// The drawing's size in SVG units (it scales to the page's width).
pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 250;
const LEFT: u32 = 56;
const TOP: u32 = 16;
/// The bottom of the bars (the x axis).
const BASE: u32 = 196;
const SLOT: u32 = 27;
const BAR: u32 = 19;

/// One hour's bar and its row in the table.
pub struct Bar {
    /// "09:00 to 10:00"
    pub hour: String,
    pub hits: String,
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// Hours 0, 3, 6…: their start is written under the axis.
    pub label: Option<String>,
    pub label_x: u32,
}

/// A line across the chart at a round number of hits.
pub struct Tick {
    pub y: u32,
    pub label: String,
}

pub struct HourChart {
    /// Makes the ids of the title and description unique on the page.
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub any: bool,
    pub axis_left: u32,
    pub axis_right: u32,
    pub axis_y: u32,
    pub plot_top: u32,
    pub width: u32,
    pub height: u32,
    pub hour_label_y: u32,
    pub axis_title_y: u32,
    pub axis_title_x: u32,
}

impl HourChart {
    pub fn new(id: &'static str, title: String, hours: &[u64; 24]) -> HourChart {
        let most = hours.iter().copied().max().unwrap_or(0);
        let step = nice_step(most);
        // The top of the scale: the busiest hour rounded up to a whole step (at least one).
        let top = most.div_ceil(step).max(1) * step;
        let span = u64::from(BASE - TOP);
        let height_of = |hits: u64| -> u32 {
            u32::try_from(hits.saturating_mul(span) / top).unwrap_or(BASE - TOP)
        };
        let bars = hours
            .iter()
            .zip(0u32..)
            .map(|(&hits, hour)| {
                let height = height_of(hits);
                let x = LEFT + hour * SLOT + (SLOT - BAR) / 2;
                Bar {
                    hour: format!("{hour:02}:00 to {:02}:00", (hour + 1) % 24),
                    hits: count(hits),
                    x,
                    y: BASE - height,
                    height,
                    label: (hour % 3 == 0).then(|| format!("{hour:02}:00")),
                    label_x: LEFT + hour * SLOT + SLOT / 2,
                }
            })
            .collect();
        let ticks = (0..=top / step)
            .map(|n| {
                let hits = n * step;
                Tick {
                    y: BASE - height_of(hits),
                    label: count(hits),
                }
            })
            .collect();
        HourChart {
            id,
            description: describe(hours),
            title,
            bars,
            ticks,
            any: most > 0,
            axis_left: LEFT,
            axis_right: LEFT + 24 * SLOT,
            axis_y: BASE,
            plot_top: TOP,
            width: WIDTH,
            height: HEIGHT,
            hour_label_y: BASE + 18,
            axis_title_y: BASE + 44,
            axis_title_x: LEFT + 12 * SLOT,
        }
    }
}

/// A round step for the scale giving at most four lines: 1, 2 or 5 times a power of ten.
fn nice_step(most: u64) -> u64 {
    let rough = most.div_ceil(4).max(1);
    let mut power = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * power;
            if step >= rough {
                return step;
            }
        }
        match power.checked_mul(10) {
            Some(next) => power = next,
            None => return rough,
        }
    }
}

/// The chart in words: the total, the busiest hour and the hours with any use.
fn describe(hours: &[u64; 24]) -> String {
    let total: u64 = hours.iter().sum();
    if total == 0 {
        return "No use was recorded in any hour.".to_owned();
    }
    let (busiest, hits) = hours
        .iter()
        .copied()
        .zip(0u32..)
        .map(|(hits, hour)| (hour, hits))
        .fold(
            (0, 0),
            |best, (hour, hits)| {
                if hits > best.1 { (hour, hits) } else { best }
            },
        );
    let first = hours.iter().position(|&h| h > 0).unwrap_or(0);
    let last = hours.iter().rposition(|&h| h > 0).unwrap_or(23);
    format!(
        "{} hits in all, between {first:02}:00 and {:02}:00 London time. The busiest hour was \
         {busiest:02}:00 to {:02}:00, with {} hits. The table below gives every hour.",
        count(total),
        (last + 1) % 24,
        (busiest + 1) % 24,
        count(hits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_round_and_the_busiest_bar_reaches_the_top_line() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(7), 2);
        assert_eq!(nice_step(42), 20);
        assert_eq!(nice_step(180), 50);
        let mut hours = [0u64; 24];
        hours[10] = 40;
        hours[14] = 15;
        let chart = HourChart::new("t", "A title".to_owned(), &hours);
        let top = chart.ticks.last().unwrap();
        assert_eq!(top.label, "40");
        assert_eq!(chart.bars[10].y, top.y);
        assert_eq!(chart.bars[10].y + chart.bars[10].height, BASE);
        assert_eq!(chart.bars[3].height, 0);
        assert_eq!(chart.bars.len(), 24);
        assert!(chart.any);
        assert!(
            chart.description.contains("55 hits in all")
                && chart.description.contains("10:00 to 11:00, with 40 hits"),
            "{}",
            chart.description
        );
    }

    #[test]
    fn a_chart_with_no_use_says_so_and_draws_no_bars() {
        let chart = HourChart::new("t", "Empty".to_owned(), &[0; 24]);
        assert!(!chart.any);
        assert!(chart.bars.iter().all(|b| b.height == 0));
        assert_eq!(chart.description, "No use was recorded in any hour.");
    }
}
