//! Turns the plain text of a policy into clauses and sentences: undoes Word artefacts, drops
//! tables of contents, recognises clause numbers, headings and bullets, and rejoins sentences
//! that a page break split.
//!
//! Knows nothing about what a clause means; the field extractors and lint read its output.

mod lines;
mod words;

pub(crate) use lines::ClauseNumber;
use lines::{Line, classify_lines};
pub(crate) use words::{has_any, has_word, is_guidance, lower_form, split_sentences};

/// What a block of the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// An unnumbered heading such as "Email" or "Password and Authentication Policy".
    Heading,
    /// A numbered clause ("2.1.6 If an item..."), or a numbered heading ("1.1 Hardware").
    Clause,
    /// Unnumbered body text with any list that follows it.
    Paragraph,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Paragraph {
    pub text: String,
    /// 1-based line of the original text where the paragraph starts.
    pub line: usize,
    pub list_item: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: BlockKind,
    pub number: Option<ClauseNumber>,
    /// The short title of a numbered heading or of a clause like "4.1.2 Access to Passwords".
    pub title: Option<String>,
    /// The unnumbered heading in force, e.g. "Email".
    pub section: Option<String>,
    /// The numbered heading in force since that heading, e.g. "Use of own devices".
    pub subsection: Option<String>,
    pub line: usize,
    pub paragraphs: Vec<Paragraph>,
}

impl Block {
    /// Where a Clerk can find this block: its clause number, or its heading and line.
    pub fn locator(&self) -> String {
        self.locator_at(self.line)
    }

    fn locator_at(&self, line: usize) -> String {
        if let Some(number) = &self.number {
            return number.text.clone();
        }
        match (&self.kind, &self.section) {
            (BlockKind::Paragraph, Some(section)) => format!("{section} (line {line})"),
            _ => format!("line {line}"),
        }
    }

    /// True when the heading in force, or this clause's own title, contains any of `words`
    /// (lowercase).
    pub fn under_heading(&self, words: &[&str]) -> bool {
        [&self.section, &self.subsection, &self.title]
            .into_iter()
            .flatten()
            .any(|h| {
                let h = h.to_lowercase();
                words.iter().any(|w| h.contains(w))
            })
    }

    /// The block as one string, with its number: "2.2.8 Personal information ...".
    pub fn full_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(n) = &self.number {
            parts.push(&n.text);
        }
        if let Some(t) = &self.title {
            parts.push(t);
        }
        parts.extend(self.paragraphs.iter().map(|p| p.text.as_str()));
        parts.join(" ")
    }

    /// The body without number or title.
    pub fn body(&self) -> String {
        let parts: Vec<&str> = self.paragraphs.iter().map(|p| p.text.as_str()).collect();
        parts.join(" ")
    }
}

/// One sentence (or bullet, or heading) with its lowercased form for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sentence {
    pub block: usize,
    pub text: String,
    /// Lowercased, dashes made plain, spaces collapsed.
    pub lower: String,
    pub locator: String,
    /// Template guidance for councils rather than a rule (see [`is_guidance`]).
    pub guidance: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Document {
    pub blocks: Vec<Block>,
    pub sentences: Vec<Sentence>,
    /// Links whose address is only "#" (a template's placeholder link): line and link text.
    pub empty_links: Vec<(usize, String)>,
}

impl Document {
    pub fn parse(text: &str) -> Self {
        let (cleaned, empty_links) = clean(text);
        let lines = classify_lines(&cleaned);
        let blocks = build_blocks(lines);
        let sentences = sentences_of(&blocks);
        Document {
            blocks,
            sentences,
            empty_links,
        }
    }

    /// Where a Clerk finds line `line`: the clause it is in, or the line itself.
    pub fn locator_of_line(&self, line: usize) -> String {
        self.blocks
            .iter()
            .take_while(|b| b.line <= line)
            .last()
            .filter(|b| b.kind == BlockKind::Clause)
            .map_or_else(|| format!("line {line}"), Block::locator)
    }

