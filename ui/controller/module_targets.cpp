#include "controller/module_targets.h"

#include "peft/injection.h"

#include <QSet>

#include <set>
#include <string>

namespace capsule::ui {

QStringList targetModulesFor(const QStringList& checked, const QStringList& all) {
    std::set<std::string> targets;
    std::set<std::string> others;
    const QSet<QString> chosen(checked.begin(), checked.end());
    for (const QString& name : all) (chosen.contains(name) ? targets : others).insert(name.toStdString());
    if (targets.empty()) return {};
    QStringList modules;
    for (const std::string& suffix : peft::findMinimalTargetModules(targets, others))
        modules.append(QString::fromStdString(suffix));
    modules.sort();
    return modules;
}

}  // namespace capsule::ui
