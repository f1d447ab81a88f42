#include "tokenizer/bpe_model.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/unicode_text.h"

#include <algorithm>
#include <queue>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

std::string byteFallbackToken(uint8_t byte) {
    static const char* digits = "0123456789ABCDEF";
    std::string token = "<0x";
    token += digits[byte >> 4];
    token += digits[byte & 0xF];
    token += '>';
    return token;
}

}  // namespace

void BpeModel::setVocab(const nlohmann::json& vocab, const std::string& context) {
    if (!vocab.is_object()) throw std::runtime_error(context + ": 'vocab' must be an object {token: id}");
    vocab_.reserve(vocab.size());
    int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer())
            throw std::runtime_error(context + ": vocab entry '" + it.key() + "' must have an integer id");
        const int64_t id = it.value().get<int64_t>();
        if (id < 0 || id > json_fields::kMaxTokenId)
            throw std::runtime_error(context + ": vocab entry '" + it.key() + "' has id " + std::to_string(id) +
                                     " out of range");
        maxId = std::max(maxId, id);
    }
    const int64_t count = static_cast<int64_t>(vocab.size());
    // Ids index a dense table; refuse absurdly sparse ids instead of allocating gigabytes.
    if (maxId >= std::max<int64_t>(4 * count, count + (1 << 20)))
        throw std::runtime_error(context + ": vocab ids are too sparse (largest id " + std::to_string(maxId) +
                                 " for " + std::to_string(count) + " tokens)");
    tokens_.assign(static_cast<size_t>(maxId + 1), std::string());
    hasToken_.assign(static_cast<size_t>(maxId + 1), 0);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const auto id = static_cast<int32_t>(it.value().get<int64_t>());
        vocab_.set(it.key(), id);
        tokens_[static_cast<size_t>(id)] = it.key();
        hasToken_[static_cast<size_t>(id)] = 1;
    }
}

void BpeModel::addMerge(const std::string& left, const std::string& right, size_t rank, const std::string& context) {
    const int32_t leftId = vocab_.find(left);
    const int32_t rightId = vocab_.find(right);
    const std::string where = context + ": merge #" + std::to_string(rank) + " ('" + left + "', '" + right + "')";
    if (leftId < 0) throw std::runtime_error(where + ": token '" + left + "' is not in the vocab");
    if (rightId < 0) throw std::runtime_error(where + ": token '" + right + "' is not in the vocab");
    const size_t prefixLength = options_.continuingSubwordPrefix ? options_.continuingSubwordPrefix->size() : 0;
    if (right.size() < prefixLength) throw std::runtime_error(where + ": right part is shorter than the subword prefix");
    const std::string merged = left + right.substr(prefixLength);
    const int32_t mergedId = vocab_.find(merged);
    if (mergedId < 0) throw std::runtime_error(where + ": merged token '" + merged + "' is not in the vocab");
    merges_.set(leftId, rightId, {static_cast<int32_t>(rank), mergedId});
}

void BpeModel::finishLoading() {
    for (int b = 0; b < 256; ++b) {
        byteLevelIds_[static_cast<size_t>(b)] = vocab_.find(byte_level::characterForByte(static_cast<uint8_t>(b)));
        byteFallbackIds_[static_cast<size_t>(b)] = vocab_.find(byteFallbackToken(static_cast<uint8_t>(b)));
    }
    if (options_.continuingSubwordPrefix && options_.continuingSubwordPrefix->empty())
        options_.continuingSubwordPrefix.reset();  // "" changes nothing; drop it for the fast path
    if (options_.endOfWordSuffix && options_.endOfWordSuffix->empty()) options_.endOfWordSuffix.reset();
}

