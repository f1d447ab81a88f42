// AdaLoRA (peft-spec.md §4): SVD-form forward and scaling, the budget schedule against
// hand-computed values, the RankAllocator's masking on a hand-computed example, a recorded
// training run that ends at target_r × modules, orthogonal regularisation, saved keys / shapes /
// rank_pattern, save -> load with sliced tensors, and modules pruned to rank 0 (peft#1539).
#include "peft_test_support.h"

#include "io/safetensors.h"
#include "peft/adalora.h"
#include "peft/adapter_io.h"
#include "peft/rank_allocator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <map>

using namespace capsule;
using namespace capsule::peft;

namespace {

AdaLoraConfig smallConfig(int64_t initR, int64_t targetR, int64_t tinit, int64_t tfinal, int64_t totalStep,
                          int64_t deltaT = 1) {
    AdaLoraConfig config;
    config.initR = initR;
    config.targetR = targetR;
    config.tinit = tinit;
    config.tfinal = tfinal;
    config.totalStep = totalStep;
    config.deltaT = deltaT;
    config.lora.loraAlpha = 32;
    return config;
}

std::unique_ptr<AdaLoraAdapter> applyAdaLora(model::CausalLM& model, AdaLoraConfig config) {
    auto adapter = std::make_unique<AdaLoraAdapter>(std::move(config));
    adapter->apply(model, WeightInit::Fresh);
    return adapter;
}

std::shared_ptr<AdaLoraLayer> layerAt(AdaLoraAdapter& adapter, size_t index) {
    return std::static_pointer_cast<AdaLoraLayer>(adapter.slots()[index].layer);
}

/// Trains `steps` SGD steps of next-token loss (+ regularisation), calling the hooks as a trainer
/// does; returns the snapshots.
std::vector<RankSnapshot> train(model::CausalLM& model, AdapterMethod& adapter, int64_t steps, int64_t vocab) {
    std::vector<RankSnapshot> snapshots;
    adapter.setRankSnapshotCallback([&](const RankSnapshot& snapshot) { snapshots.push_back(snapshot); });
    torch::optim::SGD optimizer(adapter.trainableParameters(), torch::optim::SGDOptions(0.5));
    model.train();
    for (int64_t step = 1; step <= steps; ++step) {
        const torch::Tensor ids = test::tinyInputIds(4, 10, vocab, static_cast<uint64_t>(step * 7));
        model::ForwardInput input;
        input.inputIds = ids;
        const torch::Tensor logits = model.forward(input);
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits.slice(1, 0, -1).reshape({-1, vocab}),
                                                                  ids.slice(1, 1).reshape({-1}));
        const torch::Tensor regularization = adapter.regularizationLoss();
        if (regularization.defined()) loss = loss + regularization;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        adapter.afterOptimizerStep(step);
    }
    model.eval();
    return snapshots;
}

}  // namespace

CAPSULE_TEST(budgetScheduleMatchesHandComputedValues) {
    // init_bgt 48 (4 matrices x init_r 12), target_bgt 32 (target_r 8), tinit 2, tfinal 3, T 20,
    // deltaT 2: b(t) = floor(16·(1 − (t − 2)/15)³ + 32) in the reduction phase (values worked out
    // by hand: t = 3 -> 16·(14/15)³ + 32 = 45.01 -> 45, ...).
    RankAllocatorOptions options;
    options.targetR = 8;
    options.tinit = 2;
    options.tfinal = 3;
    options.totalStep = 20;
    options.deltaT = 2;
    const std::vector<std::pair<int64_t, bool>> expected = {
        {48, false}, {48, false}, {45, false}, {42, true}, {40, false}, {38, true}, {36, false}, {35, true},
        {34, false}, {33, true},  {33, false}, {32, true}, {32, false}, {32, true}, {32, false}, {32, true},
        {32, false}, {32, true},  {32, true},  {32, true}, {32, true},  {32, true}};
    for (int64_t step = 1; step <= 22; ++step) {
        const BudgetStep budget = adaLoraBudgetSchedule(options, 48, 32, step);
        COMPARE(budget.budget, expected[static_cast<size_t>(step - 1)].first);
        COMPARE(budget.maskThisStep, expected[static_cast<size_t>(step - 1)].second);
    }
}

