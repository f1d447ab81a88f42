#pragma once
// AdaLoRA's rank allocation state after one optimizer step, as plain data (no LibTorch): the
// trainer forwards it to observers (GUI charts, run store, metrics JSONL).
#include <cstdint>
#include <string>
#include <vector>

namespace capsule::peft {

/// One adapted matrix.
struct ModuleRank {
    std::string name;          // HF module path, e.g. "transformer.h.3.attn.c_attn"
    int64_t layerIndex = -1;   // transformer block index; -1 when the name has none
    std::string moduleKind;    // the path after the block index, e.g. "attn.c_attn", "self_attn.q_proj"
    int64_t rank = 0;          // triplets currently kept
    int64_t initialRank = 0;   // init_r
    /// Importance score S_j of each triplet j (init_r values; §4.5), from the latest update.
    std::vector<float> importanceScores;
};

struct RankSnapshot {
    int64_t step = 0;       // the globalStep passed to afterOptimizerStep()
    int64_t budget = 0;     // scheduled total rank b(step)
    int64_t totalRank = 0;  // Σ rank over modules after this step's allocation
    std::vector<ModuleRank> modules;
};

}  // namespace capsule::peft
