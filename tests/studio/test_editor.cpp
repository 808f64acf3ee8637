// The studio's node editor driven through its real widgets (offscreen): the palette adds nodes,
// mouse drags between ports connect or refuse links, and every edit is one undo step.
#include "graph_document.h"
#include "inspector.h"
#include "link_item.h"
#include "node_item.h"
#include "node_palette.h"
#include "node_scene.h"
#include "node_view.h"
#include "port_item.h"

#include "../nodes/test_types.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"

#include <QAbstractButton>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace irl::studio;
using irl::nodes::Link;
using irl::nodes::PortRef;

namespace {

// Registry, document, scene and a shown view, in the order they depend on each other.
struct Editor {
    irl::nodes::NodeRegistry registry = test_registry();
    GraphDocument document{registry};
    NodeScene scene{&document};
    NodeView view{&scene};

    Editor() {
        view.resize(1200, 800);
        view.show();
        view.set_zoom_and_center(1.0, QPointF(400, 200));
    }
    const irl::nodes::Graph& graph() const { return document.graph(); }
    int steps() { return document.undo_stack()->count(); }

    QPoint at(const QPointF& scene_position) const { return view.mapFromScene(scene_position); }
    QPointF port(const QString& node, const QString& name, bool output) const {
        return scene.port_scene_position(PortRef{node, name}, output);
    }
    void press(const QPointF& from) { QTest::mousePress(view.viewport(), Qt::LeftButton, {}, at(from)); }
    void move(const QPointF& to) { QTest::mouseMove(view.viewport(), at(to)); }
    void release(const QPointF& to) { QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, at(to)); }
    void drag(const QPointF& from, const QPointF& to) {
        press(from);
        move((from + to) / 2);
        move(to);
        release(to);
    }
    PortItem* port_item(const QString& node, const QString& name, bool output) const {
        auto* item = static_cast<NodeItem*>(scene.node_item(node));
        return item ? item->port(name, output) : nullptr;
    }
};

bool has_link(const irl::nodes::Graph& graph, const QString& from, const QString& output, const QString& to, const QString& input) {
    return graph.links().contains(Link{{from, output}, {to, input}});
}

}  // namespace

class TestEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void palette_enter_adds_the_searched_type();
    void palette_double_click_adds_a_node();
    void palette_filters_by_port_type();
    void dragging_between_compatible_ports_connects();
    void a_wrong_link_is_refused_with_a_message();
    void a_new_link_into_a_linked_input_replaces_it();
    void picking_up_a_linked_input_detaches_the_link();
    void dropping_on_empty_canvas_requests_the_palette();
    void undo_redo_of_add_connect_and_parameter_edit();
    void deleting_two_nodes_is_one_undo_step();
    void moving_nodes_is_one_undo_step();
    void copy_paste_keeps_the_internal_link_under_new_ids();
    void duplicate_offsets_the_copy();
    void refused_parameter_changes_nothing();
    void reset_rebuilds_and_clears_history();
    void statuses_show_on_nodes();
};

void TestEditor::palette_enter_adds_the_searched_type() {
    Editor e;
    NodePalette palette(e.registry);
    connect(&palette, &NodePalette::type_chosen, &e.scene, [&](const QString& type) { e.scene.add_node_at(type, QPointF(10, 20)); });
    QSignalSpy chosen(&palette, &NodePalette::type_chosen);

    palette.set_search("sched");
    QCOMPARE(palette.visible_types(), QStringList{"irl.schedule"});
    QTest::keyClick(palette.search_field(), Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), QString("irl.schedule"));
    QCOMPARE(e.graph().nodes().size(), 1);
    QCOMPARE(e.graph().nodes().first().type, QString("irl.schedule"));
    QCOMPARE(e.graph().view().positions.value("schedule-1"), QPointF(10, 20));
    QVERIFY(e.scene.node_item("schedule-1"));
    QCOMPARE(e.scene.selected_node_ids(), QStringList{"schedule-1"});

    // The search also matches categories and ids, case-insensitively.
    palette.set_search("OUTPUT");
    QCOMPARE(palette.visible_types(), (QStringList{"irl.pass", "irl.save_image"}));
    palette.set_search("nothing like this");
    QVERIFY(palette.visible_types().isEmpty());
    QTest::keyClick(palette.search_field(), Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
}