CAPSULE_TEST(rankAllocatorMasksTheHandComputedTriplets) {
    // Two triplets of rank 3, every parameter 1, chosen gradients g. With β1 = β2 = 0.5 one update
    // from zero gives Ī = I/2, Ū = I/4, s = I²/8, so S_j = (g_E,j² + mean_k g_A,jk² + mean_k g_B,kj²)/8:
    //   triplet 1: [(1+4+0), (0+0+16), (9+1+1)]/8 = [0.625, 2.0, 1.375]
    //   triplet 2: [(4+1+1), (1+9+0), (0+0+4)]/8  = [0.75, 1.25, 0.5]
    // Budget 3 of 6: k = 3, the 3rd smallest score is 0.75, so j0 of both and j2 of triplet 2 go.
    auto makeTriplet = [](const std::string& name, std::vector<float> gradE, std::vector<float> gradARows,
                          std::vector<float> gradBColumns) {
        RankTriplet triplet;
        triplet.name = name;
        triplet.a = torch::ones({3, 2}).requires_grad_(true);
        triplet.e = torch::ones({3, 1}).requires_grad_(true);
        triplet.b = torch::ones({2, 3}).requires_grad_(true);
        triplet.e.mutable_grad() = torch::tensor(gradE).view({3, 1});
        triplet.a.mutable_grad() = torch::tensor(gradARows).view({3, 1}).expand({3, 2}).contiguous();
        triplet.b.mutable_grad() = torch::tensor(gradBColumns).view({1, 3}).expand({2, 3}).contiguous();
        return triplet;
    };
    std::vector<RankTriplet> triplets = {makeTriplet("m1.lora_E", {1, 0, 3}, {2, 0, 1}, {0, 4, 1}),
                                         makeTriplet("m2.lora_E", {2, 1, 0}, {1, 3, 0}, {1, 0, 2})};
    RankAllocatorOptions options;
    options.targetR = 1;
    options.beta1 = 0.5;
    options.beta2 = 0.5;
    options.totalStep = 100;
    RankAllocator allocator(options, triplets);
    COMPARE(allocator.initialBudget(), int64_t(6));
    COMPARE(allocator.targetBudget(), int64_t(2));
    allocator.updateImportance();
    const auto scores = allocator.tripletScores();
    const std::vector<std::vector<double>> expectedScores = {{0.625, 2.0, 1.375}, {0.75, 1.25, 0.5}};
    for (size_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
            COMPARE(scores[i][j].item<double>(), expectedScores[i][static_cast<size_t>(j)]);
    const RankPattern pattern = allocator.maskToBudget(3);
    COMPARE(pattern.at("m1.lora_E"), (std::vector<bool>{false, true, true}));
    COMPARE(pattern.at("m2.lora_E"), (std::vector<bool>{false, true, false}));
    COMPARE(test::maxDifference(triplets[0].e.view(-1), torch::tensor({0.f, 1.f, 1.f})), 0.0);
    COMPARE(test::maxDifference(triplets[1].e.view(-1), torch::tensor({0.f, 1.f, 0.f})), 0.0);
    COMPARE(test::maxDifference(triplets[0].a, torch::ones({3, 2})), 0.0);  // A and B are never zeroed
    // Re-applying a pattern zeroes revived entries only where it says so.
    {
        torch::NoGradGuard noGrad;
        triplets[0].e.fill_(5.0);
    }
    allocator.maskUsingRankPattern(pattern);
    COMPARE(test::maxDifference(triplets[0].e.view(-1), torch::tensor({0.f, 5.f, 5.f})), 0.0);
    // A second EMA step follows the recurrences: Ī = 0.5·Ī + 0.5·I, Ū = 0.5·Ū + 0.5·|I − Ī|.
    allocator.updateImportance();  // same gradients: Ī = 0.75·I, Ū = 0.5·0.25·I + 0.5·0.25·I = 0.25·I
    // Triplet 2, j = 1 kept E = 1 (its parameters are unchanged), so s = 0.75·0.25·g² = 3g²/16 and
    // S = 3/16·(1 + 9 + 0) = 1.875.
    COMPARE(allocator.tripletScores()[1][1].item<double>(), 1.875);
    VERIFY_THROWS(allocator.maskUsingRankPattern({{"m1.lora_E", {true}}}), "has 1 flags for rank 3");
}

CAPSULE_TEST(forwardScalingAndZeroInit) {
    auto model = test::tinyModel(test::tinyGpt2());
    const torch::Tensor ids = test::tinyInputIds(2, 6, 41);
    const torch::Tensor base = test::logitsOf(*model, ids);
    auto adapter = applyAdaLora(*model, smallConfig(6, 2, 0, 0, 10));
    COMPARE(test::maxDifference(test::logitsOf(*model, ids), base), 0.0);  // E = 0
    auto layer = layerAt(*adapter, 0);
    COMPARE(layer->loraA.std().item<double>() > 0.01, true);
    COMPARE(layer->ranknum.item<double>(), 6.0);
    VERIFY(!layer->ranknum.requires_grad());
    test::randomize({layer->loraE}, 3, 1.0);
    model::LinearImpl& linear = *adapter->slots()[0].linear.ptr();
    const torch::Tensor x = torch::randn({2, 3, 16});
    torch::NoGradGuard noGrad;
    // y = x W + b + x (A ⊙ E)ᵀ Bᵀ · alpha / (init_r + 1e-5)
    const torch::Tensor expected = x.matmul(linear.weight) + linear.bias +
                                   x.matmul((layer->loraA * layer->loraE).t()).matmul(layer->loraB.t()) * (32.0 / (6 + 1e-5));
    VERIFY(test::maxDifference(linear.forward(x), expected) < 1e-5);
}

CAPSULE_TEST(mergeEqualsUnmerged) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    const torch::Tensor ids = test::tinyInputIds(2, 6, 37);
    auto adapter = applyAdaLora(*model, smallConfig(4, 2, 0, 0, 10));
    for (size_t i = 0; i < adapter->slots().size(); ++i) test::randomize({layerAt(*adapter, i)->loraE}, i + 1, 1.0);
    const torch::Tensor unmerged = test::logitsOf(*model, ids);
    adapter->merge();
    const double difference = test::maxDifference(test::logitsOf(*model, ids), unmerged);
    std::cout << "    max |merged - unmerged| logits = " << difference << "\n";
    VERIFY(difference < 1e-4);
    adapter->unmerge();
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), unmerged) < 1e-4);
}

