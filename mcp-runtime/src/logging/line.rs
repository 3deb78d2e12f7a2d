//! The text log line, written cheaply: the layout of `tracing-subscriber`'s default format
//! without colours (`2026-12-03T06:45:12.123456Z  INFO target: message key="value" n=1`),
//! at a fraction of its cost.
//!
//! The default format formats every field through `Debug` and the timestamp through a general
//! date formatter; on a server that logs each request, that was most of a small call's cost.
//! This one writes strings that need no escaping as they are, numbers without the formatting
//! machinery, and the date part of the timestamp once per second per thread.

use std::cell::Cell;
use std::fmt::{self, Write as _};

use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The text log format [`init`](super::init) uses for a writer that is not a terminal (a
/// terminal gets `tracing-subscriber`'s default, in colour): the default's layout, without
/// colour, written cheaply. For a subscriber of your own:
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// let layer = tracing_subscriber::fmt::layer()
///     .with_ansi(false)
///     .event_format(mcp_runtime::logging::PlainLine);
/// let _subscriber = tracing_subscriber::registry().with(layer);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainLine;

impl<S, N> FormatEvent<S, N> for PlainLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        write_timestamp(&mut writer, SystemTime::now())?;
        writer.write_str(level(meta.level()))?;
        if let Some(scope) = ctx.event_scope() {
            let mut any = false;
            for span in scope.from_root() {
                writer.write_str(span.name())?;
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    writer.write_char('{')?;
                    writer.write_str(fields)?;
                    writer.write_char('}')?;
                }
                writer.write_char(':')?;
                any = true;
            }
            if any {
                writer.write_char(' ')?;
            }
        }
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        // The fields are gathered in this thread's scratch line, then written at once: pushing
        // onto a `String` costs less than a call through the writer per piece.
        SCRATCH.with(|scratch| {
            let mut line = scratch.take();
            line.clear();
            let mut fields = Fields {
                line: &mut line,
                first: true,
            };
            event.record(&mut fields);
            line.push('\n');
            let written = writer.write_str(&line);
            if line.capacity() <= 4096 {
                scratch.set(line);
            }
            written
        })
    }
}

/// `" INFO "`, padded as the default format pads it.
fn level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE ",
        Level::DEBUG => "DEBUG ",
        Level::INFO => " INFO ",
        Level::WARN => " WARN ",
        Level::ERROR => "ERROR ",
    }
}

thread_local! {
    /// The second last formatted on this thread, and its `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
    /// Where a line's fields are gathered.
    static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
}

