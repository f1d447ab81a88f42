#pragma once
// The result of encoding one or two sequences: ids plus the per-token details that training code
// and the post-processors need.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace capsule::tokenizer {

struct Encoding {
    std::vector<int64_t> ids;
    std::vector<int64_t> typeIds;                     // segment of each token (0 for A, 1 for B, or the template's)
    std::vector<uint8_t> specialTokensMask;           // 1 for tokens added by the post-processor
    std::vector<std::pair<int64_t, int64_t>> offsets; // original byte range [begin, end) in its own input text;
                                                      // (0, 0) for tokens added by the post-processor
    std::vector<int32_t> sequenceIds;                 // 0 or 1: which input a token came from; -1 for added ones

    size_t size() const { return ids.size(); }
    void append(const Encoding& other) {
        ids.insert(ids.end(), other.ids.begin(), other.ids.end());
        typeIds.insert(typeIds.end(), other.typeIds.begin(), other.typeIds.end());
        specialTokensMask.insert(specialTokensMask.end(), other.specialTokensMask.begin(), other.specialTokensMask.end());
        offsets.insert(offsets.end(), other.offsets.begin(), other.offsets.end());
        sequenceIds.insert(sequenceIds.end(), other.sequenceIds.begin(), other.sequenceIds.end());
    }
    void pushSpecial(int64_t id, int64_t typeId) {
        ids.push_back(id);
        typeIds.push_back(typeId);
        specialTokensMask.push_back(1);
        offsets.emplace_back(0, 0);
        sequenceIds.push_back(-1);
    }
};

}  // namespace capsule::tokenizer
