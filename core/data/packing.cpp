#include "data/packing.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <utility>

namespace capsule::data {

std::vector<Example> packExamples(const std::vector<Example>& examples, int64_t maxLengthTokens) {
    if (maxLengthTokens <= 0) throw std::invalid_argument("packing: max_length must be > 0");
    std::vector<size_t> order(examples.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return examples[a].length() > examples[b].length(); });

    // Rows by remaining room: lower_bound(length) is the fullest row the example still fits in.
    std::set<std::pair<int64_t, size_t>> rowsByRoom;
    std::vector<std::vector<size_t>> members;
    for (const size_t index : order) {
        const int64_t length = examples[index].length();
        if (length == 0) continue;
        const auto fit = rowsByRoom.lower_bound({length, size_t{0}});
        if (fit == rowsByRoom.end()) {
            members.push_back({index});
            const int64_t room = maxLengthTokens - length;
            if (room > 0) rowsByRoom.insert({room, members.size() - 1});
        } else {
            const auto [room, row] = *fit;
            rowsByRoom.erase(fit);
            members[row].push_back(index);
            if (room - length > 0) rowsByRoom.insert({room - length, row});
        }
    }

    std::vector<Example> rows;
    rows.reserve(members.size());
    for (const std::vector<size_t>& row : members) {
        Example packed;
        packed.source = examples[row.front()].source;
        packed.packedCount = static_cast<int64_t>(row.size());
        packed.untruncatedLength = 0;
        int64_t segment = 0;
        for (const size_t index : row) {
            const Example& example = examples[index];
            ++segment;
            packed.inputIds.insert(packed.inputIds.end(), example.inputIds.begin(), example.inputIds.end());
            packed.labels.push_back(kIgnoreLabel);  // no prediction across the boundary
            packed.labels.insert(packed.labels.end(), example.labels.begin() + 1, example.labels.end());
            for (int64_t position = 0; position < example.length(); ++position) {
                packed.positionIds.push_back(position);
                packed.segmentIds.push_back(segment);
            }
            packed.untruncatedLength += example.untruncatedLength;
            packed.truncated = packed.truncated || example.truncated;
        }
        rows.push_back(std::move(packed));
    }
    return rows;
}

}  // namespace capsule::data
