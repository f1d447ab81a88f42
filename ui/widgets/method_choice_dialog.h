#pragma once
// "Compare methods": asks which PEFT methods to train one after another on the current model and
// dataset. The list shows the methods' display names with a check box each.
#include <QDialog>
#include <QPair>
#include <QStringList>
#include <QVector>

class QDialogButtonBox;
class QListWidget;

namespace capsule::ui {

class MethodChoiceDialog : public QDialog {
    Q_OBJECT
public:
    /// `methods`: (CLI name, display name) pairs in list order; `checked`: the names ticked first.
    MethodChoiceDialog(const QVector<QPair<QString, QString>>& methods, const QStringList& checked,
                       QWidget* parent = nullptr);

    /// The ticked methods' CLI names, in list order.
    QStringList chosenMethods() const;
    void setChosenMethods(const QStringList& methods);
    QListWidget* list() const { return list_; }

private:
    void updateOkButton();
    QListWidget* list_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace capsule::ui
