#pragma once
// The pieces an input is cut into on its way to the model (Hugging Face's PreTokenizedString):
// added-token matches, which bypass everything, and text pieces that normalizers and
// pre-tokenizers rewrite and split. A text piece may carry `byteLevel`: its bytes still have to be
// read through the GPT-2 byte table, which the BPE model does on the fly instead of building the
// mapped string (the hot path of byte-level tokenizers).
#include "tokenizer/normalized_text.h"

#include <cstdint>
#include <vector>

namespace capsule::tokenizer {

struct Piece {
    NormalizedText text;
    int64_t addedTokenId = -1;  // >= 0: an added token, emitted as is
    bool byteLevel = false;     // bytes are to be mapped through the byte-level table

    bool isAddedToken() const { return addedTokenId >= 0; }
};

using Pieces = std::vector<Piece>;

}  // namespace capsule::tokenizer
