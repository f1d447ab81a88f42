#include "tokenizer/post_processors.h"

#include "tokenizer/json_fields.h"

#include <map>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

class TemplateProcessing final : public PostProcessor {
public:
    struct Item {
        bool isSequence = false;
        int sequence = 0;           // 0 = $A, 1 = $B
        std::vector<int64_t> ids;   // special token ids
        int64_t typeId = 0;
    };
    TemplateProcessing(std::vector<Item> single, std::vector<Item> pair) : single_(std::move(single)), pair_(std::move(pair)) {}

    std::vector<Encoding> process(std::vector<Encoding> encodings, bool addSpecialTokens) const override {
        if (encodings.empty() || encodings.size() > 2)
            throw std::runtime_error("TemplateProcessing: expected one or two sequences");
        const std::vector<Item>& items = encodings.size() == 2 ? pair_ : single_;
        Encoding result;
        for (const Item& item : items) {
            if (item.isSequence) {
                if (static_cast<size_t>(item.sequence) >= encodings.size())
                    throw std::runtime_error("TemplateProcessing: the template names $B but only one sequence was given");
                Encoding part = encodings[static_cast<size_t>(item.sequence)];
                std::fill(part.typeIds.begin(), part.typeIds.end(), item.typeId);
                std::fill(part.sequenceIds.begin(), part.sequenceIds.end(), item.sequence);
                result.append(part);
            } else if (addSpecialTokens) {
                for (const int64_t id : item.ids) result.pushSpecial(id, item.typeId);
            }
        }
        return {std::move(result)};
    }

private:
    std::vector<Item> single_, pair_;
};

class NoTokensProcessor final : public PostProcessor {  // ByteLevel: offsets only
public:
    std::vector<Encoding> process(std::vector<Encoding> encodings, bool) const override {
        for (size_t i = 0; i < encodings.size(); ++i)
            std::fill(encodings[i].sequenceIds.begin(), encodings[i].sequenceIds.end(), static_cast<int32_t>(i));
        return encodings;
    }
};

// BertProcessing: [CLS] A [SEP] (B [SEP]); RobertaProcessing: <s> A </s> (</s> B </s>).
class ClsSepProcessor final : public PostProcessor {
public:
    ClsSepProcessor(int64_t clsId, int64_t sepId, bool roberta) : cls_(clsId), sep_(sepId), roberta_(roberta) {}
    std::vector<Encoding> process(std::vector<Encoding> encodings, bool addSpecialTokens) const override {
        if (!addSpecialTokens) return NoTokensProcessor().process(std::move(encodings), false);
        Encoding result;
        result.pushSpecial(cls_, 0);
        Encoding first = encodings[0];
        std::fill(first.typeIds.begin(), first.typeIds.end(), 0);
        std::fill(first.sequenceIds.begin(), first.sequenceIds.end(), 0);
        result.append(first);
        result.pushSpecial(sep_, 0);
        if (encodings.size() > 1) {
            // RoBERTa has no token types: everything stays 0.
            const int64_t type = roberta_ ? 0 : 1;
            if (roberta_) result.pushSpecial(sep_, type);
            Encoding second = encodings[1];
            std::fill(second.typeIds.begin(), second.typeIds.end(), type);
            std::fill(second.sequenceIds.begin(), second.sequenceIds.end(), 1);
            result.append(second);
            result.pushSpecial(sep_, type);
        }
        return {std::move(result)};
    }

private:
    int64_t cls_, sep_;
    bool roberta_;
};

class SequenceProcessor final : public PostProcessor {
public:
    explicit SequenceProcessor(std::vector<std::shared_ptr<const PostProcessor>> parts) : parts_(std::move(parts)) {}
    std::vector<Encoding> process(std::vector<Encoding> encodings, bool addSpecialTokens) const override {
        for (const auto& part : parts_) encodings = part->process(std::move(encodings), addSpecialTokens);
        return encodings;
    }

private:
    std::vector<std::shared_ptr<const PostProcessor>> parts_;
};

// ["token", id] as written by BertProcessing / RobertaProcessing.
int64_t tokenPairId(const nlohmann::json& spec, const char* key, const std::string& context) {
    const auto it = spec.find(key);
    if (it == spec.end() || !it->is_array() || it->size() != 2 || !(*it)[1].is_number_integer())
        throw std::runtime_error(context + ": '" + key + "' must be [\"token\", id]");
    const int64_t id = (*it)[1].get<int64_t>();
    if (id < 0 || id > json_fields::kMaxTokenId) throw std::runtime_error(context + ": '" + key + "' id out of range");
    return id;
}

