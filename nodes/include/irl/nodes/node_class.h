// One place per node type: a pack lists its node classes once, and both its declarations
// (node_types) and its evaluators (create) come from that list. A node class has a static
// declaration() and an evaluate(); a class used for several types (the actions) takes an argument.
#pragma once

#include "irl/nodes/node_pack.h"

#include <functional>
#include <memory>

namespace irl::nodes {

struct NodeClass {
    NodeTypeInfo info;
    std::function<std::unique_ptr<NodeEvaluator>()> make;

    template <typename T, typename... Args>
    static NodeClass of(Args... args) {
        return {T::declaration(args...), [=] { return std::make_unique<T>(args...); }};
    }
};

class NodeClassList {
public:
    NodeClassList(std::initializer_list<NodeClass> classes) : classes_(classes) {}

    QVector<NodeTypeInfo> node_types() const {
        QVector<NodeTypeInfo> types;
        for (const NodeClass& c : classes_) types.push_back(c.info);
        return types;
    }
    std::unique_ptr<NodeEvaluator> create(const QString& type) const {
        for (const NodeClass& c : classes_)
            if (c.info.id == type) return c.make();
        return nullptr;
    }

private:
    QVector<NodeClass> classes_;
};

}  // namespace irl::nodes
