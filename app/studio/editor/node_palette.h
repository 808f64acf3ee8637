// The "add node" popup: a search field over the registry's node types grouped by category,
// optionally narrowed to types that can take (or give) a link of one port type. Enter or a
// double-click chooses the highlighted type.
#pragma once

#include "irl/nodes/node_registry.h"

#include <QWidget>

#include <optional>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace irl::studio {

class NodePalette : public QWidget {
    Q_OBJECT
public:
    explicit NodePalette(const irl::nodes::NodeRegistry& registry, QWidget* parent = nullptr);

    // Only types with an input (`needs_input`) or an output of `type`; no filter when empty.
    void set_filter_port(std::optional<QString> type, bool needs_input);
    void set_search(const QString& text);
    QStringList visible_types() const;  // in display order
    QString current_type() const;       // what Enter would choose
    void popup_at(const QPoint& global_position);

    // For tests and keyboard handling.
    QLineEdit* search_field() const { return search_; }
    QTreeWidget* tree() const { return tree_; }

Q_SIGNALS:
    void type_chosen(const QString& type);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void populate();
    void apply_filter();
    void choose(QTreeWidgetItem* item);
    void move_current(int step);
    QList<QTreeWidgetItem*> visible_leaves() const;

    const irl::nodes::NodeRegistry& registry_;
    QLineEdit* search_;
    QTreeWidget* tree_;
    std::optional<QString> port_type_;
    bool needs_input_ = true;
};

}  // namespace irl::studio