void TestEditor::palette_double_click_adds_a_node() {
    Editor e;
    NodePalette palette(e.registry, &e.view);
    connect(&palette, &NodePalette::type_chosen, &e.scene, [&](const QString& type) { e.scene.add_node_at(type, QPointF(0, 0)); });
    palette.popup_at(e.view.mapToGlobal(QPoint(50, 50)));
    QVERIFY(palette.isVisible());
    palette.set_search("sampler");
    QTreeWidgetItem* item = palette.tree()->currentItem();
    QVERIFY(item);
    const QPoint middle = palette.tree()->visualItemRect(item).center();
    QTest::mouseClick(palette.tree()->viewport(), Qt::LeftButton, {}, middle);
    QCOMPARE(e.graph().nodes().size(), 0);  // a single click only highlights
    QTest::mousePress(palette.tree()->viewport(), Qt::LeftButton, {}, middle);
    QTest::mouseDClick(palette.tree()->viewport(), Qt::LeftButton, {}, middle);
    QTest::mouseRelease(palette.tree()->viewport(), Qt::LeftButton, {}, middle);
    QCOMPARE(e.graph().nodes().size(), 1);
    QCOMPARE(e.graph().nodes().first().type, QString("irl.sampler"));
    QVERIFY(!palette.isVisible());
}

void TestEditor::palette_filters_by_port_type() {
    const auto registry = test_registry();
    NodePalette palette(registry);
    QCOMPARE(palette.visible_types().size(), 7);
    palette.set_filter_port(QString("images"), true);
    QCOMPARE(palette.visible_types(), (QStringList{"irl.pass", "irl.save_image"}));
    palette.set_filter_port(QString("images"), false);
    QCOMPARE(palette.visible_types(), (QStringList{"irl.pass", "irl.sampler"}));
    palette.set_filter_port(QString("denoiser"), true);
    QCOMPARE(palette.visible_types(), QStringList{"irl.sampler"});
    palette.set_filter_port(QString("metrics"), true);
    QVERIFY(palette.visible_types().isEmpty());
    palette.set_filter_port(QString("images"), true);
    palette.set_search("save");
    QCOMPARE(palette.visible_types(), QStringList{"irl.save_image"});
    QCOMPARE(palette.current_type(), QString("irl.save_image"));
    palette.set_filter_port(std::nullopt, true);
    palette.set_search("");
    QCOMPARE(palette.visible_types().size(), 7);
}

void TestEditor::dragging_between_compatible_ports_connects() {
    Editor e;
    const QString denoiser = e.document.add_node("irl.denoiser", QPointF(0, 0));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    const QString schedule = e.document.add_node("irl.schedule", QPointF(0, 200));
    const int before = e.steps();

    // While dragging, ports that would accept the link are highlighted and the others dimmed.
    const QPointF from = e.port(denoiser, "denoiser", true);
    const QPointF to = e.port(sampler, "denoiser", false);
    e.press(from);
    e.move(to - QPointF(60, 30));
    QCOMPARE(e.port_item(sampler, "denoiser", false)->opacity(), 1.0);
    QVERIFY(e.port_item(sampler, "schedule", false)->opacity() < 0.5);
    QVERIFY(e.port_item(schedule, "schedule", true)->opacity() < 0.5);
    e.move(to);
    e.release(to);

    QVERIFY(has_link(e.graph(), denoiser, "denoiser", sampler, "denoiser"));
    QCOMPARE(e.graph().links().size(), 1);
    QCOMPARE(e.steps(), before + 1);
    QCOMPARE(e.port_item(sampler, "schedule", false)->opacity(), 1.0);  // highlights cleared

    // Dragging the other way, from an input to an output, works too.
    e.drag(e.port(sampler, "schedule", false), e.port(schedule, "schedule", true));
    QVERIFY(has_link(e.graph(), schedule, "schedule", sampler, "schedule"));
    QCOMPARE(e.steps(), before + 2);
}