CAPSULE_TEST(keysAndShapesFollowTheSpecTable) {
    // §4.6: no `.weight`; A [init_r, in], B [out, init_r], E [init_r, 1] before any pruning.
    auto gpt2 = test::tinyModel(test::tinyGpt2());
    auto adapter = applyAdaLora(*gpt2, smallConfig(12, 8, 0, 0, 10));
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [key, tensor] : adapter->stateDict()) shapes[key] = tensor.sizes().vec();
    std::map<std::string, std::vector<int64_t>> expected;
    for (int i = 0; i < 2; ++i) {
        const std::string p = "base_model.model.transformer.h." + std::to_string(i) + ".attn.c_attn.";
        expected[p + "lora_A"] = {12, 16};
        expected[p + "lora_B"] = {48, 12};
        expected[p + "lora_E"] = {12, 1};
    }
    VERIFY(shapes == expected);
    const std::string json = adapter->configJson(ConfigProfile::Compatible);
    VERIFY(json.find("\"peft_type\": \"ADALORA\"") != std::string::npos);
    VERIFY(json.find("\"rank_pattern\": null") != std::string::npos);
    VERIFY(json.find("\"fan_in_fan_out\": true") != std::string::npos);

    auto llama = test::tinyModel(test::tinyLlamaConfig());
    auto llamaAdapter = applyAdaLora(*llama, smallConfig(12, 8, 0, 0, 10));
    std::map<std::string, std::vector<int64_t>> llamaShapes;
    for (const auto& [key, tensor] : llamaAdapter->stateDict()) llamaShapes[key] = tensor.sizes().vec();
    COMPARE(llamaShapes.size(), size_t(12));
    VERIFY(llamaShapes.at("base_model.model.model.layers.1.self_attn.v_proj.lora_B") == (std::vector<int64_t>{8, 12}));
    VERIFY(llamaShapes.at("base_model.model.model.layers.1.self_attn.q_proj.lora_A") == (std::vector<int64_t>{12, 16}));
}

