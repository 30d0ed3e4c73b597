//! Reads the import file: JSON Lines, read line by line in batches (memory stays flat), or a
//! JSON array (Clerk's migration files), which is parsed whole. A line that is not JSON, or not
//! a usable record, becomes an [`Input`] with an error, so the rest of the file still imports.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use super::records::{self, Record};

/// One record of the input, as read.
pub struct Input {
    /// Line in a JSON Lines file, or 1-based position in a JSON array.
    pub line: usize,
    in_array: bool,
    /// The input as it was: the parsed object, or the raw text of a line that is not JSON.
    pub original: Value,
    pub record: Result<Record, String>,
}

impl Input {
    pub fn location(&self) -> String {
        if self.in_array {
            format!("record {}", self.line)
        } else {
            format!("line {}", self.line)
        }
    }
}

pub enum InputReader {
    Lines {
        reader: Box<dyn BufRead>,
        line: usize,
        total: Option<u64>,
    },
    Array(std::vec::IntoIter<(usize, Value)>, u64),
}

impl InputReader {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let describe = || format!("cannot read {}", path.display());
        let (mut reader, total): (Box<dyn BufRead>, Option<u64>) = if path.as_os_str() == "-" {
            (Box::new(BufReader::new(std::io::stdin())), None)
        } else {
            let total = count_lines(path).with_context(describe)?;
            let file = File::open(path).with_context(describe)?;
            (
                Box::new(BufReader::with_capacity(1 << 16, file)),
                Some(total),
            )
        };
        if starts_with_array(&mut reader).with_context(describe)? {
            let values: Vec<Value> = serde_json::from_reader(reader)
                .with_context(|| format!("{} is not a valid JSON array", path.display()))?;
            let total = values.len() as u64;
            let numbered: Vec<_> = values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i + 1, v))
                .collect();
            return Ok(Self::Array(numbered.into_iter(), total));
        }
        Ok(Self::Lines {
            reader,
            line: 0,
            total,
        })
    }

    /// Records in the input, when known (for the progress bar).
    pub fn total(&self) -> Option<u64> {
        match self {
            Self::Lines { total, .. } => *total,
            Self::Array(_, total) => Some(*total),
        }
    }

    /// The input in batches of up to `size` records; an I/O error ends it.
    pub fn batches(mut self, size: usize) -> impl Iterator<Item = anyhow::Result<Vec<Input>>> {
        std::iter::from_fn(move || {
            let mut batch = Vec::with_capacity(size);
            while batch.len() < size {
                match self.next_input() {
                    Ok(Some(input)) => batch.push(input),
                    Ok(None) => break,
                    Err(e) => return Some(Err(e)),
                }
            }
            (!batch.is_empty()).then_some(Ok(batch))
        })
    }

    fn next_input(&mut self) -> anyhow::Result<Option<Input>> {
        match self {
            Self::Array(values, _) => Ok(values.next().map(|(position, value)| Input {
                line: position,
                in_array: true,
                original: value.clone(),
                record: records::normalize(value),
            })),
            Self::Lines { reader, line, .. } => loop {
                let mut bytes = Vec::new();
                if reader.read_until(b'\n', &mut bytes)? == 0 {
                    return Ok(None);
                }
                *line += 1;
                let raw = String::from_utf8_lossy(&bytes);
                // The line as written (less its line break) is what a failure keeps.
                let text = raw.trim_end_matches(['\n', '\r']);
                if text.trim().is_empty() {
                    continue;
                }
                let input = match serde_json::from_str::<Value>(text) {
                    Ok(value) => Input {
                        line: *line,
                        in_array: false,
                        original: value.clone(),
                        record: records::normalize(value),
                    },
                    Err(e) => Input {
                        line: *line,
                        in_array: false,
                        original: Value::String(text.to_owned()),
                        record: Err(format!("not valid JSON: {e}")),
                    },
                };
                return Ok(Some(input));
            },
        }
    }
}

/// Non-blank lines, for the progress bar: one quick pass before the import.
fn count_lines(path: &Path) -> std::io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut count = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(count);
        }
        if line.iter().any(|b| !b.is_ascii_whitespace()) {
            count += 1;
        }
    }
}

/// Whether the first non-blank byte is `[`; consumes only the blanks before it.
fn starts_with_array(reader: &mut Box<dyn BufRead>) -> std::io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let is_array = buf[i] == b'[';
                reader.consume(i);
                return Ok(is_array);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Vec<Input> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, text).unwrap();
        let reader = InputReader::open(&path).unwrap();
        reader.batches(2).flat_map(|b| b.unwrap()).collect()
    }

    #[test]
    fn json_lines_keep_line_numbers_and_malformed_lines_become_errors() {
        let inputs =
            read_all("{\"external_id\":\"a\"}\n\n{not json\n{\"external_id\":\"b\"}\n[1]\n");
        assert_eq!(inputs.len(), 4);
        assert_eq!(inputs[0].line, 1);
        assert!(inputs[0].record.is_ok());
        assert_eq!(inputs[1].location(), "line 3");
        assert!(inputs[1]
            .record
            .as_ref()
            .unwrap_err()
            .contains("not valid JSON"));
        assert_eq!(inputs[1].original, Value::String("{not json".into()));
        assert_eq!(inputs[2].line, 4);
        assert!(inputs[3].record.is_err(), "an array line is not a record");
    }

    #[test]
    fn a_json_array_is_read_as_records() {
        let inputs = read_all("  [{\"userId\":\"1\",\"email\":\"a@b.co\"}, 5]");
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[0].location(), "record 1");
        assert!(inputs[0].record.is_ok());
        assert!(inputs[1].record.is_err());
    }
}
