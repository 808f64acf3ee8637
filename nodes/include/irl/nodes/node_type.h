// What a node type declares: its typed input and output ports, its parameter schema and the
// traits the window reads (does it train interactively, which file does it write). Port types are
// open: each pack declares the kinds of values its ports carry; links join equal types only.
#pragma once

#include "irl/nodes/parameter_schema.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

#include <optional>

namespace irl::nodes {

// A kind of value that flows along links, declared by the pack whose nodes make it.
struct PortTypeInfo {
    QString id;           // stable: "denoiser", "action.churn"
    QString label;        // what messages and tooltips call it: "Churn action"
    QString colour;       // "#rrggbb", the port's colour on the canvas
    QString description;
};

struct PortSpec {
    QString name;
    QString type;  // a PortTypeInfo::id
    QString tooltip{};
    bool optional = false;  // an input that may stay unconnected
};

// A file a node writes when it finishes (a trained policy, a fine-tuned model) and the node type
// that loads it, so that the window can offer "use the result" for any pack's trainer.
struct OutputFile {
    QString parameter;     // the parameter that names the file, relative to the run's output folder
    QString default_name;  // used when that parameter is empty; "{node}" is replaced by the node id
    QString loader_type;   // the node type that loads such a file
    QString loader_parameter;        // its parameter that takes the path
    QVariantMap loader_parameters;   // further parameters the loader needs for this file
    QString label;                   // "policy": what the window calls the result
    // Where the result is used, so that "use the result" gives something that runs: a node of
    // `user_type` beside the loader, its input `user_port` fed by the loader's first output, its
    // inputs named in `shared_inputs` linked as the trainer's inputs of those names are, and the
    // trainer's parameters named in `shared_parameters` copied. Empty: the loader alone.
    QString user_type;
    QString user_port;
    QStringList shared_inputs;
    QStringList shared_parameters;
    // A trainer setting the user node says in its own words: when the trainer's `parameter` is
    // `value`, the user node's `user_parameter` is set to `user_value` (an IRL Trainer trained with
    // labels "unconditional" gives a Sampler of class -2).
    struct ImpliedParameter {
        QString parameter;
        QVariant value;
        QString user_parameter;
        QVariant user_value;
    };
    QVector<ImpliedParameter> implied_parameters;
};

struct NodeTraits {
    // Sends TrainingReports and honours TrainingControl (pause, stop, checkpoint): the window's
    // Training tab starts and follows it.
    bool interactive_training = false;
    std::optional<OutputFile> output_file;
};

struct NodeTypeInfo {
    QString id;            // stable, reverse-DNS-like: "irl.sampler"
    QString display_name;  // "Sampler"
    QString category;      // palette group: "Sampling", "Models", "Data", "Learning", "Output"
    QString description;
    QVector<PortSpec> inputs;
    QVector<PortSpec> outputs;
    QVector<ParameterSchema> parameters;
    bool is_output = false;  // an output node: running the graph computes what feeds it
    NodeTraits traits{};
    // Parameters renamed since older graph files were written: old name -> new name. Reading such
    // a file moves the value and reports the migration.
    QHash<QString, QString> renamed_parameters{};

    const PortSpec* input(const QString& name) const;
    const PortSpec* output(const QString& name) const;
    const ParameterSchema* parameter(const QString& name) const;
    QVariantMap default_parameters() const;
};

}  // namespace irl::nodes
