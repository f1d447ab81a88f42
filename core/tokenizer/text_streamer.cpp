#include "tokenizer/text_streamer.h"

#include <algorithm>

namespace capsule::tokenizer {

std::string TextStreamer::add(int64_t tokenId) {
    tokens_.push_back(tokenId);
    return advance(false);
}

std::string TextStreamer::finish() { return advance(true); }

std::string TextStreamer::advance(bool final) {
    const std::string text = tokenizer_.decode(tokens_, /*skipSpecialTokens=*/true);
    static const std::string replacement = "\xEF\xBF\xBD";
    if (!final && text.size() >= replacement.size() &&
        text.compare(text.size() - replacement.size(), replacement.size(), replacement) == 0)
        return {};
    // Decoding is not always prefix-stable (a later token may rewrite the end): only growth that
    // keeps what was already handed out is streamed.
    if (text.size() > printed_.size() && text.compare(0, printed_.size(), printed_) == 0) {
        std::string piece = text.substr(printed_.size());
        printed_ = text;
        return piece;
    }
    return {};
}

std::vector<int64_t> mergeStopTokenIds(std::vector<int64_t> modelEosIds, const SpecialTokens& specialTokens) {
    for (const int64_t id : specialTokens.eosIds)
        if (std::find(modelEosIds.begin(), modelEosIds.end(), id) == modelEosIds.end()) modelEosIds.push_back(id);
    return modelEosIds;
}

}  // namespace capsule::tokenizer
