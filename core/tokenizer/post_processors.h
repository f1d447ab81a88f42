#pragma once
// tokenizer.json "post_processor" components: TemplateProcessing (BOS/EOS templates with type
// ids), ByteLevel (adds nothing), BertProcessing, RobertaProcessing and Sequence.
// Immutable after construction (thread-safe).
#include "tokenizer/encoding.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace capsule::tokenizer {

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    /// Turns the encodings of the input sequence(s) (1 or 2) into the final encoding(s); special
    /// tokens are added only when `addSpecialTokens`, type ids are always applied (as in
    /// Hugging Face).
    virtual std::vector<Encoding> process(std::vector<Encoding> encodings, bool addSpecialTokens) const = 0;
};

/// Builds a post-processor from its JSON object; errors name `context`.
std::shared_ptr<const PostProcessor> makePostProcessor(const nlohmann::json& spec, const std::string& context);

/// A TemplateProcessing built the way transformers' LlamaTokenizerFast.update_post_processor does
/// from add_bos_token / add_eos_token: single "[bos:0] $A:0 [eos:0]", pair adds "[bos:1] $B:1 [eos:1]".
std::shared_ptr<const PostProcessor> makeBosEosTemplate(bool addBos, int64_t bosId, bool addEos, int64_t eosId);

}  // namespace capsule::tokenizer