std::vector<TemplateProcessing::Item> parseTemplate(const nlohmann::json& pieces,
                                                    const std::map<std::string, std::vector<int64_t>>& specials,
                                                    const std::string& context) {
    if (!pieces.is_array()) throw std::runtime_error(context + " must be an array");
    std::vector<TemplateProcessing::Item> items;
    for (const auto& piece : pieces) {
        TemplateProcessing::Item item;
        if (piece.contains("Sequence") && piece["Sequence"].is_object()) {
            const auto& sequence = piece["Sequence"];
            const std::string id = json_fields::requiredString(sequence, "id", context);
            if (id != "A" && id != "B") throw std::runtime_error(context + ": unknown sequence id '" + id + "'");
            item.isSequence = true;
            item.sequence = id == "A" ? 0 : 1;
            item.typeId = json_fields::optionalInteger(sequence, "type_id", 0, 0, 1 << 30, context);
        } else if (piece.contains("SpecialToken") && piece["SpecialToken"].is_object()) {
            const auto& special = piece["SpecialToken"];
            const std::string id = json_fields::requiredString(special, "id", context);
            const auto it = specials.find(id);
            if (it == specials.end())
                throw std::runtime_error(context + ": special token '" + id + "' is missing from 'special_tokens'");
            item.ids = it->second;
            item.typeId = json_fields::optionalInteger(special, "type_id", 0, 0, 1 << 30, context);
        } else {
            throw std::runtime_error(context + ": each piece must be {\"Sequence\": ...} or {\"SpecialToken\": ...}");
        }
        items.push_back(std::move(item));
    }
    return items;
}

}  // namespace

std::shared_ptr<const PostProcessor> makePostProcessor(const nlohmann::json& spec, const std::string& context) {
    if (!spec.is_object()) throw std::runtime_error(context + ": expected an object with a 'type'");
    const std::string type = json_fields::requiredString(spec, "type", context);
    const std::string here = context + " '" + type + "'";
    if (type == "ByteLevel") return std::make_shared<NoTokensProcessor>();
    if (type == "TemplateProcessing") {
        std::map<std::string, std::vector<int64_t>> specials;
        if (spec.contains("special_tokens")) {
            const auto& table = spec["special_tokens"];
            if (!table.is_object()) throw std::runtime_error(here + ": 'special_tokens' must be an object");
            for (auto it = table.begin(); it != table.end(); ++it) {
                const auto& ids = it.value().contains("ids") ? it.value()["ids"] : nlohmann::json();
                if (!ids.is_array()) throw std::runtime_error(here + ": special token '" + it.key() + "' needs 'ids'");
                std::vector<int64_t> values;
                for (const auto& id : ids) {
                    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > json_fields::kMaxTokenId)
                        throw std::runtime_error(here + ": special token '" + it.key() + "' has a bad id");
                    values.push_back(id.get<int64_t>());
                }
                specials[it.key()] = std::move(values);
            }
        }
        auto single = parseTemplate(spec.value("single", nlohmann::json::array()), specials, here + ": 'single'");
        auto pair = parseTemplate(spec.value("pair", nlohmann::json::array()), specials, here + ": 'pair'");
        return std::make_shared<TemplateProcessing>(std::move(single), std::move(pair));
    }
    if (type == "BertProcessing")
        return std::make_shared<ClsSepProcessor>(tokenPairId(spec, "cls", here), tokenPairId(spec, "sep", here), false);
    if (type == "RobertaProcessing")
        return std::make_shared<ClsSepProcessor>(tokenPairId(spec, "cls", here), tokenPairId(spec, "sep", here), true);
    if (type == "Sequence") {
        if (!spec.contains("processors") || !spec["processors"].is_array())
            throw std::runtime_error(here + ": missing array 'processors'");
        std::vector<std::shared_ptr<const PostProcessor>> parts;
        size_t index = 0;
        for (const auto& part : spec["processors"])
            parts.push_back(makePostProcessor(part, context + "[" + std::to_string(index++) + "]"));
        return std::make_shared<SequenceProcessor>(std::move(parts));
    }
    throw std::runtime_error(context + ": unsupported post-processor '" + type + "'");
}

std::shared_ptr<const PostProcessor> makeBosEosTemplate(bool addBos, int64_t bosId, bool addEos, int64_t eosId) {
    std::vector<TemplateProcessing::Item> single, pair;
    auto special = [](int64_t id, int64_t type) {
        TemplateProcessing::Item item;
        item.ids = {id};
        item.typeId = type;
        return item;
    };
    auto sequence = [](int which, int64_t type) {
        TemplateProcessing::Item item;
        item.isSequence = true;
        item.sequence = which;
        item.typeId = type;
        return item;
    };
    if (addBos) single.push_back(special(bosId, 0));
    single.push_back(sequence(0, 0));
    if (addEos) single.push_back(special(eosId, 0));
    pair = single;
    if (addBos) pair.push_back(special(bosId, 1));
    pair.push_back(sequence(1, 1));
    if (addEos) pair.push_back(special(eosId, 1));
    return std::make_shared<TemplateProcessing>(std::move(single), std::move(pair));
}

}  // namespace capsule::tokenizer
