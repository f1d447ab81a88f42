#include "peft/tfew_recipe.h"

namespace capsule::peft {

TFewRecipe tFewConfig(const model::ModelConfig& model) {
    TFewRecipe recipe;
    recipe.ia3.taskType = std::string("CAUSAL_LM");
    recipe.ia3.targetModules = defaultIa3TargetModules(model.modelType);
    recipe.ia3.feedforwardModules = defaultIa3FeedforwardModules(model.modelType);
    recipe.ia3.initIa3Weights = true;  // t-few's lora_init_scale 0 with scaling rank 1: ones
    validate(recipe.ia3);
    return recipe;
}

}  // namespace capsule::peft
