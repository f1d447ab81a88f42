#!/usr/bin/env python3
"""Random-text parity fixtures from the real Hugging Face tokenizers library (Rust, Python binding).

    python3 tests/golden/make_tokenizer_fuzz.py OUT_DIR [--cases N]

For each tokenizer Capsule ships tests for (tests/fixtures/tokenizers/{gpt2,qwen3,sp-bpe} and the demo
tokenizer in resources/demo/model) it writes OUT_DIR/<name>.json in the layout of the hand-picked
expected.json files: {"generator", "tokenizer", "cases": [{"text", "ids", "ids_with_special", "decoded"}]}.
The texts are seeded random mixtures of what breaks tokenizers: every script's letters, combining marks
(NFC), digits runs, contractions, whitespace of every kind and length, emoji sequences, control
characters and special-token strings inside text. tests/core/tokenizer/test_tokenizer_fuzz.cpp checks
Capsule against them. Debian sid's python3-tokenizers is enough (tests/golden/debian_sid_checks.sh).
"""
import argparse
import json
import os
import random

import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
TOKENIZERS = {
    "gpt2": "tests/fixtures/tokenizers/gpt2/tokenizer.json",
    "qwen3": "tests/fixtures/tokenizers/qwen3/tokenizer.json",
    "sp-bpe": "tests/fixtures/tokenizers/sp-bpe/tokenizer.json",
    "demo": "resources/demo/model/tokenizer.json",
}

WORDS = ["the", "The", "THE", "hello", "world", "tokenizer", "Fine-tuning", "LoRA", "AdaLoRA", "don't", "I'm",
         "we'll", "they've", "she'd", "it's", "IT'S", "O'Neil", "e-mail", "user@example.com", "https://hf.co/x",
         "C++", "x86_64", "snake_case", "camelCase", "v1.2.3", "3.14159", "1,000,000", "2026-12-04", "12:30",
         "naïve", "café", "Straße", "Ωmega", "Привет", "мир", "Ελληνικά", "עברית", "مرحبا", "नमस्ते", "हिन्दी",
         "日本語", "中文分词", "한국어", "ภาษาไทย", "Tiếng Việt", "ﬁne", "Ⅻ", "①②③", "½", "x²", "µs", "İstanbul",
         "ǅemal", "ﾊﾝｶｸ", "ｆｕｌｌｗｉｄｔｈ"]
PIECES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2009", "\u200b", "\u2028",
          ".", ",", "!", "?", "...", "…", "—", "–", "-", "_", "'", "\"", "“", "”", "‘", "’", "«", "»", "(", ")",
          "[", "]", "{", "}", "<", ">", "/", "\\", "|", "#", "@", "$", "%", "^", "&", "*", "+", "=", "~", "`",
          "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇩🇪", "❤️", "🧑‍💻", "e\u0301", "a\u0308", "n\u0303", "\u0301", "ᄀ\u1161",
          "\x00", "\x01", "\x7f", "\x1b[0m", "\ufeff", "\ufffd", "\U0001d400", "\U00020000"]


def special_strings(tokenizer):
    """Added tokens as they could appear in user text (the special ones get matched inside text)."""
    added = [token.content for token in tokenizer.get_added_tokens_decoder().values()]
    return added[:40]


def random_text(rng, specials):
    parts = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.35:
            parts.append(rng.choice(WORDS))
        elif kind < 0.65:
            parts.append(rng.choice(PIECES))
        elif kind < 0.72:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 12))))
        elif kind < 0.77 and specials:
            parts.append(rng.choice(specials))
        elif kind < 0.80:
            parts.append(rng.choice(["a", " ", "ab", "=", "\n", "😀", "日"]) * rng.randint(8, 120))
        elif kind < 0.90:
            parts.append("".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0x24f),
                                                  rng.randint(0x370, 0x52f), rng.randint(0x3040, 0x30ff),
                                                  rng.randint(0x4e00, 0x9fff), rng.randint(0xac00, 0xd7a3),
                                                  rng.randint(0x1f300, 0x1faff)]))
                                 for _ in range(rng.randint(1, 12))))
        else:
            parts.append(" ")
    return "".join(parts)


def cases_for(tokenizer, seed, count):
    rng = random.Random(seed)
    specials = special_strings(tokenizer)
    cases = [{"text": text} for text in ["", " ", "\n", "a", "😀"]]
    cases += [{"text": random_text(rng, specials)} for _ in range(count - len(cases))]
    for case in cases:
        ids = tokenizer.encode(case["text"], add_special_tokens=False).ids
        case["ids"] = ids
        case["ids_with_special"] = tokenizer.encode(case["text"], add_special_tokens=True).ids
        case["decoded"] = tokenizer.decode(ids, skip_special_tokens=False)
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for index, (name, path) in enumerate(sorted(TOKENIZERS.items())):
        tokenizer = Tokenizer.from_file(os.path.join(PROJECT, path))
        cases = cases_for(tokenizer, 7000 + index, args.cases)
        fixture = {"generator": f"Hugging Face tokenizers {tokenizers.__version__} (Rust, Python binding), "
                                f"tests/golden/make_tokenizer_fuzz.py seed {7000 + index}",
                   "tokenizer": path, "cases": cases}
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8") as handle:  # one case a line
            head = json.dumps({k: v for k, v in fixture.items() if k != "cases"}, ensure_ascii=False)[:-1]
            lines = ",\n".join(json.dumps(case, ensure_ascii=False, separators=(",", ":")) for case in cases)
            handle.write(head + ', "cases": [\n' + lines + "\n]}\n")
        tokens = sum(len(case["ids"]) for case in cases)
        print(f"{name}: {len(cases)} texts, {tokens} tokens", flush=True)


if __name__ == "__main__":
    main()
