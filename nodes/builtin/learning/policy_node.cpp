#include "policy_node.h"

#include "node_support.h"

namespace irl::nodes::builtin {

NodeTypeInfo PolicyNode::declaration() {
    return {"irl.policy", "Policy", "Learning", "A sampling policy from a file (trained by an IRL Trainer or train-policy)", {},
            {{"policy", ports::policy}},
            {ParameterSchema::file("file", "Policy file", "Policies (*.pt)"),
             ParameterSchema::number("temperature", "Temperature", 0.0, 0.0, 10.0, "0: always the most likely action")}};
}

Values PolicyNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
    const QString file = p.value("file").toString();
    if (file.isEmpty()) throw std::runtime_error("choose a policy file");
    const LoadedPolicy loaded = load_policy(file.toStdString());
    return {{"policy", PolicyValue{loaded.policy, loaded.setup, p.value("temperature").toDouble()}}};
}

}  // namespace irl::nodes::builtin
