// The tree is built once from the registry; filtering only hides rows. The search matches the
// display name, the type id and the category, case-insensitively; arrow keys in the search field
// move through the visible types so the mouse is never needed.
#include "node_palette.h"

#include "editor_style.h"

#include <QGuiApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QScreen>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace irl::studio {

namespace {
constexpr int kTypeRole = Qt::UserRole + 1;
}

NodePalette::NodePalette(const irl::nodes::NodeRegistry& registry, QWidget* parent)
    : QWidget(parent, Qt::Popup), registry_(registry), search_(new QLineEdit(this)), tree_(new QTreeWidget(this)) {
    setObjectName("NodePalette");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);
    search_->setPlaceholderText(tr("Search nodes…"));
    search_->setClearButtonEnabled(true);
    tree_->setHeaderHidden(true);
    tree_->setRootIsDecorated(false);
    tree_->setIndentation(12);
    tree_->setUniformRowHeights(true);
    tree_->setFocusPolicy(Qt::NoFocus);  // typing always goes to the search field
    layout->addWidget(search_);
    layout->addWidget(tree_);
    resize(280, 360);

    search_->installEventFilter(this);
    connect(search_, &QLineEdit::textChanged, this, &NodePalette::apply_filter);
    // Return in the search field reaches keyPressEvent: QLineEdit leaves it to its parent.
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) { choose(item); });
    populate();
}

void NodePalette::populate() {
    tree_->clear();
    QMap<QString, QList<const irl::nodes::NodeTypeInfo*>> members;  // sorted by category
    for (const QString& id : registry_.ids())
        if (const auto* info = registry_.find(id)) members[info->category.isEmpty() ? tr("Other") : info->category] << info;
    for (auto it = members.begin(); it != members.end(); ++it) {
        auto* group = new QTreeWidgetItem(tree_, {it.key()});
        group->setFlags(Qt::ItemIsEnabled);
        QFont font = group->font(0);
        font.setBold(true);
        group->setFont(0, font);
        group->setForeground(0, editor_style::category_color(it.key()).lighter(130));
        auto& infos = it.value();
        std::sort(infos.begin(), infos.end(), [](const auto* a, const auto* b) {
            return a->display_name.localeAwareCompare(b->display_name) < 0;
        });
        for (const auto* info : infos) {
            auto* item = new QTreeWidgetItem(group, {info->display_name});
            item->setData(0, kTypeRole, info->id);
            QString tip = "<b>" + info->display_name.toHtmlEscaped() + "</b> <i>" + info->id.toHtmlEscaped() + "</i>";
            if (!info->description.isEmpty()) tip += "<br>" + info->description.toHtmlEscaped();
            item->setToolTip(0, tip);
        }
    }
    tree_->expandAll();
    apply_filter();
}

void NodePalette::set_filter_port(std::optional<QString> type, bool needs_input) {
    port_type_ = type;
    needs_input_ = needs_input;
    apply_filter();
}

void NodePalette::set_search(const QString& text) {
    if (search_->text() == text) apply_filter();
    else search_->setText(text);  // textChanged applies the filter
}

void NodePalette::apply_filter() {
    const QString needle = search_->text().trimmed();
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        bool any = false;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const auto* info = registry_.find(item->data(0, kTypeRole).toString());
            bool shown = info != nullptr;
            if (shown && !needle.isEmpty())
                shown = info->display_name.contains(needle, Qt::CaseInsensitive) || info->id.contains(needle, Qt::CaseInsensitive) ||
                        info->category.contains(needle, Qt::CaseInsensitive);
            if (shown && port_type_) {
                const auto& ports = needs_input_ ? info->inputs : info->outputs;
                shown = std::any_of(ports.begin(), ports.end(), [&](const auto& p) { return p.type == *port_type_; });
            }
            item->setHidden(!shown);
            any = any || shown;
        }
        group->setHidden(!any);
    }
    // Keep a visible type current so that Enter always has something to choose.
    const auto leaves = visible_leaves();
    if (!leaves.contains(tree_->currentItem())) tree_->setCurrentItem(leaves.isEmpty() ? nullptr : leaves.first());
}

QList<QTreeWidgetItem*> NodePalette::visible_leaves() const {
    QList<QTreeWidgetItem*> leaves;
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        if (group->isHidden()) continue;
        for (int i = 0; i < group->childCount(); ++i)
            if (!group->child(i)->isHidden()) leaves << group->child(i);
    }
    return leaves;
}

QStringList NodePalette::visible_types() const {
    QStringList ids;
    for (QTreeWidgetItem* item : visible_leaves()) ids << item->data(0, kTypeRole).toString();
    return ids;
}

QString NodePalette::current_type() const {
    QTreeWidgetItem* item = tree_->currentItem();
    return item && !item->isHidden() ? item->data(0, kTypeRole).toString() : QString();
}

void NodePalette::choose(QTreeWidgetItem* item) {
    if (!item || item->isHidden()) return;
    const QString type = item->data(0, kTypeRole).toString();
    if (type.isEmpty()) return;  // a category row
    hide();
    Q_EMIT type_chosen(type);
}

void NodePalette::move_current(int step) {
    const auto leaves = visible_leaves();
    if (leaves.isEmpty()) return;
    const int at = int(leaves.indexOf(tree_->currentItem()));
    const int next = std::clamp(at < 0 ? 0 : at + step, 0, int(leaves.size()) - 1);
    tree_->setCurrentItem(leaves[next]);
    tree_->scrollToItem(leaves[next]);
}

void NodePalette::popup_at(const QPoint& global_position) {
    search_->clear();
    apply_filter();
    QPoint at = global_position;
    // Stay on the screen the point is on.
    if (const QScreen* screen = QGuiApplication::screenAt(global_position)) {
        const QRect area = screen->availableGeometry();
        at.setX(std::clamp(at.x(), area.left(), std::max(area.left(), area.right() - width())));
        at.setY(std::clamp(at.y(), area.top(), std::max(area.top(), area.bottom() - height())));
    }
    move(at);
    show();
    raise();
    search_->setFocus(Qt::PopupFocusReason);
}

bool NodePalette::eventFilter(QObject* watched, QEvent* event) {
    if (watched == search_ && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Up) {
            move_current(key->key() == Qt::Key_Down ? 1 : -1);
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            hide();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void NodePalette::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter: choose(tree_->currentItem()); break;
    case Qt::Key_Down: move_current(1); break;
    case Qt::Key_Up: move_current(-1); break;
    case Qt::Key_Escape: hide(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

}  // namespace irl::studio