void TestEditor::a_wrong_link_is_refused_with_a_message() {
    Editor e;
    const QString schedule = e.document.add_node("irl.schedule", QPointF(0, 0));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    const int before = e.steps();
    QSignalSpy messages(&e.scene, &NodeScene::message);

    e.drag(e.port(schedule, "schedule", true), e.port(sampler, "denoiser", false));
    QVERIFY(e.graph().links().isEmpty());
    QCOMPARE(e.steps(), before);
    QCOMPARE(messages.count(), 1);
    const QString text = messages.at(0).at(0).toString();
    QVERIFY2(text.contains("takes a Denoiser") && text.contains("gives a Schedule"), qPrintable(text));

    // Output to output is refused as well.
    const QString other = e.document.add_node("irl.schedule", QPointF(0, 300));
    e.drag(e.port(schedule, "schedule", true), e.port(other, "schedule", true));
    QVERIFY(e.graph().links().isEmpty());
    QCOMPARE(messages.count(), 2);

    // The document refuses the same link with Graph's reason.
    QString error;
    QVERIFY(!e.document.connect_ports(Link{{schedule, "schedule"}, {sampler, "denoiser"}}, &error));
    QVERIFY2(error.contains("takes a Denoiser") && error.contains("gives a Schedule"), qPrintable(error));
}

void TestEditor::a_new_link_into_a_linked_input_replaces_it() {
    Editor e;
    const QString first = e.document.add_node("irl.denoiser", QPointF(0, 0));
    const QString second = e.document.add_node("irl.denoiser", QPointF(0, 200));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    QVERIFY(e.document.connect_ports(Link{{first, "denoiser"}, {sampler, "denoiser"}}));
    const int before = e.steps();

    e.drag(e.port(second, "denoiser", true), e.port(sampler, "denoiser", false));
    QCOMPARE(e.graph().links().size(), 1);
    QVERIFY(has_link(e.graph(), second, "denoiser", sampler, "denoiser"));
    QCOMPARE(e.steps(), before + 1);
    e.document.undo_stack()->undo();
    QVERIFY(has_link(e.graph(), first, "denoiser", sampler, "denoiser"));
    QCOMPARE(e.graph().links().size(), 1);
}

void TestEditor::picking_up_a_linked_input_detaches_the_link() {
    Editor e;
    const QString denoiser = e.document.add_node("irl.denoiser", QPointF(0, 0));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    const QString other = e.document.add_node("irl.sampler", QPointF(400, 250));
    QVERIFY(e.document.connect_ports(Link{{denoiser, "denoiser"}, {sampler, "denoiser"}}));
    const int before = e.steps();
    QSignalSpy palette(&e.scene, &NodeScene::palette_requested);

    // Carried to another sampler's input: the link moves, in one step.
    e.drag(e.port(sampler, "denoiser", false), e.port(other, "denoiser", false));
    QCOMPARE(e.graph().links().size(), 1);
    QVERIFY(has_link(e.graph(), denoiser, "denoiser", other, "denoiser"));
    QCOMPARE(e.steps(), before + 1);

    // Dropped on empty canvas: the link is gone.
    e.drag(e.port(other, "denoiser", false), QPointF(200, 600));
    QVERIFY(e.graph().links().isEmpty());
    QCOMPARE(e.steps(), before + 2);
    QCOMPARE(palette.count(), 1);

    e.document.undo_stack()->undo();
    QVERIFY(has_link(e.graph(), denoiser, "denoiser", other, "denoiser"));
    e.document.undo_stack()->undo();
    QVERIFY(has_link(e.graph(), denoiser, "denoiser", sampler, "denoiser"));
    QCOMPARE(e.graph().links().size(), 1);
}

