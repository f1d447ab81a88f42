#include "train/run_dataset.h"

#include "tokenizer/chat_template.h"

#include <optional>

namespace capsule::train {

data::DatasetOptions datasetOptionsFor(const TrainingConfig& config) {
    data::DatasetOptions options;
    if (!config.format.empty()) options.format = data::parseDatasetFormat(config.format);
    options.templateName = config.templateName;
    for (const std::string& entry : config.columnMapping) {
        const size_t equals = entry.find('=');  // validate() checked the form
        if (equals == std::string::npos) continue;
        options.columnMapping[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
    options.maxLengthTokens = config.maxLength;
    options.packing = config.packing;
    options.validationFraction = config.validationFraction;
    options.validationFile = config.validationFile;
    options.seed = config.seed;
    options.threadCount = static_cast<int>(config.threads);
    return options;
}

RunDataset loadRunDataset(const TrainingConfig& config) {
    RunDataset loaded;
    loaded.tokenizer = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::fromDirectory(config.model));
    std::optional<tokenizer::ChatTemplate> modelTemplate;
    try {
        modelTemplate = tokenizer::ChatTemplate::fromDirectory(config.model, loaded.tokenizer->specialTokens());
    } catch (const std::exception& error) {
        loaded.warnings.push_back(std::string("model chat template ignored: ") + error.what());
    }
    loaded.dataset = data::loadDataset(config.data, *loaded.tokenizer, modelTemplate, datasetOptionsFor(config));
    return loaded;
}

}  // namespace capsule::train