CAPSULE_TEST(recordedRunFollowsTheScheduleAndEndsAtTarget) {
    // 2 matrices x init_r 6 = 12 -> target 2 x 2 = 4; tinit 2, tfinal 2, T 12, deltaT 1:
    // b(t) = floor(8·(1 − (t − 2)/8)³ + 4): t=3 -> 8·(7/8)³+4 = 9.36 -> 9, t=4 -> 7.375 -> 7,
    // t=5 -> 5.95 -> 5, t=6 -> 5, t=7.. -> 4.
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyAdaLora(*model, smallConfig(6, 2, 2, 2, 12));
    const std::vector<RankSnapshot> snapshots = train(*model, *adapter, 12, 41);
    const std::vector<int64_t> expectedBudgets = {12, 12, 9, 7, 5, 5, 4, 4, 4, 4, 4, 4};
    COMPARE(snapshots.size(), size_t(12));
    for (size_t i = 0; i < snapshots.size(); ++i) {
        COMPARE(snapshots[i].step, int64_t(i + 1));
        COMPARE(snapshots[i].budget, expectedBudgets[i]);
        // Masking happens from step 3 on and keeps exactly the budget (no ties on real scores).
        COMPARE(snapshots[i].totalRank, expectedBudgets[i]);
        COMPARE(snapshots[i].modules.size(), size_t(2));
    }
    const RankSnapshot& last = snapshots.back();
    COMPARE(last.totalRank, int64_t(2 * 2));  // target_r × modules
    COMPARE(last.modules[0].name, std::string("transformer.h.0.attn.c_attn"));
    COMPARE(last.modules[0].layerIndex, int64_t(0));
    COMPARE(last.modules[1].layerIndex, int64_t(1));
    COMPARE(last.modules[0].moduleKind, std::string("attn.c_attn"));
    COMPARE(last.modules[0].initialRank, int64_t(6));
    COMPARE(last.modules[0].importanceScores.size(), size_t(6));
    // The stored pattern matches the zeros in E after the last step.
    const auto& pattern = *adapter->config().rankPattern;
    int64_t kept = 0;
    for (size_t i = 0; i < 2; ++i) {
        const auto& mask = pattern.at(adapter->slots()[i].name + ".lora_E");
        const torch::Tensor e = layerAt(*adapter, i)->loraE.detach().view(-1);
        for (size_t j = 0; j < mask.size(); ++j) {
            if (!mask[j]) COMPARE(e[static_cast<int64_t>(j)].item<double>(), 0.0);
            kept += mask[j] ? 1 : 0;
        }
    }
    COMPARE(kept, int64_t(4));
    std::cout << "    ranks after the run: " << last.modules[0].rank << " + " << last.modules[1].rank << "\n";
}

CAPSULE_TEST(saveSlicesToKeptRanksAndLoadRestoresLogits) {
    test::TempDir directory;
    const torch::Tensor ids = test::tinyInputIds(2, 7, 41);
    torch::Tensor expected;
    std::map<std::string, std::vector<bool>> pattern;
    {
        auto model = test::tinyModel(test::tinyGpt2());
        auto adapter = applyAdaLora(*model, smallConfig(6, 2, 2, 2, 12));
        train(*model, *adapter, 12, 41);
        expected = test::logitsOf(*model, ids);
        pattern = *adapter->config().rankPattern;
        saveAdapter(*adapter, directory.path());
    }
    const nlohmann::json json = nlohmann::json::parse(test::readFile(directory.file("adapter_config.json")));
    // §4.6: keys are module paths + .lora_E, values init_r booleans.
    VERIFY(json["rank_pattern"].contains("transformer.h.0.attn.c_attn.lora_E"));
    COMPARE(json["rank_pattern"]["transformer.h.1.attn.c_attn.lora_E"].size(), size_t(6));
    const auto file = io::SafetensorsFile::open(directory.file("adapter_model.safetensors"));
    for (int i = 0; i < 2; ++i) {
        const std::string module = "transformer.h." + std::to_string(i) + ".attn.c_attn";
        int64_t keptCount = 0;
        for (bool kept : pattern.at(module + ".lora_E")) keptCount += kept ? 1 : 0;
        const std::string p = "base_model.model." + module + ".";
        VERIFY(file->info(p + "lora_A").shape == (std::vector<int64_t>{keptCount, 16}));
        VERIFY(file->info(p + "lora_E").shape == (std::vector<int64_t>{keptCount, 1}));
        VERIFY(file->info(p + "lora_B").shape == (std::vector<int64_t>{48, keptCount}));
    }
    auto model = test::tinyModel(test::tinyGpt2());
    auto loaded = loadAdapter(*model, directory.path());
    COMPARE(loaded->peftType(), std::string("ADALORA"));
    const double difference = test::maxDifference(test::logitsOf(*model, ids), expected);
    std::cout << "    max |loaded - trained| logits = " << difference << "\n";
    VERIFY(difference < 1e-5);
    // The loaded adapter keeps ranknum = init_r (scaling unchanged) and saves the same file again.
    auto* ada = dynamic_cast<AdaLoraAdapter*>(loaded.get());
    VERIFY(ada != nullptr);
    COMPARE(layerAt(*ada, 0)->ranknum.item<double>(), 6.0);
    test::TempDir again;
    saveAdapter(*loaded, again.path());
    COMPARE(test::readFile(again.file("adapter_model.safetensors")),
            test::readFile(directory.file("adapter_model.safetensors")));
}

