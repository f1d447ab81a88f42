#pragma once
// The dataset preview table: one row per rendered example (its file line, the rendered text with
// the trained part marked, its token counts), over DatasetInspection::preview; and the delegate
// that draws the rendered text with the trained tokens on a tinted background, so the user sees
// which tokens the loss is on. GUI thread only.
#include "controller/dataset_inspector.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

namespace capsule::ui {

class DatasetPreviewModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LineColumn, TextColumn, TokensColumn, ColumnCount };
    enum Role {
        PromptRole = Qt::UserRole + 1,  // QString: the untrained text (prompt, template)
        TargetRole,                     // QString: the trained text (response, end-of-turn marker)
        HtmlRole,                       // QString: rich text, the trained runs on a tinted background
        TruncatedRole,                  // bool
    };
    /// The tint behind trained text (light green; the text on it is always dark).
    static QColor trainedBackground();

    explicit DatasetPreviewModel(QObject* parent = nullptr);

    void setRows(const QVector<DatasetPreviewRow>& rows);
    const QVector<DatasetPreviewRow>& rows() const { return rows_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The rich text the delegate draws for `row`: long untrained runs shortened in the middle
    /// (the start and the part next to the response stay), newlines kept, trained runs tinted.
    static QString htmlFor(const DatasetPreviewRow& row);

private:
    QVector<DatasetPreviewRow> rows_;
};

/// Draws HtmlRole (word-wrapped, at most maxHeightPx tall) in the text column.
class RenderedTextDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    static constexpr int maxHeightPx = 180;
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace capsule::ui
