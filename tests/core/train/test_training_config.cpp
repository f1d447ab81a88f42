// TrainingConfig JSON, CLI option parsing and learning-rate schedules against hand values.
#include "capsule_test.h"

#include "train/lr_schedule.h"
#include "train/training_config.h"

#include <nlohmann/json.hpp>

using namespace capsule;
using namespace capsule::train;

CAPSULE_TEST(config_round_trips_through_json) {
    TrainingConfig config;
    config.model = "/m";
    config.data = "/d.jsonl";
    config.method = "adalora";
    config.out = "/o";
    config.loraAlpha = 32;
    config.targetModules = {"c_attn", "c_proj"};
    config.seed = 7;
    config.keepBest = false;
    const nlohmann::json json = toJson(config);
    COMPARE(json.at("lora_alpha").get<double>(), 32.0);
    COMPARE(json.at("target_modules").size(), size_t{2});
    const TrainingConfig back = trainingConfigFromJson(json);
    COMPARE(back.method, std::string("adalora"));
    COMPARE(back.targetModules[1], std::string("c_proj"));
    COMPARE(back.seed, uint64_t{7});
    COMPARE(back.keepBest, false);
    COMPARE(toJson(back).dump(), json.dump());
}

CAPSULE_TEST(method_defaults_are_peft_defaults) {
    // peft-spec.md: LoraConfig r 8, lora_alpha 8, lora_dropout 0; AdaLoraConfig init_r 12,
    // target_r 8, tinit 0, tfinal 0, deltaT 1, beta1 = beta2 = 0.85, orth_reg_weight 0.5.
    const TrainingConfig config;
    COMPARE(config.r, int64_t{8});
    COMPARE(config.loraAlpha, 8.0);
    COMPARE(config.loraDropout, 0.0);
    COMPARE(config.initR, int64_t{12});
    COMPARE(config.targetR, int64_t{8});
    COMPARE(config.tinit, int64_t{0});
    COMPARE(config.tfinal, int64_t{0});
    COMPARE(config.deltaT, int64_t{1});
    COMPARE(config.beta1, 0.85);
    COMPARE(config.beta2, 0.85);
    COMPARE(config.orthRegWeight, 0.5);
}

CAPSULE_TEST(config_rejects_unknown_keys_and_wrong_types) {
    VERIFY_THROWS(trainingConfigFromJson(nlohmann::json{{"learning_rate", 1}}, "cfg.json"), "unknown key 'learning_rate'");
    VERIFY_THROWS(trainingConfigFromJson(nlohmann::json{{"r", "eight"}}, "cfg.json"), "key 'r' must be an integer");
    VERIFY_THROWS(trainingConfigFromJson(nlohmann::json{{"packing", 1}}), "key 'packing' must be true or false");
    TrainingConfig config;
    config.model = "m";
    config.data = "d";
    config.out = "o";
    config.method = "qlora";
    VERIFY_THROWS(config.validate(), "unknown method 'qlora'");
    config.method = "t-few";
    config.schedule = "step";
    VERIFY_THROWS(config.validate(), "option --schedule");
}

CAPSULE_TEST(flags_map_to_snake_case_keys) {
    COMPARE(flagToKey("lora-alpha"), std::string("lora_alpha"));
    COMPARE(keyToFlag("encoder_reparameterization_type"), std::string("encoder-reparameterization-type"));
    for (const char* flag : {"r", "lora-alpha", "lora-dropout", "target-modules", "use-rslora", "init-r", "target-r",
                             "tinit", "tfinal", "delta-t", "beta1", "beta2", "orth-reg-weight", "feedforward-modules",
                             "num-virtual-tokens", "prompt-tuning-init", "prefix-projection",
                             "encoder-reparameterization-type", "encoder-hidden-size", "max-steps", "batch-size",
                             "max-length", "lr", "seed", "metrics-jsonl", "checkpoint-every", "resume", "dtype"})
        VERIFY(optionKind(flagToKey(flag)).has_value());
    nlohmann::json object = nlohmann::json::object();
    setOptionFromText(object, "target_modules", "c_attn, c_fc");
    setOptionFromText(object, "use_rslora", "");
    setOptionFromText(object, "lr", "3e-4");
    setOptionFromText(object, "max_steps", "12");
    const TrainingConfig config = trainingConfigFromJson(object);
    COMPARE(config.targetModules.size(), size_t{2});
    COMPARE(config.targetModules[1], std::string("c_fc"));
    COMPARE(config.useRslora, true);
    COMPARE_NEAR(config.lr, 3e-4, 1e-15);
    COMPARE(config.maxSteps, int64_t{12});
    VERIFY_THROWS(setOptionFromText(object, "max_steps", "12x"), "option --max-steps: expected an integer");
    VERIFY_THROWS(setOptionFromText(object, "lr", "fast"), "option --lr: expected a number");
}

CAPSULE_TEST(schedules_match_hand_values) {
    ScheduleSettings settings;
    settings.baseLearningRate = 1.0;
    settings.warmupSteps = 2;
    settings.totalSteps = 10;
    settings.kind = ScheduleKind::Constant;
    COMPARE_NEAR(learningRateAt(settings, 0), 0.0, 1e-12);
    COMPARE_NEAR(learningRateAt(settings, 1), 0.5, 1e-12);
    COMPARE_NEAR(learningRateAt(settings, 5), 1.0, 1e-12);
    settings.kind = ScheduleKind::Linear;
    COMPARE_NEAR(learningRateAt(settings, 2), 1.0, 1e-12);
    COMPARE_NEAR(learningRateAt(settings, 6), 0.5, 1e-12);   // (10 - 6) / (10 - 2)
    COMPARE_NEAR(learningRateAt(settings, 9), 0.125, 1e-12);
    COMPARE_NEAR(learningRateAt(settings, 12), 0.0, 1e-12);
    settings.kind = ScheduleKind::Cosine;
    COMPARE_NEAR(learningRateAt(settings, 2), 1.0, 1e-12);
    COMPARE_NEAR(learningRateAt(settings, 6), 0.5, 1e-12);   // cos(pi/2) = 0
    COMPARE_NEAR(learningRateAt(settings, 4), 0.5 * (1 + std::sqrt(0.5)), 1e-12);  // cos(pi/4)
    COMPARE_NEAR(learningRateAt(settings, 10), 0.0, 1e-12);
    COMPARE(resolveWarmupSteps(0, 0.06, 100), int64_t{6});
    COMPARE(resolveWarmupSteps(0, 0.05, 30), int64_t{2});  // ceil(1.5)
    COMPARE(resolveWarmupSteps(3, 0.5, 100), int64_t{3});
    VERIFY_THROWS(parseSchedule("polynomial"), "unknown schedule");
}
