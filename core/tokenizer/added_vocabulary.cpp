#include "tokenizer/added_vocabulary.h"

#include "tokenizer/unicode_text.h"

namespace capsule::tokenizer {

namespace {

// The code point that ends at `end` (exclusive) in valid UTF-8.
char32_t characterBefore(std::string_view text, size_t end) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t length = 0;
    return unicode::decodeAt(text, start, length);
}

}  // namespace

void AddedVocabulary::Trie::insert(const std::string& content, int32_t token) {
    int32_t node = 0;
    for (const char c : content) {
        const auto byte = static_cast<unsigned char>(c);
        const auto it = nodes[static_cast<size_t>(node)].children.find(byte);
        if (it != nodes[static_cast<size_t>(node)].children.end()) {
            node = it->second;
        } else {
            const auto next = static_cast<int32_t>(nodes.size());
            nodes[static_cast<size_t>(node)].children.emplace(byte, next);
            nodes.emplace_back();
            node = next;
        }
    }
    // The first token listed keeps a content that appears twice.
    if (nodes[static_cast<size_t>(node)].token < 0) nodes[static_cast<size_t>(node)].token = token;
    firstByte[static_cast<unsigned char>(content[0])] = true;
}

int32_t AddedVocabulary::Trie::longestAt(std::string_view text, size_t at, size_t& end) const {
    int32_t node = 0, best = -1;
    for (size_t i = at; i < text.size(); ++i) {
        const auto& children = nodes[static_cast<size_t>(node)].children;
        const auto it = children.find(static_cast<unsigned char>(text[i]));
        if (it == children.end()) break;
        node = it->second;
        if (nodes[static_cast<size_t>(node)].token >= 0) {
            best = nodes[static_cast<size_t>(node)].token;
            end = i + 1;
        }
    }
    return best;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
    for (size_t index = 0; index < tokens_.size(); ++index) {
        const AddedToken& token = tokens_[index];
        idLimit_ = std::max(idLimit_, token.id + 1);
        byId_[token.id] = index;
        byContent_.emplace(token.content, token.id);
        if (token.special) specialContents_.insert(token.content);
        if (token.content.empty()) continue;  // never matched, as in Hugging Face
        if (!token.normalized) {
            rawTrie_.insert(token.content, static_cast<int32_t>(index));
        } else {
            const std::string pattern = normalizer ? normalizeString(*normalizer, token.content) : token.content;
            if (!pattern.empty()) normalizedTrie_.insert(pattern, static_cast<int32_t>(index));
        }
    }
}

const AddedToken* AddedVocabulary::byId(int64_t id) const {
    const auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : &tokens_[it->second];
}

std::optional<int64_t> AddedVocabulary::idOf(std::string_view content) const {
    const auto it = byContent_.find(std::string(content));
    if (it == byContent_.end()) return std::nullopt;
    return it->second;
}

bool AddedVocabulary::isSpecialContent(std::string_view content) const {
    return specialContents_.count(std::string(content)) > 0;
}

std::vector<AddedVocabulary::Match> AddedVocabulary::findMatches(std::string_view text, const Trie& trie) const {
    std::vector<Match> matches;
    if (trie.empty()) return matches;
    size_t startOffset = 0;  // end of the previous accepted match
    size_t at = 0;
    while (at < text.size()) {
        if (!trie.firstByte[static_cast<unsigned char>(text[at])]) {
            ++at;
            continue;
        }
        size_t stop = 0;
        const int32_t index = trie.longestAt(text, at, stop);
        if (index < 0) {
            ++at;
            continue;
        }
        // Leftmost-longest matches never overlap: the search resumes after this one even when
        // single_word discards it.
        size_t start = at;
        at = stop;
        const AddedToken& token = tokens_[static_cast<size_t>(index)];
        if (token.singleWord) {
            const bool startSpace = start == 0 || !unicode::isWordCharacter(characterBefore(text, start));
            size_t length = 0;
            const bool stopSpace =
                stop == text.size() || !unicode::isWordCharacter(unicode::decodeAt(text, stop, length));
            if (!startSpace || !stopSpace) continue;
        }
        if (token.lstrip) {
            size_t newStart = start;
            while (newStart > 0 && unicode::isWhitespace(characterBefore(text, newStart))) {
                size_t back = newStart - 1;
                while (back > 0 && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80) --back;
                newStart = back;
            }
            start = std::max(newStart, startOffset);
        }
        if (token.rstrip) {
            while (stop < text.size()) {
                size_t length = 0;
                if (!unicode::isWhitespace(unicode::decodeAt(text, stop, length))) break;
                stop += length;
            }
            at = stop;
        }
        matches.push_back({index, start, stop});
        startOffset = stop;
    }
    return matches;
}

void AddedVocabulary::splitPiece(Piece&& piece, const Trie& trie, Pieces& out) const {
    const std::vector<Match> matches = findMatches(piece.text.text(), trie);
    if (matches.empty()) {
        if (!piece.text.empty()) out.push_back(std::move(piece));
        return;
    }
    size_t previous = 0;
    for (const Match& match : matches) {
        if (previous < match.begin) out.push_back(Piece{piece.text.slice(previous, match.begin), -1, false});
        out.push_back(Piece{piece.text.slice(match.begin, match.end), tokens_[static_cast<size_t>(match.token)].id, false});
        previous = match.end;
    }
    if (previous < piece.text.size()) out.push_back(Piece{piece.text.slice(previous, piece.text.size()), -1, false});
}

Pieces AddedVocabulary::extractAndNormalize(std::string_view text, const Normalizer* normalizer) const {
    Pieces raw;
    splitPiece(Piece{NormalizedText(std::string(text), 0), -1, false}, rawTrie_, raw);
    Pieces result;
    result.reserve(raw.size());
    for (Piece& piece : raw) {
        if (piece.isAddedToken()) {
            result.push_back(std::move(piece));
            continue;
        }
        if (normalizer) normalizer->normalize(piece.text);
        splitPiece(std::move(piece), normalizedTrie_, result);
    }
    return result;
}

}  // namespace capsule::tokenizer
