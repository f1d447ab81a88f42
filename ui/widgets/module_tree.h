#pragma once
// The model's linear layers as a tree (transformer › h › 0 › attn › c_attn) with a checkbox on
// each: ticked = the method's adapter attaches there. The ticks come from the parameter
// estimate (the method really applied to the model skeleton), so the tree shows what will
// train, not what the text field says; ticking a layer asks the setup page to change
// target_modules (selectionEdited), and the next estimate ticks the tree again.
#include "controller/parameter_estimator.h"

#include <QHash>
#include <QSet>
#include <QTreeView>

class QStandardItem;
class QStandardItemModel;

namespace capsule::ui {

class ModuleTree : public QTreeView {
    Q_OBJECT
public:
    enum Column { NameColumn = 0, ShapeColumn = 1, TrainableColumn = 2 };

    explicit ModuleTree(QWidget* parent = nullptr);

    /// Shows `modules` (ParameterEstimate::modules). With the same layer names as shown, only the
    /// ticks and counts change (expansion and scrolling stay); otherwise the tree is rebuilt with
    /// the first level expanded. `checkable` false (prompt-learning methods) shows no checkboxes.
    void setModules(const QVector<ModuleEstimate>& modules, bool checkable);
    QStandardItemModel* treeModel() const { return model_; }
    /// HF names of the ticked layers, model order.
    QStringList checkedModules() const;
    /// The leaf item of `moduleName` (column 0); null when not shown.
    QStandardItem* itemFor(const QString& moduleName) const;

Q_SIGNALS:
    /// The user ticked or unticked layers: `checked` are now ticked, `all` every layer's name.
    void selectionEdited(const QStringList& checked, const QStringList& all);

private:
    void rebuild(const QVector<ModuleEstimate>& modules);
    void updateLeaf(const ModuleEstimate& module);
    void onItemChanged(QStandardItem* item);
    void setDescendants(QStandardItem* item, Qt::CheckState state);
    /// Each block's tick from its layers' ticks (the model does not do it).
    void updateBlockStates();
    /// Each block's trainable count, the sum over its layers.
    void updateBlockTotals();
    void emitSelection();

    QStandardItemModel* model_ = nullptr;
    QStringList names_;                       // every linear, model order
    QHash<QString, QStandardItem*> leaves_;   // name -> column-0 item
    bool checkable_ = false;
    bool updating_ = false;   // programmatic changes: no selectionEdited
    bool emitQueued_ = false; // one selectionEdited per user click (a parent click changes many)
};

}  // namespace capsule::ui