/// `2026-12-03T06:45:12.123456Z ` (UTC, microseconds), then a space.
fn write_timestamp(writer: &mut Writer<'_>, now: SystemTime) -> fmt::Result {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (cached, mut date) = SECOND.get();
    if cached != secs {
        date = civil(secs);
        SECOND.set((secs, date));
    }
    let mut text = [0u8; 29];
    text[..19].copy_from_slice(&date);
    text[19] = b'.';
    let mut micros = since.subsec_micros();
    for at in (20..26).rev() {
        text[at] = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    text[26] = b'Z';
    text[27] = b' ';
    // Only ASCII digits and separators were written.
    writer.write_str(std::str::from_utf8(&text[..28]).map_err(|_| fmt::Error)?)
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix time (days to a civil date: Howard Hinnant's algorithm).
fn civil(secs: u64) -> [u8; 19] {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, width: usize, mut value: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year.clamp(0, 9999) as u64);
    put(5, 2, month as u64);
    put(8, 2, day as u64);
    put(11, 2, rem / 3_600);
    put(14, 2, rem / 60 % 60);
    put(17, 2, rem % 60);
    out
}

/// Writes an event's fields: the message as it is, the others as `name=value`, strings quoted
/// as `Debug` quotes them.
struct Fields<'a> {
    line: &'a mut String,
    first: bool,
}

impl Fields<'_> {
    fn name(&mut self, field: &Field) {
        if !std::mem::take(&mut self.first) {
            self.line.push(' ');
        }
        if field.name() != "message" {
            self.line.push_str(field.name());
            self.line.push('=');
        }
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        if field.name() == "message" {
            self.line.push_str(value);
        } else if value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
        {
            self.line.push('"');
            self.line.push_str(value);
            self.line.push('"');
        } else {
            let _ = write!(self.line, "{value:?}");
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        if value < 0 {
            self.line.push('-');
        }
        push_u64(self.line, value.unsigned_abs());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        push_u64(self.line, value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.name(field);
        push_f64(self.line, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field);
        let _ = write!(self.line, "{value:?}");
    }
}

/// `value` in decimal, at the end of `line`, without the formatting machinery.
pub(crate) fn push_u64(line: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        line.push(char::from(digit));
    }
}

/// `f64`'s `Display`, without its general algorithm for the values logs carry most: a
/// duration in milliseconds to the microsecond (`0.125`, `12`), whose shortest exact form has
/// at most three decimals.
fn push_f64(line: &mut String, value: f64) {
    let thousandths = (value * 1000.0).round();
    if value.is_finite() && thousandths.abs() < 9e15 && thousandths / 1000.0 == value {
        if value < 0.0 || (value == 0.0 && value.is_sign_negative()) {
            line.push('-');
        }
        let thousandths = thousandths.abs() as u64;
        push_u64(line, thousandths / 1000);
        let fraction = thousandths % 1000;
        if fraction != 0 {
            line.push('.');
            let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
            let used = if fraction.is_multiple_of(100) {
                1
            } else if fraction.is_multiple_of(10) {
                2
            } else {
                3
            };
            for &digit in &digits[..used] {
                line.push(char::from(b'0' + digit as u8));
            }
        }
    } else {
        let _ = write!(line, "{value}");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::prelude::*;

    use super::*;

    /// Formats the events `emit` sends with `format`, as text.
    fn lines(plain: bool, emit: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("not poisoned").extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone());
        let subscriber = if plain {
            tracing_subscriber::registry().with(layer.event_format(PlainLine).boxed())
        } else {
            tracing_subscriber::registry().with(layer.boxed())
        };
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(buffer.0.lock().expect("not poisoned").clone()).expect("UTF-8")
    }

    #[test]
    fn floats_read_as_display_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            2.5,
            0.125,
            0.001,
            12.34,
            1e-4,
            1e20,
            -3.75,
            123_456.789,
            0.1 + 0.2,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            9e15,
            1e16,
        ];
        // Every duration a request can take, in milliseconds to the microsecond.
        values.extend((0..20_000u64).map(|micros| micros as f64 / 1000.0));
        values.extend((0..2_000u64).map(|i| (i * 7_919_993) as f64 / 1000.0));
        for value in values {
            let mut ours = String::new();
            push_f64(&mut ours, value);
            assert_eq!(ours, value.to_string(), "{value:e}");
        }
    }

    fn emit() {
        let span = tracing::info_span!("session", id = 7);
        let _entered = span.enter();
        tracing::info!(
            target: "mcp_runtime::requests",
            method = "tools/call",
            component = "add",
            quoted = "say \"hi\"\n",
            unicode = "héllo",
            count = 42u64,
            negative = -3i64,
            ok = true,
            duration_ms = 0.125,
            debug = ?Some(1),
            "request handled"
        );
        tracing::warn!(target: "t", "plain {}", "message");
        // The message as a `&str` field, as the request line gives it (recorded as a string).
        tracing::info!(target: "t", count = 1u64, message = "given as a field");
        tracing::error!(target: "t", min = i64::MIN, max = u64::MAX);
    }

    #[test]
    fn lines_read_as_the_default_format_writes_them_after_the_timestamp() {
        let ours = lines(true, emit);
        let default = lines(false, emit);
        let strip = |text: &str| -> Vec<String> {
            text.lines()
                .map(|line| {
                    line.split_once(' ')
                        .expect("a timestamp first")
                        .1
                        .to_owned()
                })
                .collect()
        };
        assert_eq!(
            strip(&ours),
            strip(&default),
            "ours:\n{ours}\ndefault:\n{default}"
        );
        assert_eq!(ours.lines().count(), 4);
        assert!(ours.contains(" t: count=1 given as a field\n"), "{ours}");
    }

    #[test]
    fn timestamps_are_rfc_3339_utc_to_the_microsecond() {
        let mut text = String::new();
        let at = UNIX_EPOCH + std::time::Duration::from_micros(1_764_741_912_000_042);
        write_timestamp(&mut Writer::new(&mut text), at).expect("formats");
        assert_eq!(text, "2025-12-03T06:05:12.000042Z ");
        let mut text = String::new();
        write_timestamp(&mut Writer::new(&mut text), UNIX_EPOCH).expect("formats");
        assert_eq!(text, "1970-01-01T00:00:00.000000Z ");
        // A leap day, and the second cached for the thread moving on.
        for (secs, date) in [
            (951_782_400, "2000-02-29T00:00:00"),
            (951_868_799, "2000-02-29T23:59:59"),
            (4_107_542_400, "2100-03-01T00:00:00"),
        ] {
            let mut text = String::new();
            let at = UNIX_EPOCH + std::time::Duration::from_secs(secs);
            write_timestamp(&mut Writer::new(&mut text), at).expect("formats");
            assert_eq!(&text[..19], date);
        }
    }
}