void TestEditor::dropping_on_empty_canvas_requests_the_palette() {
    Editor e;
    const QString sampler = e.document.add_node("irl.sampler", QPointF(0, 0));
    QSignalSpy palette(&e.scene, &NodeScene::palette_requested);
    const QPointF drop(450, 60);
    e.drag(e.port(sampler, "images", true), drop);

    QCOMPARE(palette.count(), 1);
    QVERIFY(e.graph().links().isEmpty());
    const auto arguments = palette.takeFirst();
    QCOMPARE(arguments.at(0).toPointF(), drop);
    const auto from = arguments.at(1).value<std::optional<PortRef>>();
    QVERIFY(from.has_value());
    QCOMPARE(*from, (PortRef{sampler, "images"}));
    QCOMPARE(arguments.at(2).toString(), QString("images"));
    QCOMPARE(arguments.at(3).toBool(), true);

    // What the main window does with the palette's choice: add and connect in one step.
    const int before = e.steps();
    const QString save = e.scene.add_node_at("irl.save_image", drop, from, true);
    QVERIFY(!save.isEmpty());
    QVERIFY(has_link(e.graph(), sampler, "images", save, "images"));
    QCOMPARE(e.steps(), before + 1);
    e.document.undo_stack()->undo();
    QCOMPARE(e.graph().nodes().size(), 1);

    // A double-click on empty canvas asks for the palette without a port.
    e.press(QPointF(700, 500));
    e.release(QPointF(700, 500));
    QTest::mouseDClick(e.view.viewport(), Qt::LeftButton, {}, e.at(QPointF(700, 500)));
    e.release(QPointF(700, 500));
    QCOMPARE(palette.count(), 1);
    QVERIFY(!palette.takeFirst().at(1).value<std::optional<PortRef>>().has_value());
}

void TestEditor::undo_redo_of_add_connect_and_parameter_edit() {
    Editor e;
    Inspector inspector(&e.document);
    QUndoStack* stack = e.document.undo_stack();
    const QString denoiser = e.scene.add_node_at("irl.denoiser", QPointF(0, 0));
    const QString sampler = e.scene.add_node_at("irl.sampler", QPointF(400, 0));
    QCOMPARE(stack->count(), 2);
    stack->undo();
    QVERIFY(!e.graph().node(sampler));
    QVERIFY(!e.scene.node_item(sampler));
    stack->redo();
    QVERIFY(e.graph().node(sampler));
    QVERIFY(e.scene.node_item(sampler));

    e.drag(e.port(denoiser, "denoiser", true), e.port(sampler, "denoiser", false));
    QCOMPARE(e.graph().links().size(), 1);
    stack->undo();
    QVERIFY(e.graph().links().isEmpty());
    stack->redo();
    QCOMPARE(e.graph().links().size(), 1);

    inspector.show_node(sampler);
    QCOMPARE(inspector.node(), sampler);
    auto* seed = qobject_cast<QSpinBox*>(inspector.editor_for("seed"));
    QVERIFY(seed);
    QCOMPARE(seed->maximum(), 1000000000);
    const int before = stack->count();
    QTest::keyClick(seed, Qt::Key_Up);
    QTest::keyClick(seed, Qt::Key_Up);
    seed->setValue(42);
    QCOMPARE(e.graph().node(sampler)->parameters.value("seed").toLongLong(), 42);
    QCOMPARE(stack->count(), before + 1);  // consecutive edits of one parameter merge
    stack->undo();
    QCOMPARE(e.graph().node(sampler)->parameters.value("seed").toLongLong(), 0);
    QCOMPARE(seed->value(), 0);
    stack->redo();
    QCOMPARE(seed->value(), 42);
    QCOMPARE(stack->count(), before + 1);  // updating the editor did not echo an edit

    // Another parameter is a step of its own.
    auto* preview = qobject_cast<QAbstractButton*>(inspector.editor_for("preview"));
    QVERIFY(preview);
    preview->click();
    QCOMPARE(e.graph().node(sampler)->parameters.value("preview").toBool(), false);
    QCOMPARE(stack->count(), before + 2);

    // The inspector follows the node's removal.
    e.document.remove_nodes({sampler});
    QVERIFY(inspector.node().isEmpty());
    QVERIFY(!inspector.editor_for("seed"));
}