std::shared_ptr<const BpeModel> BpeModel::fromJson(const nlohmann::json& model, const std::string& context) {
    std::shared_ptr<BpeModel> bpe(new BpeModel());
    Options& options = bpe->options_;
    options.unkToken = json_fields::optionalString(model, "unk_token", context);
    options.continuingSubwordPrefix = json_fields::optionalString(model, "continuing_subword_prefix", context);
    options.endOfWordSuffix = json_fields::optionalString(model, "end_of_word_suffix", context);
    options.fuseUnk = json_fields::optionalBool(model, "fuse_unk", false, context);
    options.byteFallback = json_fields::optionalBool(model, "byte_fallback", false, context);
    options.ignoreMerges = json_fields::optionalBool(model, "ignore_merges", false, context);
    if (!model.contains("vocab")) throw std::runtime_error(context + ": missing 'vocab'");
    bpe->setVocab(model["vocab"], context);

    const auto mergesIt = model.find("merges");
    if (mergesIt != model.end() && !mergesIt->is_null()) {
        if (!mergesIt->is_array()) throw std::runtime_error(context + ": 'merges' must be an array");
        bpe->merges_.reserve(mergesIt->size());
        size_t rank = 0;
        for (const auto& merge : *mergesIt) {
            if (merge.is_string()) {
                // Legacy form "a b": exactly one space (tokens with spaces need the pair form).
                const std::string& line = merge.get_ref<const std::string&>();
                const size_t space = line.find(' ');
                if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                    throw std::runtime_error(context + ": merge #" + std::to_string(rank) + " '" + line +
                                             "' must be two tokens separated by one space");
                bpe->addMerge(line.substr(0, space), line.substr(space + 1), rank, context);
            } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
                bpe->addMerge(merge[0].get<std::string>(), merge[1].get<std::string>(), rank, context);
            } else {
                throw std::runtime_error(context + ": merge #" + std::to_string(rank) +
                                         " must be \"a b\" or [\"a\", \"b\"]");
            }
            ++rank;
        }
    }
    bpe->finishLoading();
    return bpe;
}

std::shared_ptr<const BpeModel> BpeModel::fromVocabAndMerges(const nlohmann::json& vocab, const std::string& mergesText,
                                                             const std::string& vocabPath,
                                                             const std::string& mergesPath) {
    std::shared_ptr<BpeModel> bpe(new BpeModel());
    bpe->setVocab(vocab, vocabPath);
    size_t rank = 0, lineNumber = 0, start = 0;
    while (start < mergesText.size()) {
        size_t end = mergesText.find('\n', start);
        if (end == std::string::npos) end = mergesText.size();
        std::string line = mergesText.substr(start, end - start);
        start = end + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("#version", 0) == 0) continue;
        if (line.empty()) {
            if (start >= mergesText.size()) break;  // trailing newline
            throw std::runtime_error(mergesPath + ":" + std::to_string(lineNumber) + ": empty merge line");
        }
        const size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
            throw std::runtime_error(mergesPath + ":" + std::to_string(lineNumber) + ": '" + line +
                                     "' must be two tokens separated by one space");
        bpe->addMerge(line.substr(0, space), line.substr(space + 1), rank++,
                      mergesPath + ":" + std::to_string(lineNumber));
    }
    bpe->finishLoading();
    return bpe;
}

const std::string* BpeModel::idToToken(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(tokens_.size()) || !hasToken_[static_cast<size_t>(id)]) return nullptr;
    return &tokens_[static_cast<size_t>(id)];
}

void BpeModel::initialSymbols(std::string_view word, bool byteLevel, std::vector<Symbol>& symbols) const {
    symbols.clear();
    const bool plain = !options_.continuingSubwordPrefix && !options_.endOfWordSuffix;
    // The pending unknown run (Hugging Face's `unk`): id and byte range.
    int32_t unkId = -1;
    uint32_t unkBegin = 0, unkEnd = 0;
    auto add = [&](int32_t id, uint32_t begin, uint32_t end) {
        symbols.push_back({id, -1, -1, begin, end});
    };
    auto flushUnk = [&] {
        if (unkId >= 0) add(unkId, unkBegin, unkEnd);
        unkId = -1;
    };
    std::string piece;  // the character string looked up in the vocab
    size_t i = 0;
    while (i < word.size()) {
        size_t length = byteLevel ? 1 : unicode::sequenceLength(static_cast<unsigned char>(word[i]));
        if (i + length > word.size()) length = word.size() - i;
        const auto begin = static_cast<uint32_t>(i), end = static_cast<uint32_t>(i + length);
        const bool isFirst = i == 0;
        const bool isLast = i + length >= word.size();
        i += length;

        int32_t id = -1;
        std::string_view lookup;
        if (plain) {
            if (byteLevel) {
                id = byteLevelIds_[static_cast<uint8_t>(word[begin])];
                if (id < 0) lookup = byte_level::characterForByte(static_cast<uint8_t>(word[begin]));
            } else {
                lookup = word.substr(begin, length);
                id = vocab_.find(lookup);
            }
        } else {
            piece.clear();
            if (!isFirst && options_.continuingSubwordPrefix) piece += *options_.continuingSubwordPrefix;
            if (byteLevel)
                piece += byte_level::characterForByte(static_cast<uint8_t>(word[begin]));
            else
                piece.append(word.substr(begin, length));
            if (isLast && options_.endOfWordSuffix) piece += *options_.endOfWordSuffix;
            lookup = piece;
            id = vocab_.find(lookup);
        }
        if (id >= 0) {
            flushUnk();
            add(id, begin, end);
            continue;
        }
        if (options_.byteFallback) {
            bool all = true;
            for (const char c : lookup) all = all && byteFallbackIds_[static_cast<uint8_t>(c)] >= 0;
            if (all) {
                // One token per byte of the looked-up string (as Hugging Face does, prefix included).
                uint32_t at = begin;
                for (const char c : lookup) {
                    const uint32_t next = std::min(at + 1, end);
                    add(byteFallbackIds_[static_cast<uint8_t>(c)], at, std::max(next, at));
                    at = next;
                }
                continue;
            }
        }
        if (options_.unkToken) {
            const int32_t unk = vocab_.find(*options_.unkToken);
            if (unk < 0)
                throw std::runtime_error("BPE: unk_token '" + *options_.unkToken + "' is not in the vocab");
            if (unkId >= 0 && options_.fuseUnk) {
                unkEnd = end;
            } else {
                flushUnk();
                unkId = unk;
                unkBegin = begin;
                unkEnd = end;
            }
        }
        // Without an unk token an unknown character is dropped, as in Hugging Face.
    }
    flushUnk();
}

