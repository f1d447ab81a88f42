// GPU smoke test: a matmul on CUDA agrees with the CPU. Skips cleanly where CUDA is absent.
#include "capsule_test.h"

#include <torch/torch.h>

CAPSULE_TEST(cudaMatmulMatchesCpu) {
    if (!torch::cuda::is_available()) SKIP_TEST("CUDA is not available on this machine");
    torch::manual_seed(0);
    const auto a = torch::randn({64, 32});  // [M, K]
    const auto b = torch::randn({32, 16});  // [K, N]
    const auto expected = torch::mm(a, b);
    const auto actual = torch::mm(a.cuda(), b.cuda()).cpu();
    VERIFY(torch::allclose(actual, expected, 1e-4, 1e-4));
}
