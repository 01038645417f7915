"""Writes Tests/LecternEngineTests/Fixtures/tokenizer-parity.json with Hugging Face `tokenizers`.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_tokenizer_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER BBC_FOLDER

The fast tokenizer (what `AutoTokenizer` returns) is loaded from the model's tokenizer.json with
truncation and padding off, as `tokenizer(text)` uses it. For the whole AG News test set and the
whole BBC News corpus the fixture keeps, per text, the token count and a 32-bit checksum of the
ids (the Swift test reads the same texts and compares); for an edge-case list, the full ids.
"""
import csv
import json
import pathlib
import sys

from tokenizers import Tokenizer

EDGE_CASES = [
    "", " ", "\t\n\r ", "Hello, world!", "HELLO WORLD", "héllo wörld café naïve", "İstanbul Straße ΣΑΣ",
    "e\u0301 a\u0300 \u00f1", "中文字符测试 and 日本語のテキスト", "한국어 텍스트", "𠀀𪜀 \U0002B81F\U0002B920",
    "emoji 😀🥰🧠 👍🏽 family 👨‍👩‍👧", "zero\u200bwidth\u200cjoin\u200dhere", "soft\u00adhyphen", "bom\ufeffinside",
    "control\x00\x01\x07\x1b\x7fchars", "nbsp\u00a0ideographic\u3000space", "line\u2028separator\u2029para",
    "AT&amp;T &lt;b&gt; &#39;quoted&#39; &quot;", "https://example.com/path?q=1&r=two#frag", "user@example.com",
    "3.14159 1,000,000 -42 +7 1e-5 $100 €50 £30 ¥20", "co-operate e-mail U.S.A. Mr. O'Neil's",
    "a" * 100, "b" * 101, "supercalifragilisticexpialidocious" * 4, "antidisestablishmentarianism",
    "[CLS] [SEP] [PAD] [MASK] [UNK] inside text", "x[SEP]y", "[cls] lowercase special", "[SEP", "[[SEP]]",
    "tabs\tand\nnewlines\r\nmixed", "   leading and trailing   ", "punctuation!!!???...,,,;;;", "«quotes» „german“ ‘single’",
    "ﬁ ligature ﬂ", "Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", "ǅ ǈ ǋ", "\ue000private\U000F0000use", "unassigned\u0378\U00010FFF",
    "math ∑∫√∞ ≤≥ ± × ÷", "arrows → ← ↑ ↓", "Ελληνικά κείμενο", "Русский текст", "עברית", "العربية",
    "हिन्दी पाठ", "ไทย", "Tiếng Việt có dấu", "\\backslash\\ escapes\\n", "mixed123numbers456and789text",
    "Wall St. Bears Claw Back Into the Black (Reuters)", "don't won't can't shouldn't've",
]


def checksum(ids):
    value = 0
    for token in ids:
        value = (value * 1_000_003 + token + 1) & 0xFFFFFFFF
    return value


def read_ag_news(folder):
    with open(pathlib.Path(folder) / "test.csv", encoding="utf-8", newline="") as handle:
        return [title + " " + description for _, title, description in csv.reader(handle)]


def read_bbc(folder):
    texts = []
    root = pathlib.Path(folder)
    for label in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        for file in sorted(label.glob("*.txt")):
            raw = file.read_bytes()
            try:
                texts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(raw.decode("cp1252", errors="strict"))
    return texts


def main():
    model, ag_news, bbc = sys.argv[1:4]
    tokenizer = Tokenizer.from_file(str(pathlib.Path(model) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def encode(texts):
        return [e.ids for e in tokenizer.encode_batch(texts)]

    corpora = {}
    for name, texts in [("ag_news_test", read_ag_news(ag_news)), ("bbc_news", read_bbc(bbc))]:
        ids = encode(texts)
        corpora[name] = {"count": len(texts), "lengths": [len(x) for x in ids], "checksums": [checksum(x) for x in ids],
                         "first_ids": ids[:5]}
    fixture = {"edge_cases": [{"text": text, "ids": ids} for text, ids in zip(EDGE_CASES, encode(EDGE_CASES))],
               "corpora": corpora}
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "tokenizer-parity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {out}: {len(EDGE_CASES)} edge cases, " + ", ".join(f"{k}: {v['count']} texts" for k, v in corpora.items()))


if __name__ == "__main__":
    main()