void BpeModel::applyMergesWithQueue(std::vector<Symbol>& symbols) const {
    const auto count = static_cast<int32_t>(symbols.size());
    if (count < 2) return;
    for (int32_t k = 0; k < count; ++k) {
        symbols[static_cast<size_t>(k)].previous = k - 1;
        symbols[static_cast<size_t>(k)].next = k + 1 < count ? k + 1 : -1;
    }
    struct Entry {
        int32_t rank, position, mergedId;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const {
            return a.rank != b.rank ? a.rank > b.rank : a.position > b.position;
        }
    };
    std::vector<Entry> storage;
    storage.reserve(symbols.size());
    std::priority_queue<Entry, std::vector<Entry>, Later> queue(Later{}, std::move(storage));
    for (int32_t k = 0; k + 1 < count; ++k) {
        if (const MergeMap::Merge* merge = merges_.find(symbols[static_cast<size_t>(k)].id, symbols[static_cast<size_t>(k + 1)].id))
            queue.push({merge->rank, k, merge->mergedId});
    }
    constexpr int32_t kRemoved = -2;
    while (!queue.empty()) {
        const Entry top = queue.top();
        queue.pop();
        Symbol& left = symbols[static_cast<size_t>(top.position)];
        if (left.previous == kRemoved || left.next < 0) continue;
        const int32_t rightIndex = left.next;
        const Symbol right = symbols[static_cast<size_t>(rightIndex)];
        // A stale entry: the pair changed since it was queued.
        const MergeMap::Merge* current = merges_.find(left.id, right.id);
        if (!current || current->mergedId != top.mergedId) continue;

        left.id = top.mergedId;
        left.end = right.end;
        left.next = right.next;
        symbols[static_cast<size_t>(rightIndex)].previous = kRemoved;
        if (right.next >= 0) symbols[static_cast<size_t>(right.next)].previous = top.position;

        if (left.previous >= 0) {
            const Symbol& before = symbols[static_cast<size_t>(left.previous)];
            if (const MergeMap::Merge* merge = merges_.find(before.id, left.id))
                queue.push({merge->rank, left.previous, merge->mergedId});
        }
        if (left.next >= 0) {
            if (const MergeMap::Merge* merge = merges_.find(left.id, symbols[static_cast<size_t>(left.next)].id))
                queue.push({merge->rank, top.position, merge->mergedId});
        }
    }
    size_t kept = 0;
    for (size_t k = 0; k < symbols.size(); ++k)
        if (symbols[k].previous != kRemoved) symbols[kept++] = symbols[k];
    symbols.resize(kept);
}