    pub fn block_of(&self, sentence: &Sentence) -> Option<&Block> {
        self.blocks.get(sentence.block)
    }
}
/// Whole-text clean-up: line endings, Word's odd spaces and quotes, bookmarks and link markup.
/// Also returns the links that point nowhere ("#").
fn clean(text: &str) -> (String, Vec<(usize, String)>) {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            // Word's manual line break and page break.
            '\u{0b}' | '\u{0c}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => {
                out.push(' ')
            }
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' | '\u{0}' => {}
            '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' => out.push('\''),
            '\u{201c}' | '\u{201d}' | '\u{201f}' | '\u{2033}' => out.push('"'),
            // Markdown bold ("**1.1.1** Council…") would hide clause numbers.
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
            }
            c => out.push(c),
        }
    }
    strip_markup(&out)
}

/// Removes "[bookmark: _Toc1]" and "[]{#anchor}", keeps the words of "[words]{.underline}"
/// and of links "[words](#_Toc1)"; other brackets ("[Council name]") stay for lint to see.
fn strip_markup(text: &str) -> (String, Vec<(usize, String)>) {
    let mut out = String::with_capacity(text.len());
    let mut empty_links = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']').filter(|c| !after[..*c].contains('\n')) else {
            out.push('[');
            rest = after;
            continue;
        };
        let inner = &after[..close];
        let tail = &after[close + 1..];
        if inner.trim_start().to_lowercase().starts_with("bookmark:") {
            rest = tail;
            continue;
        }
        let closing = match tail.chars().next() {
            Some('(') => Some(')'),
            Some('{') => Some('}'),
            _ => None,
        };
        match closing.and_then(|cl| tail.find(cl).filter(|e| !tail[..*e].contains('\n'))) {
            Some(end) => {
                let target = tail[1..end].trim();
                if closing == Some(')') && (target == "#" || target.is_empty()) {
                    empty_links.push((out.matches('\n').count() + 1, inner.to_owned()));
                }
                out.push_str(inner);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('[');
                out.push_str(inner);
                out.push(']');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    (out, empty_links)
}

/// Groups classified lines into blocks.
fn build_blocks(lines: Vec<Line>) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut section: Option<String> = None;
    let mut subsection: Option<String> = None;
    let mut pending_number: Option<(ClauseNumber, usize)> = None;
    for line in lines {
        // Before any content, a heading naming the council or the policy is the document's
        // title: "Information Technology and Email Policy" is not an email section.
        let before_content = blocks.iter().all(|b| b.kind == BlockKind::Heading);
        match line {
            Line::NumberOnly { number, line } => pending_number = Some((number, line)),
            Line::Heading { text, line } => {
                pending_number = None;
                let lower = text.to_lowercase();
                let title =
                    before_content && (lower.contains("policy") || lower.contains("council"));
                section = (!title).then(|| text.clone());
                subsection = None;
                blocks.push(Block {
                    kind: BlockKind::Heading,
                    number: None,
                    title: None,
                    section: section.clone(),
                    subsection: None,
                    line,
                    paragraphs: vec![Paragraph {
                        text,
                        line,
                        list_item: false,
                    }],
                });
            }
            Line::Numbered {
                number,
                title,
                body,
                line,
            } => {
                pending_number = None;
                if title.is_some() {
                    subsection.clone_from(&title);
                }
                blocks.push(Block {
                    kind: BlockKind::Clause,
                    number: Some(number),
                    title,
                    section: section.clone(),
                    subsection: subsection.clone(),
                    line,
                    paragraphs: body
                        .map(|text| Paragraph {
                            text,
                            line,
                            list_item: false,
                        })
                        .into_iter()
                        .collect(),
                });
            }
            Line::Body {
                text,
                line,
                list_item,
            } => {
                let paragraph = Paragraph {
                    text,
                    line,
                    list_item,
                };
                if let Some((number, at)) = pending_number.take() {
                    blocks.push(Block {
                        kind: BlockKind::Clause,
                        number: Some(number),
                        title: None,
                        section: section.clone(),
                        subsection: subsection.clone(),
                        line: at,
                        paragraphs: vec![paragraph],
                    });
                    continue;
                }
                match blocks.last_mut() {
                    Some(block) if continues(block, &paragraph) => attach(block, paragraph),
                    _ => blocks.push(Block {
                        kind: BlockKind::Paragraph,
                        number: None,
                        title: None,
                        section: section.clone(),
                        subsection: subsection.clone(),
                        line,
                        paragraphs: vec![paragraph],
                    }),
                }
            }
        }
    }
    if let Some((number, line)) = pending_number {
        blocks.push(Block {
            kind: BlockKind::Clause,
            number: Some(number),
            title: None,
            section,
            subsection,
            line,
            paragraphs: Vec::new(),
        });
    }
    blocks
}

