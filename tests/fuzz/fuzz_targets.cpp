#include "fuzz_targets.h"

#include "irl/engine/io/archive_header.h"
#include "irl/engine/io/png_text.h"
#include "irl/engine/models/torchscript_sidecar.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/node_registry.h"

#include <QByteArray>

#include <stdexcept>
#include <string_view>

namespace irl::fuzz {
namespace {

using namespace irl::nodes;

// Node types with the shapes of the built-in ones (every parameter kind, ranges, choices,
// optional inputs, a renamed parameter), declared here because the built-in pack is a plugin
// that needs LibTorch.
const NodeRegistry& registry() {
    static const NodeRegistry r = [] {
        NodeRegistry reg;
        reg.add_port_type({"denoiser", "Denoiser", "#9b6cff", {}});
        reg.add_port_type({"schedule", "Schedule", "#4cc3ff", {}});
        reg.add_port_type({"images", "Images", "#7bd66f", {}});
        reg.add_port_type({"action.churn", "Churn action", "#ff7a59", {}});
        NodeTypeInfo denoiser{"irl.denoiser", "Denoiser", "Models", {}, {}, {{"denoiser", "denoiser"}},
                              {ParameterSchema::choice("source", "Source", {"bundled", "torchscript", "toy"}, "bundled"),
                               ParameterSchema::file("path", "File", "TorchScript (*.pt)").shown_if("source", {"torchscript"}),
                               ParameterSchema::choice("toy", "Toy", {"ring8", "grid25"}, "ring8").shown_if("source", {"toy"})}};
        NodeTypeInfo schedule{"irl.schedule", "Schedule", "Sampling", {}, {}, {{"schedule", "schedule"}},
                              {ParameterSchema::choice("kind", "Kind", {"karras", "linear", "cosine"}, "karras"),
                               ParameterSchema::integer("steps", "Steps", 18, 1, 1000), ParameterSchema::number("sigma_min", "Min", 0.002, 1e-5, 10),
                               ParameterSchema::number("sigma_max", "Max", 80, 0.01, 1000), ParameterSchema::number("rho", "Rho", 7, 0.5, 20)}};
        NodeTypeInfo sampler{"irl.sampler", "Sampler", "Sampling",
                             {},
                             {{"denoiser", "denoiser"}, {"schedule", "schedule"}, {"churn", "action.churn", {}, true}},
                             {{"images", "images"}},
                             {ParameterSchema::choice("solver", "Solver", {"euler", "heun"}, "heun"), ParameterSchema::integer("count", "Count", 16, 1, 4096),
                              ParameterSchema::integer("seed", "Seed", 0, 0, 0), ParameterSchema::boolean("record", "Record", false),
                              ParameterSchema::text("note", "Note", "")}};
        sampler.renamed_parameters.insert("n", "count");
        NodeTypeInfo churn{"irl.churn", "Churn", "Sampling", {}, {}, {{"action", "action.churn"}},
                           {ParameterSchema::number("value", "Value", 0, 0, 1)}};
        NodeTypeInfo save{"irl.save_image", "Save Image", "Output", {}, {{"images", "images"}}, {}, {ParameterSchema::text("path", "Path", "out.png")}, true};
        for (const NodeTypeInfo& t : {denoiser, schedule, sampler, churn, save}) reg.add(t, "fuzz");
        return reg;
    }();
    return r;
}

void graph_json(const uint8_t* data, size_t size) {
    const GraphLoadResult r = read_graph(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)), registry(), "fuzz.json");
    (void)r.summary();
    // What loads must write back and load again to the same graph.
    if (r.graph) {
        const QByteArray written = write_graph(*r.graph);
        const GraphLoadResult again = read_graph(written, registry(), "rewritten.json");
        if (!again.graph || write_graph(*again.graph) != written) throw std::logic_error("a graph that loads does not survive a save");
    }
}

void png_graph(const uint8_t* data, size_t size) {
    const std::string png(reinterpret_cast<const char*>(data), size);
    if (const auto text = irl::read_png_text(png, kGraphPngKeyword)) {
        (void)read_graph(QByteArray::fromStdString(*text), registry(), "fuzz.png").summary();
    }
    // Adding a chunk to what reads as a PNG must give a PNG that returns the chunk.
    try {
        const std::string tagged = irl::add_png_text(png, "fuzz-key", "fuzz text");
        const auto back = irl::read_png_text(tagged, "fuzz-key");
        if (!back || *back != "fuzz text") throw std::logic_error("a text chunk that was added cannot be read back");
    } catch (const std::invalid_argument&) {
        // not a PNG: refused with a sentence
    }
}

void archive(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const ArchiveBytes r = check_archive_bytes(bytes, "irlstudio-policy", 3, "policy file");
    if (r.problem.empty() && r.payload_offset > size) throw std::logic_error("the payload starts past the end");
}

void sidecar(const uint8_t* data, size_t size) {
    try {
        const TorchScriptSidecar s = parse_torchscript_sidecar(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
        int64_t values = 1;
        for (int64_t d : s.input_shape) values *= d;
        if (values < 1 || values > kLargestSample) throw std::logic_error("a sidecar with an impossible shape was accepted");
    } catch (const std::runtime_error&) {
        // refused with a sentence naming the file
    }
}

}  // namespace

const std::vector<NamedTarget>& targets() {
    static const std::vector<NamedTarget> all = {
        {"graph-json", graph_json, "graph files (read_graph, then write and read again)"},
        {"png-graph", png_graph, "PNG text chunks that carry a graph (read_png_text, add_png_text)"},
        {"archive", archive, "the header, checksum and ZIP checks of weights, policies and checkpoints"},
        {"sidecar", sidecar, "TorchScript sidecars (parse_torchscript_sidecar)"},
    };
    return all;
}

const NamedTarget* find_target(const std::string& name) {
    for (const NamedTarget& t : targets())
        if (name == t.name) return &t;
    return nullptr;
}

}  // namespace irl::fuzz
