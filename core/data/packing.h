#pragma once
// Packs short examples into rows of at most max_length tokens (best-fit decreasing: longest
// example first, into the fullest row it still fits). Inside a row the examples are concatenated;
// positionIds restart at 0 for each and segmentIds number them 1, 2, ... so a trainer can mask
// attention per example. The first label of every packed example is -100: the token before it
// belongs to another example, so predicting it would teach the model across the boundary (what
// Hugging Face's DataCollatorWithFlattening does). Deterministic (ties broken by input order).
#include "data/example.h"

#include <cstdint>
#include <vector>

namespace capsule::data {

/// Packs `examples` (each at most maxLengthTokens long; a longer one gets a row of its own).
/// Throws std::invalid_argument when maxLengthTokens <= 0.
std::vector<Example> packExamples(const std::vector<Example>& examples, int64_t maxLengthTokens);

}  // namespace capsule::data