CAPSULE_TEST(moduleprunedToRankZeroSavesAndLoads) {
    // peft#1539: target_r 0 prunes every triplet; tensors become [0, in], [0, 1], [out, 0].
    test::TempDir directory;
    const torch::Tensor ids = test::tinyInputIds(1, 6, 41);
    torch::Tensor base;
    {
        auto model = test::tinyModel(test::tinyGpt2());
        base = test::logitsOf(*model, ids);
        auto adapter = applyAdaLora(*model, smallConfig(4, 0, 0, 0, 3));
        const auto snapshots = train(*model, *adapter, 3, 41);
        COMPARE(snapshots.back().totalRank, int64_t(0));
        VERIFY(test::maxDifference(test::logitsOf(*model, ids), base) < 1e-6);  // all E zero
        saveAdapter(*adapter, directory.path());
    }
    const auto file = io::SafetensorsFile::open(directory.file("adapter_model.safetensors"));
    VERIFY(file->info("base_model.model.transformer.h.0.attn.c_attn.lora_A").shape == (std::vector<int64_t>{0, 16}));
    VERIFY(file->info("base_model.model.transformer.h.0.attn.c_attn.lora_B").shape == (std::vector<int64_t>{48, 0}));
    auto model = test::tinyModel(test::tinyGpt2());
    auto loaded = loadAdapter(*model, directory.path());
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), base) < 1e-6);
    loaded->merge();
    VERIFY(test::maxDifference(test::logitsOf(*model, ids), base) < 1e-6);
}

CAPSULE_TEST(orthogonalRegularizationMatchesHandComputation) {
    // Per module: A = [[1,0,..],[0,2,..]] -> AAᵀ − I = diag(0, 3), ‖·‖_F = 3;
    // B = [[1,1],[0,1],0..] -> BᵀB − I = [[0,1],[1,1]], ‖·‖_F = √3.
    // Two modules: R = (3 + √3 + 3 + √3) / 4; loss = 0.5·R.
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyAdaLora(*model, smallConfig(2, 1, 0, 0, 10));
    for (size_t i = 0; i < 2; ++i) {
        auto layer = layerAt(*adapter, i);
        torch::NoGradGuard noGrad;
        layer->loraA.zero_();
        layer->loraA[0][0] = 1.0;
        layer->loraA[1][1] = 2.0;
        layer->loraB.zero_();
        layer->loraB[0][0] = 1.0;
        layer->loraB[0][1] = 1.0;
        layer->loraB[1][1] = 1.0;
    }
    const torch::Tensor loss = adapter->regularizationLoss();
    COMPARE_NEAR(loss.item<double>(), 0.5 * (6.0 + 2.0 * std::sqrt(3.0)) / 4.0, 1e-6);
    loss.backward();
    VERIFY(layerAt(*adapter, 0)->loraA.grad().defined());
    AdaLoraConfig none = smallConfig(2, 1, 0, 0, 10);
    none.orthRegWeight = 0.0;
    auto other = test::tinyModel(test::tinyGpt2());
    VERIFY(!applyAdaLora(*other, none)->regularizationLoss().defined());
}

CAPSULE_TEST(missingGradientsAreExplained) {
    auto model = test::tinyModel(test::tinyGpt2());
    auto adapter = applyAdaLora(*model, smallConfig(4, 2, 0, 0, 10));
    VERIFY_THROWS(adapter->afterOptimizerStep(1), "before zero_grad()");
}

CAPSULE_TEST(loadRejectsInconsistentRankPatterns) {
    test::TempDir directory;
    {
        auto model = test::tinyModel(test::tinyGpt2());
        auto adapter = applyAdaLora(*model, smallConfig(4, 2, 0, 0, 4));
        train(*model, *adapter, 4, 41);
        saveAdapter(*adapter, directory.path());
    }
    const std::string text = test::readFile(directory.file("adapter_config.json"));
    nlohmann::json json = nlohmann::json::parse(text);
    json["rank_pattern"]["transformer.h.0.attn.c_attn.lora_E"] = {true, true};
    test::writeFile(directory.file("adapter_config.json"), json.dump(2));
    auto model = test::tinyModel(test::tinyGpt2());
    VERIFY_THROWS(loadAdapter(*model, directory.path()), "has 2 flags, expected init_r = 4");
    json = nlohmann::json::parse(text);
    json["rank_pattern"]["transformer.h.7.attn.c_attn.lora_E"] = {true, true, true, true};
    test::writeFile(directory.file("adapter_config.json"), json.dump(2));
    VERIFY_THROWS(loadAdapter(*model, directory.path()), "names no adapted module");
    for (auto& [name, linear] : model->namedLinears()) VERIFY(!linear->adapter);
}