/// Whether an unnumbered paragraph belongs to the block before it: everything after a clause
/// number belongs to that clause until the next number or heading; in unnumbered text a
/// paragraph carries on the one before when it is a list item or when a page break split it.
fn continues(block: &Block, paragraph: &Paragraph) -> bool {
    match block.kind {
        BlockKind::Clause => true,
        BlockKind::Heading => false,
        BlockKind::Paragraph => {
            let last = block.paragraphs.last().map_or("", |p| p.text.as_str());
            paragraph.list_item || last.ends_with(':') || split_by_page_break(last, &paragraph.text)
        }
    }
}

fn ends_a_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', '!', '?', ':', ';', ')', '"', '\''])
}

/// Words a sentence cannot end on: a paragraph ending on one was cut by a page break.
const DANGLING: [&str; 30] = [
    "the", "a", "an", "of", "to", "and", "or", "for", "with", "by", "in", "on", "at", "from",
    "first", "as", "that", "our", "their", "its", "be", "is", "are", "will", "should", "must",
    "may", "not", "than", "any",
];

/// Whether `after` carries on the sentence `before` left unfinished: it starts in lower case
/// or with a bracket or sum ("(something you know)", "£ 100.00"), or `before` ends on a word
/// no sentence ends on.
fn split_by_page_break(before: &str, after: &str) -> bool {
    if ends_a_sentence(before) {
        return false;
    }
    let continues_lower = after
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || matches!(c, '(' | '£' | '$') || c.is_ascii_digit());
    let last_word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .to_lowercase();
    continues_lower || DANGLING.contains(&last_word.as_str())
}

/// Adds a paragraph to a block, rejoining it to the paragraph (or bullet) before when a page
/// break cut a sentence in two.
fn attach(block: &mut Block, paragraph: Paragraph) {
    if !paragraph.list_item
        && let Some(last) = block.paragraphs.last_mut()
        && split_by_page_break(&last.text, &paragraph.text)
    {
        last.text.push(' ');
        last.text.push_str(&paragraph.text);
        return;
    }
    block.paragraphs.push(paragraph);
}

fn sentences_of(blocks: &[Block]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (index, block) in blocks.iter().enumerate() {
        let mut push = |text: &str, line: usize| {
            let text = text.trim();
            if text.is_empty() {
                return;
            }
            let lower = lower_form(text);
            out.push(Sentence {
                block: index,
                text: text.to_owned(),
                guidance: is_guidance(&lower),
                lower,
                locator: block.locator_at(line),
            });
        };
        if let Some(title) = &block.title {
            push(title, block.line);
        }
        for paragraph in &block.paragraphs {
            for sentence in split_sentences(&paragraph.text) {
                push(sentence, paragraph.line);
            }
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_and_link_markup_are_removed_but_placeholders_stay() {
        let (cleaned, empty) =
            clean("[bookmark: _Toc1]Email [guidance](#) for [Council name]\u{a0}staff");
        assert_eq!(cleaned, "Email guidance for [Council name] staff");
        assert_eq!(empty, vec![(1, "guidance".to_owned())]);
    }

    #[test]
    fn a_sentence_split_by_a_page_break_is_joined_again() {
        let doc = Document::parse(
            "2.2.3 This is irrespective of the\n\nownership of the device used.\n\nEmail\n\n7.1.5\n\nPersonal use is not permitted.",
        );
        assert_eq!(
            doc.sentences[0].text,
            "This is irrespective of the ownership of the device used."
        );
        let last = doc
            .sentences
            .last()
            .map(|s| (s.locator.as_str(), s.text.as_str()));
        assert_eq!(last, Some(("7.1.5", "Personal use is not permitted.")));
    }
}
