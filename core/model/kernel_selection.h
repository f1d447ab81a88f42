#pragma once
// One switch for Capsule's own CPU kernels (fused cross-entropy, tanh-GELU, attention softmax,
// LayerNorm, rank update, fused LoRA node). On by default; CAPSULE_FUSED_KERNELS=0 in the
// environment turns them off at start-up, which puts every op back on LibTorch's own path: an
// escape hatch should a kernel misbehave on some CPU, and the baseline benchmarks compare against
// in the same process (bench_train_step --unfused 1).
namespace capsule::model {

bool fusedKernelsEnabled();
void setFusedKernelsEnabled(bool enabled);

}  // namespace capsule::model
