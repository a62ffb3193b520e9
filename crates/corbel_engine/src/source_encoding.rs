//! Source text from file bytes. Files are UTF-8, except Python files that declare another
//! encoding on their first or second line (PEP 263: `# -*- coding: iso-8859-1 -*-`),
//! which Python itself reads in that encoding.

use crate::language::Grammar;

/// The file's text, or why it cannot be read.
pub fn decode_source(bytes: Vec<u8>, grammar: Grammar) -> Result<String, String> {
    let (bytes, offset) = match String::from_utf8(bytes) {
        Ok(source) => return Ok(source),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            (error.into_bytes(), offset)
        }
    };
    let declared = (grammar == Grammar::Python)
        .then(|| declared_encoding(&bytes))
        .flatten();
    match declared {
        // Every byte is a character of the Latin-1 family, one to one. cp1252 and
        // ISO-8859-15 differ from Latin-1 in a few printable characters, which only
        // strings and comments hold; the code the rules read is ASCII.
        Some(name) if is_latin1_family(&name) => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Some(name) => Err(format!(
            "declares the `{name}` encoding, which corbel does not read (first non-UTF-8 byte at offset {offset})"
        )),
        None => Err(format!(
            "not valid UTF-8 (first invalid byte at offset {offset})"
        )),
    }
}

/// The encoding named by a PEP 263 comment on line 1 or 2: a comment line matching
/// `coding[:=]\s*([-\w.]+)`.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    bytes.split(|&b| b == b'\n').take(2).find_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let comment = line.trim_start();
        if !comment.starts_with('#') {
            return None;
        }
        let at = comment.find("coding")?;
        let rest = comment[at + "coding".len()..].strip_prefix([':', '='])?;
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        (!name.is_empty()).then(|| name.to_ascii_lowercase())
    })
}

fn is_latin1_family(name: &str) -> bool {
    let name = name.replace('_', "-");
    matches!(
        name.as_str(),
        "latin-1"
            | "latin1"
            | "l1"
            | "iso-8859-1"
            | "iso8859-1"
            | "iso-8859-15"
            | "iso8859-15"
            | "latin-9"
            | "latin9"
            | "cp1252"
            | "windows-1252"
            | "cp819"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        let source = "café = 1\n".as_bytes().to_vec();
        assert_eq!(
            decode_source(source, Grammar::Python).as_deref(),
            Ok("café = 1\n")
        );
    }

    #[test]
    fn a_declared_latin1_python_file_is_read_as_python_reads_it() {
        let mut bytes =
            b"#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\nname = \"caf".to_vec();
        bytes.extend([0xe9, b'"', b'\n']);
        let source = decode_source(bytes, Grammar::Python);
        assert_eq!(
            source.as_deref(),
            Ok("#!/usr/bin/env python\n# -*- coding: iso-8859-1 -*-\nname = \"café\"\n")
        );
    }

    #[test]
    fn undeclared_or_unsupported_encodings_are_reasons() {
        let mut bytes = b"# caf".to_vec();
        bytes.extend([0xe9, b'\n']);
        let undeclared = decode_source(bytes.clone(), Grammar::Python);
        assert_eq!(
            undeclared,
            Err("not valid UTF-8 (first invalid byte at offset 5)".to_string())
        );
        let mut shift_jis = b"# vim: set fileencoding=shift_jis :\n".to_vec();
        shift_jis.extend([0x82, 0xa0, b'\n']);
        let unsupported = decode_source(shift_jis, Grammar::Python);
        assert!(
            unsupported
                .as_ref()
                .is_err_and(|e| e.contains("`shift_jis`")),
            "{unsupported:?}"
        );
        // A declaration on the third line does not count, and JavaScript has none.
        let mut late = b"\n\n# coding: latin-1\n# caf".to_vec();
        late.push(0xe9);
        assert!(decode_source(late, Grammar::Python).is_err());
        let mut script = b"// coding: latin-1\nconst s = 'caf".to_vec();
        script.push(0xe9);
        assert!(decode_source(script, Grammar::TypeScript).is_err());
    }
}
