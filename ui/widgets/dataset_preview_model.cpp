#include "widgets/dataset_preview_model.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QTableView>
#include <QTextDocument>

#include <algorithm>
#include <cmath>

namespace capsule::ui {
namespace {

constexpr int kKeepStartChars = 160;  // of a long untrained run
constexpr int kKeepEndChars = 320;    // the part right before the response
constexpr int kKeepTrainedChars = 600;
constexpr int kTooltipChars = 4000;

QString escaped(const QString& text) {
    QString html = text.toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QLatin1String("<br>"));
    return html;
}

QString shortened(const QString& text, int keepStart, int keepEnd) {
    if (text.size() <= keepStart + keepEnd + 20) return text;
    return text.left(keepStart) + QStringLiteral(" … ") + text.right(keepEnd);
}

QTextDocument* layoutDocument(QTextDocument& document, const QStyleOptionViewItem& option, const QString& html, int width) {
    document.setDefaultFont(option.font);
    document.setDocumentMargin(3);
    document.setHtml(html);
    document.setTextWidth(width);
    return &document;
}

}  // namespace

QColor DatasetPreviewModel::trainedBackground() {
    return QColor(0xc8, 0xe6, 0xc9);
}

DatasetPreviewModel::DatasetPreviewModel(QObject* parent) : QAbstractTableModel(parent) {}

void DatasetPreviewModel::setRows(const QVector<DatasetPreviewRow>& rows) {
    beginResetModel();
    rows_ = rows;
    endResetModel();
}

int DatasetPreviewModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int DatasetPreviewModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString DatasetPreviewModel::htmlFor(const DatasetPreviewRow& row) {
    QString html = QStringLiteral("<p style=\"white-space: pre-wrap; margin: 0\">");
    for (qsizetype i = 0; i < row.segments.size(); ++i) {
        const DatasetTextSegment& segment = row.segments[i];
        if (segment.trained) {
            html += QStringLiteral("<span style=\"background-color: %1; color: #10301a\">%2</span>")
                        .arg(trainedBackground().name(), escaped(shortened(segment.text, kKeepTrainedChars / 2,
                                                                           kKeepTrainedChars / 2)));
        } else {
            // The start says what the prompt is; the end is what the response follows.
            const bool first = i == 0;
            html += escaped(first ? shortened(segment.text, kKeepStartChars, kKeepEndChars)
                                  : shortened(segment.text, kKeepStartChars / 2, kKeepEndChars / 2));
        }
    }
    if (row.truncated) html += QStringLiteral(" <span style=\"color: #c62828\">✂</span>");
    html += QStringLiteral("</p>");
    if (!row.choices.isEmpty()) {
        // Rank classification scores every choice; the rendered text above holds the gold one.
        QStringList choices;
        for (qsizetype i = 0; i < row.choices.size(); ++i)
            choices << escaped(row.choices[i].trimmed()) + (i == row.goldIndex ? QStringLiteral(" ✓") : QString());
        html += QStringLiteral("<p style=\"margin: 0; color: #808080\"><i>%1</i></p>")
                    .arg(tr("choices: %1").arg(choices.join(QStringLiteral(" · "))));
    }
    return html;
}

QVariant DatasetPreviewModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const DatasetPreviewRow& row = rows_[index.row()];
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case LineColumn:
            return row.line;
        case TextColumn:
            return row.promptText() + row.targetText();
        case TokensColumn:
            if (row.truncated)
                return tr("%1 → %2 (truncated)").arg(locale.toString(row.untruncatedTokens), locale.toString(row.tokens));
            return locale.toString(row.tokens);
        default:
            return {};
        }
    case Qt::ToolTipRole: {
        if (index.column() == TokensColumn)
            return tr("%1 tokens, %2 of them trained (the loss is on those)%3")
                .arg(locale.toString(row.tokens), locale.toString(row.trainedTokens),
                     row.truncated ? tr("; cut from %1 tokens to max length").arg(locale.toString(row.untruncatedTokens))
                                   : QString());
        QString text = tr("Prompt (not trained):\n%1\n\nTrained:\n%2")
                           .arg(row.promptText().left(kTooltipChars), row.targetText().left(kTooltipChars));
        if (!row.choices.isEmpty()) {
            text += tr("\n\nChoices:");
            for (qsizetype i = 0; i < row.choices.size(); ++i)
                text += QStringLiteral("\n%1 %2").arg(i == row.goldIndex ? QStringLiteral("✓") : QStringLiteral("·"),
                                                      row.choices[i].trimmed());
        }
        return text;
    }
    case Qt::TextAlignmentRole:
        return index.column() == TextColumn ? QVariant(Qt::AlignLeft | Qt::AlignTop)
                                            : QVariant(Qt::AlignRight | Qt::AlignTop);
    case Qt::ForegroundRole:
        if (index.column() == TokensColumn && row.truncated) return QColor(0xc6, 0x28, 0x28);
        return {};
    case PromptRole:
        return row.promptText();
    case TargetRole:
        return row.targetText();
    case HtmlRole:
        return htmlFor(row);
    case TruncatedRole:
        return row.truncated;
    default:
        return {};
    }
}

QVariant DatasetPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LineColumn:
        return tr("Line");
    case TextColumn:
        return tr("Rendered prompt (trained part highlighted)");
    case TokensColumn:
        return tr("Tokens");
    default:
        return {};
    }
}

void RenderedTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QStyle* style = background.widget ? background.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, background.widget);

    QTextDocument document;
    layoutDocument(document, option, index.data(DatasetPreviewModel::HtmlRole).toString(), option.rect.width());
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    context.palette.setColor(QPalette::Text, option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    painter->save();
    painter->translate(option.rect.topLeft());
    const QRectF clip(0, 0, option.rect.width(), option.rect.height());
    painter->setClipRect(clip);
    context.clip = clip;
    document.documentLayout()->draw(painter, context);
    painter->restore();
}

QSize RenderedTextDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QTextDocument document;
    // The view's column width where known: the height depends on how the text wraps.
    int width = option.rect.width();
    if (const auto* table = qobject_cast<const QTableView*>(option.widget)) width = table->columnWidth(index.column());
    width = std::max(200, width);
    layoutDocument(document, option, index.data(DatasetPreviewModel::HtmlRole).toString(), width);
    const int height = static_cast<int>(std::ceil(document.size().height()));
    return {width, std::min(height, maxHeightPx)};
}

}  // namespace capsule::ui
