#include "widgets/module_tree.h"

#include <QHeaderView>
#include <QLocale>
#include <QStandardItemModel>
#include <QTimer>

#include <functional>

namespace capsule::ui {
namespace {

constexpr int kModuleNameRole = Qt::UserRole + 1;  // full HF name on leaves
constexpr int kTrainableRole = Qt::UserRole + 2;   // trainable parameters under a leaf

QString shapeText(const ModuleEstimate& module) {
    return QStringLiteral("%1 → %2").arg(module.inFeatures).arg(module.outFeatures);
}

QString trainableText(const ModuleEstimate& module) {
    return module.trainable > 0 ? QStringLiteral("+") + QLocale().toString(module.trainable) : QString();
}

}  // namespace

ModuleTree::ModuleTree(QWidget* parent) : QTreeView(parent) {
    setObjectName(QStringLiteral("moduleTree"));
    model_ = new QStandardItemModel(this);
    model_->setHorizontalHeaderLabels({tr("Module"), tr("in → out"), tr("Trainable")});
    setModel(model_);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    header()->setSectionResizeMode(ShapeColumn, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(TrainableColumn, QHeaderView::ResizeToContents);
    setToolTip(tr("The model's linear layers. Ticked layers get the adapter (target_modules); tick or untick "
                  "a layer or a whole block to change them."));
    connect(model_, &QStandardItemModel::itemChanged, this, &ModuleTree::onItemChanged);
}

void ModuleTree::setModules(const QVector<ModuleEstimate>& modules, bool checkable) {
    QStringList names;
    for (const ModuleEstimate& module : modules) names.append(module.name);
    updating_ = true;
    if (names != names_ || checkable != checkable_) {
        checkable_ = checkable;
        rebuild(modules);
    } else {
        for (const ModuleEstimate& module : modules) updateLeaf(module);
        updateBlockStates();
        updateBlockTotals();
    }
    updating_ = false;
}

void ModuleTree::rebuild(const QVector<ModuleEstimate>& modules) {
    model_->removeRows(0, model_->rowCount());
    leaves_.clear();
    names_.clear();
    // Inner nodes by dotted prefix ("transformer", "transformer.h", "transformer.h.0", ...).
    QHash<QString, QStandardItem*> nodes;
    for (const ModuleEstimate& module : modules) {
        names_.append(module.name);
        const QStringList parts = module.name.split(QLatin1Char('.'));
        QStandardItem* parent = model_->invisibleRootItem();
        QString prefix;
        for (int i = 0; i < parts.size(); ++i) {
            prefix = prefix.isEmpty() ? parts[i] : prefix + QLatin1Char('.') + parts[i];
            const bool leaf = i == parts.size() - 1;
            QStandardItem* node = leaf ? nullptr : nodes.value(prefix);
            if (!node) {
                node = new QStandardItem(parts[i]);
                node->setToolTip(prefix);
                node->setCheckable(checkable_);
                auto* shape = new QStandardItem;
                auto* trainable = new QStandardItem;
                trainable->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                parent->appendRow({node, shape, trainable});
                if (leaf) {
                    node->setData(module.name, kModuleNameRole);
                    leaves_.insert(module.name, node);
                } else {
                    nodes.insert(prefix, node);
                }
            }
            parent = node;
        }
        updateLeaf(module);
    }
    updateBlockStates();
    updateBlockTotals();
    // Small models open fully; big ones down to the blocks ("transformer › h › 0, 1, …").
    if (names_.size() <= 24) expandAll();
    else expandToDepth(1);
}

void ModuleTree::updateLeaf(const ModuleEstimate& module) {
    QStandardItem* leaf = leaves_.value(module.name);
    if (!leaf) return;
    QStandardItem* parent = leaf->parent() ? leaf->parent() : model_->invisibleRootItem();
    parent->child(leaf->row(), ShapeColumn)->setText(shapeText(module));
    parent->child(leaf->row(), TrainableColumn)->setText(trainableText(module));
    leaf->setData(module.trainable, kTrainableRole);
    QFont font = leaf->font();
    font.setBold(module.targeted);
    leaf->setFont(font);
    if (checkable_) leaf->setCheckState(module.targeted ? Qt::Checked : Qt::Unchecked);
}

QStringList ModuleTree::checkedModules() const {
    QStringList checked;
    for (const QString& name : names_) {
        const QStandardItem* leaf = leaves_.value(name);
        if (leaf && leaf->checkState() == Qt::Checked) checked.append(name);
    }
    return checked;
}

QStandardItem* ModuleTree::itemFor(const QString& moduleName) const {
    return leaves_.value(moduleName);
}

void ModuleTree::setDescendants(QStandardItem* item, Qt::CheckState state) {
    for (int row = 0; row < item->rowCount(); ++row) {
        QStandardItem* child = item->child(row, NameColumn);
        if (child->hasChildren()) setDescendants(child, state);
        else child->setCheckState(state);
    }
}

void ModuleTree::updateBlockTotals() {
    // A block's trainable count is the sum of its layers' (leaves keep their own text).
    std::function<qint64(QStandardItem*)> total = [&](QStandardItem* item) -> qint64 {
        qint64 sum = 0;
        for (int row = 0; row < item->rowCount(); ++row) {
            QStandardItem* child = item->child(row, NameColumn);
            if (child->hasChildren()) {
                const qint64 childSum = total(child);
                item->child(row, TrainableColumn)->setText(childSum > 0 ? QStringLiteral("+") + QLocale().toString(childSum) : QString());
                sum += childSum;
            } else {
                sum += child->data(kTrainableRole).toLongLong();
            }
        }
        return sum;
    };
    total(model_->invisibleRootItem());
}

void ModuleTree::updateBlockStates() {
    if (!checkable_) return;
    // A block is ticked when all its layers are, unticked when none is, partly ticked otherwise.
    std::function<Qt::CheckState(QStandardItem*)> update = [&](QStandardItem* item) {
        if (!item->hasChildren()) return item->checkState();
        bool anyChecked = false;
        bool anyUnchecked = false;
        for (int row = 0; row < item->rowCount(); ++row) {
            const Qt::CheckState state = update(item->child(row, NameColumn));
            anyChecked = anyChecked || state != Qt::Unchecked;
            anyUnchecked = anyUnchecked || state != Qt::Checked;
        }
        const Qt::CheckState state = anyChecked && anyUnchecked ? Qt::PartiallyChecked
                                     : anyChecked                ? Qt::Checked
                                                                 : Qt::Unchecked;
        if (item != model_->invisibleRootItem() && item->checkState() != state) item->setCheckState(state);
        return state;
    };
    update(model_->invisibleRootItem());
}

void ModuleTree::onItemChanged(QStandardItem* item) {
    if (updating_ || !checkable_ || item->column() != NameColumn) return;
    // QStandardItemModel keeps no relation between a block's tick and its layers': a clicked block
    // ticks or unticks every layer under it, and every block shows its layers' state.
    updating_ = true;
    if (item->hasChildren() && item->checkState() != Qt::PartiallyChecked) setDescendants(item, item->checkState());
    updateBlockStates();
    updating_ = false;
    if (emitQueued_) return;
    // A click on a block changes every layer under it, each with its own itemChanged: report the
    // selection once, after the model settled.
    emitQueued_ = true;
    QTimer::singleShot(0, this, &ModuleTree::emitSelection);
}

void ModuleTree::emitSelection() {
    emitQueued_ = false;
    Q_EMIT selectionEdited(checkedModules(), names_);
}

}  // namespace capsule::ui
