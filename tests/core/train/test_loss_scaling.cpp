// Dynamic loss scaling (train/loss_scaler.h): the scaler's schedule as GradScaler defines it, and
// the trainer with a scaler on the CPU. float16 matmuls do not run on LibTorch 1.13's CPU, so the
// trainer's scaled path is exercised in float32 with --loss-scale set explicitly: with power-of-two
// scales it must reproduce the unscaled run, and an overflowing scale must skip steps and recover.
// The float16 run itself is in test_cuda_training (gpu).
#include "train_test_support.h"

#include "train/checkpoint.h"
#include "train/loss_scaler.h"
#include "train/training_config.h"

#include <cmath>
#include <stdexcept>

using namespace capsule;
using namespace capsule::train;

using test::DemoFixture;
using test::Recorder;

CAPSULE_TEST(settings_pick_the_scaler) {
    VERIFY(!LossScaler::fromSetting("auto", false).has_value());
    VERIFY(LossScaler::fromSetting("auto", true).has_value());
    COMPARE(LossScaler::fromSetting("auto", true)->scale(), 65536.0);
    VERIFY(!LossScaler::fromSetting("off", true).has_value());
    COMPARE(LossScaler::fromSetting("dynamic", false)->scale(), 65536.0);
    COMPARE(LossScaler::fromSetting("1024", false)->scale(), 1024.0);
    COMPARE(LossScaler::fromSetting("1e4", true)->scale(), 1e4);
    for (const char* bad : {"", "0", "-2", "inf", "nan", "8x", "static"}) {
        VERIFY(!LossScaler::isValidSetting(bad));
        VERIFY_THROWS(LossScaler::fromSetting(bad, true), "--loss-scale");
    }
    TrainingConfig config;
    config.model = "m";
    config.data = "d";
    config.out = "o";
    config.method = "lora";
    config.lossScale = "sometimes";
    VERIFY_THROWS(config.validate(), "--loss-scale");
}

CAPSULE_TEST(overflow_halves_the_scale_and_finite_steps_grow_it) {
    LossScaler scaler(1024.0, 3);
    VERIFY(!scaler.update(false));
    COMPARE(scaler.scale(), 512.0);
    VERIFY(scaler.update(true));
    VERIFY(scaler.update(true));
    COMPARE(scaler.scale(), 512.0);
    VERIFY(scaler.update(true));  // the third finite step in a row
    COMPARE(scaler.scale(), 1024.0);
    COMPARE(scaler.finiteSteps(), int64_t{0});
    VERIFY(scaler.update(true));
    VERIFY(!scaler.update(false));  // an overflow resets the count
    COMPARE(scaler.scale(), 512.0);
    COMPARE(scaler.finiteSteps(), int64_t{0});
    scaler.restore(LossScaler::kSmallestScale, 2);
    VERIFY(!scaler.exhausted());
    VERIFY(!scaler.update(false));
    VERIFY(scaler.exhausted());
}

CAPSULE_TEST(a_power_of_two_scale_reproduces_the_unscaled_run) {
    DemoFixture fixture;
    for (const std::string method : {"lora", "adalora"}) {  // AdaLoRA: the orthogonal regulariser is scaled too
        TrainingConfig plain = fixture.config(method, "plain-" + method);
        plain.maxSteps = 12;
        plain.lossScale = "off";
        TrainingConfig scaled = plain;
        scaled.out = fixture.dir.file("scaled-" + method);
        scaled.lossScale = "65536";
        Recorder a, b;
        COMPARE(static_cast<int>(Trainer::run(plain, a).status), static_cast<int>(TrainingStatus::Finished));
        COMPARE(static_cast<int>(Trainer::run(scaled, b).status), static_cast<int>(TrainingStatus::Finished));
        COMPARE(a.steps.size(), b.steps.size());
        for (size_t i = 0; i < a.steps.size(); ++i) {
            COMPARE_NEAR(b.steps[i].loss, a.steps[i].loss, 1e-6 * std::abs(a.steps[i].loss));
            COMPARE_NEAR(b.steps[i].gradNorm, a.steps[i].gradNorm, 1e-5 * a.steps[i].gradNorm);
        }
        COMPARE(b.logsContaining("overflowed"), size_t{0});
    }
}

CAPSULE_TEST(an_overflowing_scale_skips_steps_and_recovers) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "recover");
    config.lr = 5e-3;
    config.maxSteps = 30;
    config.checkpointEvery = 30;
    config.lossScale = "1e39";  // loss × S overflows float32 (max 3.4e38) until S has halved a few times
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    const size_t skipped = recorder.logsContaining("overflowed");
    std::printf("    %zu of 30 steps skipped\n", skipped);
    VERIFY(skipped >= 2);
    VERIFY(skipped < 25);
    COMPARE(recorder.steps.size() + skipped, size_t{30});  // a skipped step reports no loss
    COMPARE(recorder.steps.back().step, int64_t{30});
    for (const StepMetrics& step : recorder.steps) VERIFY(std::isfinite(step.loss));
    VERIFY(test::meanLoss(recorder.steps, recorder.steps.size() - 3, recorder.steps.size()) <
           test::meanLoss(recorder.steps, 0, 3));
    // The checkpoint carries the lowered scale, so a resumed run does not overflow again.
    const CheckpointState state = readCheckpointState(checkpointFolder(config.out, 30));
    VERIFY(state.lossScale.has_value());
    VERIFY(*state.lossScale < 1e39 / 2);
    VERIFY(*state.lossScale > 1.0);
}

CAPSULE_TEST(a_run_that_overflows_at_every_scale_fails_with_the_setting_to_change) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("ia3", "hopeless");
    config.lr = 1e30;  // the first update wrecks the adapter; every later loss is non-finite
    config.maxGradNorm = 0;
    config.maxSteps = 80;
    config.lossScale = "dynamic";
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Failed));
    std::printf("    %s\n", result.reason.c_str());
    VERIFY(result.reason.find("even with the loss scaled") != std::string::npos);
    VERIFY(result.reason.find("--dtype") != std::string::npos);
    VERIFY(recorder.logsContaining("overflowed") >= 30);  // 2^16 down to 2^-24, one halving per step
}