void TestEditor::deleting_two_nodes_is_one_undo_step() {
    Editor e;
    const QString denoiser = e.document.add_node("irl.denoiser", QPointF(0, 0));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    const QString save = e.document.add_node("irl.save_image", QPointF(800, 0));
    QVERIFY(e.document.connect_ports(Link{{denoiser, "denoiser"}, {sampler, "denoiser"}}));
    QVERIFY(e.document.connect_ports(Link{{sampler, "images"}, {save, "images"}}));
    const QByteArray saved = irl::nodes::write_graph(e.graph());
    const int before = e.steps();

    e.scene.select_nodes({denoiser, sampler});
    e.view.setFocus();
    QTest::keyClick(&e.view, Qt::Key_Delete);
    QCOMPARE(e.graph().nodes().size(), 1);
    QVERIFY(e.graph().links().isEmpty());
    QVERIFY(!e.scene.node_item(denoiser) && !e.scene.node_item(sampler));
    QCOMPARE(e.steps(), before + 1);

    e.document.undo_stack()->undo();
    QCOMPARE(irl::nodes::write_graph(e.graph()), saved);  // exactly as it was, order included
    QVERIFY(e.scene.node_item(denoiser) && e.scene.node_item(sampler));
    const auto items = e.scene.items();
    QCOMPARE(std::count_if(items.begin(), items.end(), [](QGraphicsItem* item) { return item->type() == LinkItem::Type; }), 2);
}

void TestEditor::moving_nodes_is_one_undo_step() {
    Editor e;
    const QString a = e.document.add_node("irl.schedule", QPointF(0, 0));
    const QString b = e.document.add_node("irl.schedule", QPointF(0, 200));
    e.scene.select_nodes({a, b});
    const int before = e.steps();
    e.drag(QPointF(60, 12), QPointF(160, 62));  // grab a's title bar
    QCOMPARE(e.graph().view().positions.value(a), QPointF(100, 50));
    QCOMPARE(e.graph().view().positions.value(b), QPointF(100, 250));
    QCOMPARE(e.steps(), before + 1);
    e.document.undo_stack()->undo();
    QCOMPARE(e.scene.node_item(a)->pos(), QPointF(0, 0));
    QCOMPARE(e.scene.node_item(b)->pos(), QPointF(0, 200));
}

