#pragma once
// From checkboxes to target_modules: the module tree on the setup page lets a user tick single
// linear layers; the config needs PEFT's target_modules list. PEFT itself compresses long lists
// to the shortest dotted suffixes that match exactly the chosen layers
// (`_find_minimal_target_modules`, peft-spec.md §2.1); the same rule here keeps the config short
// ("c_attn" when every c_attn is ticked) and exact ("h.0.attn.c_attn" when only one is).
#include <QStringList>

namespace capsule::ui {

/// target_modules that select exactly `checked` among `all` (HF module names of every linear
/// layer); empty when `checked` is empty. Names in `checked` that are not in `all` are ignored.
QStringList targetModulesFor(const QStringList& checked, const QStringList& all);

}  // namespace capsule::ui