// Same result as the queue: the queue always pops the live pair with the smallest (rank, position),
// and its stale entries can never match again (a pair's concatenation only grows as merges happen),
// so picking that pair by a scan over the cached pair ranks is equivalent.
void BpeModel::applyMergesByScanning(std::vector<Symbol>& symbols) const {
    const auto count = static_cast<int32_t>(symbols.size());
    if (count < 2) return;
    // pair[k]: the merge of symbol k with the live symbol after it (rank -1: none).
    MergeMap::Merge pairs[kScanMergeLimit];
    std::array<int32_t, kScanMergeLimit> next{};
    std::array<bool, kScanMergeLimit> alive{};
    for (int32_t k = 0; k < count; ++k) {
        next[static_cast<size_t>(k)] = k + 1 < count ? k + 1 : -1;
        alive[static_cast<size_t>(k)] = true;
        pairs[k] = {};
        if (k + 1 < count)
            if (const MergeMap::Merge* merge = merges_.find(symbols[static_cast<size_t>(k)].id, symbols[static_cast<size_t>(k + 1)].id))
                pairs[k] = *merge;
    }
    std::array<int32_t, kScanMergeLimit> previous{};
    for (int32_t k = 0; k < count; ++k) previous[static_cast<size_t>(k)] = k - 1;
    while (true) {
        int32_t best = -1;
        for (int32_t k = 0; k >= 0; k = next[static_cast<size_t>(k)]) {
            const MergeMap::Merge& pair = pairs[k];
            if (pair.rank >= 0 && (best < 0 || pair.rank < pairs[best].rank)) best = k;
        }
        if (best < 0) break;
        const auto b = static_cast<size_t>(best);
        const auto right = static_cast<size_t>(next[b]);
        symbols[b].id = pairs[best].mergedId;
        symbols[b].end = symbols[right].end;
        alive[right] = false;
        next[b] = next[right];
        if (next[b] >= 0) previous[static_cast<size_t>(next[b])] = best;
        pairs[best] = {};
        if (next[b] >= 0)
            if (const MergeMap::Merge* merge = merges_.find(symbols[b].id, symbols[static_cast<size_t>(next[b])].id))
                pairs[best] = *merge;
        const int32_t before = previous[b];
        if (before >= 0) {
            pairs[before] = {};
            if (const MergeMap::Merge* merge = merges_.find(symbols[static_cast<size_t>(before)].id, symbols[b].id))
                pairs[before] = *merge;
        }
    }
    size_t kept = 0;
    for (size_t k = 0; k < symbols.size(); ++k)
        if (alive[k]) symbols[kept++] = symbols[k];
    symbols.resize(kept);
}

void BpeModel::tokenizeUncached(std::string_view word, bool byteLevel, bool useQueue, std::vector<ModelToken>& out) const {
    mergeWord(word, byteLevel, useQueue, out);
}

void BpeModel::mergeWord(std::string_view word, bool byteLevel, bool useQueue, std::vector<ModelToken>& out) const {
    if (options_.ignoreMerges) {
        int32_t id;
        if (byteLevel) {
            std::string mapped;
            byte_level::appendEncoded(mapped, word);
            id = vocab_.find(mapped);
        } else {
            id = vocab_.find(word);
        }
        if (id >= 0) {
            out.push_back({id, 0, static_cast<uint32_t>(word.size())});
            return;
        }
    }
    thread_local std::vector<Symbol> symbols;
    initialSymbols(word, byteLevel, symbols);
    if (useQueue || symbols.size() > kScanMergeLimit)
        applyMergesWithQueue(symbols);
    else
        applyMergesByScanning(symbols);
    for (const Symbol& symbol : symbols) out.push_back({symbol.id, symbol.begin, symbol.end});
}

void BpeModel::tokenize(std::string_view word, bool byteLevel, std::vector<ModelToken>& out) const {
    if (word.empty()) return;
    if (word.size() > kMaxCachedWordBytes) {
        mergeWord(word, byteLevel, false, out);
        return;
    }
    thread_local std::string key;
    key.assign(1, byteLevel ? '\x01' : '\x00');
    key.append(word);
    CacheShard& shard = (*cache_)[hashBytes(key) % kCacheShards];
    {
        std::shared_lock<std::shared_mutex> lock(shard.mutex);
        const auto it = shard.entries.find(key);
        if (it != shard.entries.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const size_t first = out.size();
    mergeWord(word, byteLevel, false, out);
    std::unique_lock<std::shared_mutex> lock(shard.mutex);
    if (shard.entries.size() < kCacheEntriesPerShard)
        shard.entries.emplace(key, std::vector<ModelToken>(out.begin() + static_cast<std::ptrdiff_t>(first), out.end()));
}

}  // namespace capsule::tokenizer