void TestEditor::copy_paste_keeps_the_internal_link_under_new_ids() {
    Editor e;
    const QString denoiser = e.document.add_node("irl.denoiser", QPointF(0, 0));
    const QString sampler = e.document.add_node("irl.sampler", QPointF(400, 0));
    const QString schedule = e.document.add_node("irl.schedule", QPointF(0, 200));
    QVERIFY(e.document.connect_ports(Link{{denoiser, "denoiser"}, {sampler, "denoiser"}}));
    QVERIFY(e.document.connect_ports(Link{{schedule, "schedule"}, {sampler, "schedule"}}));
    QVERIFY(e.document.set_parameter(sampler, "seed", 7));
    const int before = e.steps();

    e.scene.select_nodes({denoiser, sampler});
    e.view.setFocus();
    QTest::keyClick(&e.view, Qt::Key_C, Qt::ControlModifier);
    e.scene.paste_clipboard(QPointF(100, 500));
    QCOMPARE(e.graph().nodes().size(), 5);
    QCOMPARE(e.steps(), before + 1);
    const QStringList pasted = e.scene.selected_node_ids();
    QCOMPARE(pasted, (QStringList{"denoiser-2", "sampler-2"}));
    QVERIFY(has_link(e.graph(), "denoiser-2", "denoiser", "sampler-2", "denoiser"));
    QCOMPARE(e.graph().links().size(), 3);  // the link from outside the copy is not taken along
    QCOMPARE(e.graph().node("sampler-2")->parameters.value("seed").toLongLong(), 7);
    QCOMPARE(e.graph().view().positions.value("denoiser-2"), QPointF(100, 500));
    QCOMPARE(e.graph().view().positions.value("sampler-2"), QPointF(500, 500));

    // Ctrl+V at the mouse pastes again, under yet other ids.
    QTest::keyClick(&e.view, Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(e.graph().nodes().size(), 7);
    QVERIFY(has_link(e.graph(), "denoiser-3", "denoiser", "sampler-3", "denoiser"));
    e.document.undo_stack()->undo();
    e.document.undo_stack()->undo();
    QCOMPARE(e.graph().nodes().size(), 3);
}

void TestEditor::duplicate_offsets_the_copy() {
    Editor e;
    const QString schedule = e.document.add_node("irl.schedule", QPointF(10, 10));
    e.scene.select_nodes({schedule});
    e.view.setFocus();
    QTest::keyClick(&e.view, Qt::Key_D, Qt::ControlModifier);
    QCOMPARE(e.graph().nodes().size(), 2);
    QCOMPARE(e.graph().view().positions.value("schedule-2"), QPointF(50, 50));
    QCOMPARE(e.scene.selected_node_ids(), QStringList{"schedule-2"});
}

void TestEditor::refused_parameter_changes_nothing() {
    Editor e;
    const QString sampler = e.document.add_node("irl.sampler", QPointF(0, 0));
    const int before = e.steps();
    QString error;
    QVERIFY(!e.document.set_parameter(sampler, "seed", "ten", &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!e.document.set_parameter(sampler, "nonsense", 1, &error));
    QVERIFY(error.contains("nonsense"));
    QVERIFY(e.document.add_node("irl.nothing", QPointF(), &error).isEmpty());
    QVERIFY(error.contains("irl.nothing"));
    QCOMPARE(e.steps(), before);
    // Setting the value a parameter already has is not a step either.
    QVERIFY(e.document.set_parameter(sampler, "seed", 0));
    QCOMPARE(e.steps(), before);
}

void TestEditor::reset_rebuilds_and_clears_history() {
    Editor e;
    e.document.add_node("irl.denoiser", QPointF(0, 0));
    irl::nodes::Graph graph(&e.registry);
    const QString a = graph.add_node("irl.schedule");
    const QString b = graph.add_node("irl.sampler");
    QVERIFY(graph.connect(Link{{a, "schedule"}, {b, "schedule"}}));
    irl::nodes::Node unknown{"mystery-1", "thirdparty.mystery", {{"x", 1}}, true};
    graph.insert_node(unknown);
    QSignalSpy resets(&e.document, &GraphDocument::reset_done);
    e.document.reset(graph);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(e.steps(), 0);
    QVERIFY(e.document.undo_stack()->isClean());
    QVERIFY(!e.scene.node_item("denoiser-1"));
    QVERIFY(e.scene.node_item(a) && e.scene.node_item(b) && e.scene.node_item("mystery-1"));
    // Nodes without a saved position are laid out in dependency columns.
    QVERIFY(e.scene.node_item(b)->pos().x() > e.scene.node_item(a)->pos().x());
    e.view.fit_all();
    QVERIFY(e.view.zoom() > 0.0 && e.view.zoom() <= 1.5);
    e.view.zoom_by(100.0);
    QCOMPARE(e.view.zoom(), NodeView::kMaximumZoom);
}

void TestEditor::statuses_show_on_nodes() {
    Editor e;
    const QString sampler = e.document.add_node("irl.sampler", QPointF(0, 0));
    auto* item = static_cast<NodeItem*>(e.scene.node_item(sampler));
    e.scene.set_node_status(sampler, int(irl::nodes::NodeStatus::Failed), "the denoiser file is missing");
    QCOMPARE(item->status(), int(irl::nodes::NodeStatus::Failed));
    QVERIFY(item->toolTip().contains("the denoiser file is missing"));
    e.scene.set_node_status(sampler, int(irl::nodes::NodeStatus::Done), {});
    QVERIFY(!item->toolTip().contains("missing"));
    e.scene.clear_statuses();
    QCOMPARE(item->status(), -1);
    QVERIFY(e.port_item(sampler, "policy", false)->toolTip().contains("Policy"));
}

QTEST_MAIN(TestEditor)
#include "test_editor.moc"
