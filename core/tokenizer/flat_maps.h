#pragma once
// Two open-addressing hash maps for the BPE hot path: string -> id lookups by string_view without
// building a std::string (C++17's unordered_map cannot), and (left id, right id) -> merge.
// Both are filled once while loading and then only read, so concurrent lookups are safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capsule::tokenizer {

inline uint64_t hashBytes(std::string_view bytes) {
    // FNV-1a over 8-byte words, then a final mix: fast for the short keys of a vocabulary.
    uint64_t hash = 0xcbf29ce484222325ull ^ bytes.size();
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes.data() + i, 8);
        hash = (hash ^ word) * 0x100000001b3ull;
        hash ^= hash >> 29;
    }
    for (; i < bytes.size(); ++i) hash = (hash ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ull;
    hash ^= hash >> 32;
    hash *= 0xd6e8feb86659fd93ull;
    hash ^= hash >> 32;
    return hash;
}

/// string -> int32 id. Keys live in one arena.
class StringIdMap {
public:
    void reserve(size_t count) {
        size_t capacity = 16;
        while (capacity < count * 2) capacity <<= 1;
        rehash(capacity);
    }
    /// Inserts or overwrites.
    void set(std::string_view key, int32_t id) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        const uint64_t hash = hashBytes(key);
        size_t index = hash & (slots_.size() - 1);
        while (slots_[index].length != kEmpty) {
            if (slots_[index].hash == hash && keyAt(slots_[index]) == key) {
                slots_[index].id = id;
                return;
            }
            index = (index + 1) & (slots_.size() - 1);
        }
        Slot& slot = slots_[index];
        slot.hash = hash;
        slot.offset = static_cast<uint32_t>(arena_.size());
        slot.length = static_cast<uint32_t>(key.size());
        slot.id = id;
        arena_.append(key);
        ++size_;
    }
    /// The id of `key`, or -1.
    int32_t find(std::string_view key) const {
        if (slots_.empty()) return -1;
        const uint64_t hash = hashBytes(key);
        size_t index = hash & (slots_.size() - 1);
        while (slots_[index].length != kEmpty) {
            if (slots_[index].hash == hash && keyAt(slots_[index]) == key) return slots_[index].id;
            index = (index + 1) & (slots_.size() - 1);
        }
        return -1;
    }
    size_t size() const { return size_; }

    template <typename Function>
    void forEach(Function&& function) const {
        for (const Slot& slot : slots_)
            if (slot.length != kEmpty) function(keyAt(slot), slot.id);
    }

private:
    static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
    struct Slot {
        uint64_t hash = 0;
        uint32_t offset = 0;
        uint32_t length = kEmpty;
        int32_t id = -1;
    };
    std::string_view keyAt(const Slot& slot) const { return std::string_view(arena_).substr(slot.offset, slot.length); }
    void rehash(size_t capacity) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(capacity, Slot{});
        for (const Slot& slot : old) {
            if (slot.length == kEmpty) continue;
            size_t index = slot.hash & (capacity - 1);
            while (slots_[index].length != kEmpty) index = (index + 1) & (capacity - 1);
            slots_[index] = slot;
        }
    }

    std::vector<Slot> slots_;
    std::string arena_;
    size_t size_ = 0;
};

/// (left id, right id) -> (rank, merged id).
class MergeMap {
public:
    struct Merge {
        int32_t rank = -1;
        int32_t mergedId = -1;
    };
    void reserve(size_t count) {
        size_t capacity = 16;
        while (capacity < count * 2) capacity <<= 1;
        rehash(capacity);
    }
    /// Inserts or overwrites (a later duplicate merge wins, as in Hugging Face's loader).
    void set(int32_t left, int32_t right, Merge merge) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        const uint64_t key = makeKey(left, right);
        size_t index = mix(key) & (slots_.size() - 1);
        while (slots_[index].key != kEmpty) {
            if (slots_[index].key == key) {
                slots_[index].merge = merge;
                return;
            }
            index = (index + 1) & (slots_.size() - 1);
        }
        slots_[index] = {key, merge};
        ++size_;
    }
    /// The merge of the pair, or nullptr.
    const Merge* find(int32_t left, int32_t right) const {
        if (slots_.empty()) return nullptr;
        const uint64_t key = makeKey(left, right);
        size_t index = mix(key) & (slots_.size() - 1);
        while (slots_[index].key != kEmpty) {
            if (slots_[index].key == key) return &slots_[index].merge;
            index = (index + 1) & (slots_.size() - 1);
        }
        return nullptr;
    }
    size_t size() const { return size_; }

private:
    static constexpr uint64_t kEmpty = ~0ull;
    struct Slot {
        uint64_t key = kEmpty;
        Merge merge;
    };
    static uint64_t makeKey(int32_t left, int32_t right) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
    }
    static uint64_t mix(uint64_t key) {
        key ^= key >> 33;
        key *= 0xff51afd7ed558ccdull;
        key ^= key >> 33;
        return key;
    }
    void rehash(size_t capacity) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(capacity, Slot{});
        for (const Slot& slot : old) {
            if (slot.key == kEmpty) continue;
            size_t index = mix(slot.key) & (capacity - 1);
            while (slots_[index].key != kEmpty) index = (index + 1) & (capacity - 1);
            slots_[index] = slot;
        }
    }

    std::vector<Slot> slots_;
    size_t size_ = 0;
};

}  // namespace capsule::tokenizer
