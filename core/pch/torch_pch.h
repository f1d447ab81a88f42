#pragma once
// Precompiled header for core and the core tests. Keep it to heavy, stable third-party headers.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
