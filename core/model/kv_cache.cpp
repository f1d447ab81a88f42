#include "model/kv_cache.h"

#include <stdexcept>
#include <string>

namespace capsule::model {

KVCache::KVCache(int64_t numLayers) {
    if (numLayers < 0) throw std::invalid_argument("KVCache: negative layer count");
    keys_.resize(static_cast<size_t>(numLayers));
    values_.resize(static_cast<size_t>(numLayers));
}

int64_t KVCache::length() const {
    if (keys_.empty() || !keys_.front().defined()) return 0;
    return keys_.front().size(2);
}

void KVCache::checkLayer(int64_t layer) const {
    if (layer < 0 || layer >= numLayers())
        throw std::out_of_range("KVCache: layer " + std::to_string(layer) + " out of range (cache has " +
                                std::to_string(numLayers()) + " layers)");
}

std::pair<torch::Tensor, torch::Tensor> KVCache::append(int64_t layer, const torch::Tensor& key,
                                                        const torch::Tensor& value) {
    checkLayer(layer);
    auto& storedKey = keys_[static_cast<size_t>(layer)];
    auto& storedValue = values_[static_cast<size_t>(layer)];
    if (!storedKey.defined()) {
        storedKey = key;
        storedValue = value;
    } else {
        if (storedKey.size(0) != key.size(0) || storedKey.size(1) != key.size(1) || storedKey.size(3) != key.size(3))
            throw std::invalid_argument("KVCache: layer " + std::to_string(layer) + " holds keys " +
                                        c10::str(storedKey.sizes()) + " that do not fit new keys " +
                                        c10::str(key.sizes()));
        // Prefix K/V may come in another dtype (an fp32 prefix encoder); follow the new keys.
        storedKey = torch::cat({storedKey.to(key.scalar_type()), key}, 2);          // [B, kv, T_past + T, D]
        storedValue = torch::cat({storedValue.to(value.scalar_type()), value}, 2);  // [B, kv, T_past + T, D]
    }
    return {storedKey, storedValue};
}

void KVCache::setLayer(int64_t layer, torch::Tensor key, torch::Tensor value) {
    checkLayer(layer);
    if (key.defined() != value.defined() || (key.defined() && (key.dim() != 4 || key.sizes() != value.sizes())))
        throw std::invalid_argument("KVCache::setLayer: key and value must both be [B, kv_heads, T, head_dim]");
    keys_[static_cast<size_t>(layer)] = std::move(key);
    values_[static_cast<size_t>(layer)] = std::move(value);
}

const torch::Tensor& KVCache::key(int64_t layer) const {
    checkLayer(layer);
    return keys_[static_cast<size_t>(layer)];
}

const torch::Tensor& KVCache::value(int64_t layer) const {
    checkLayer(layer);
    return values_[static_cast<size_t>(layer)];
}

void KVCache::selectBatch(const torch::Tensor& indices) {
    for (size_t i = 0; i < keys_.size(); ++i) {
        if (!keys_[i].defined()) continue;
        const torch::Tensor onDevice = indices.to(keys_[i].device());
        keys_[i] = keys_[i].index_select(0, onDevice);
        values_[i] = values_[i].index_select(0, onDevice);
    }
}

void KVCache::clear() {
    for (auto& key : keys_) key = torch::Tensor();
    for (auto& value : values_) value = torch::Tensor();
}

}  // namespace capsule::model
