// A few node types for the graph tests, declared here so that the graph layer is tested
// without any node pack.
#pragma once

#include "irl/nodes/node_registry.h"

inline irl::nodes::NodeRegistry test_registry() {
    using namespace irl::nodes;
    NodeRegistry r;
    NodeTypeInfo denoiser{"irl.denoiser", "Denoiser", "Models", "", {}, {{"denoiser", "denoiser"}},
                          {ParameterSchema::choice("source", "Source", {"bundled", "torchscript", "toy"}, "bundled"),
                           ParameterSchema::file("file", "File", "TorchScript (*.pt)")}};
    NodeTypeInfo schedule{"irl.schedule", "Schedule", "Sampling", "", {}, {{"schedule", "schedule"}},
                          {ParameterSchema::integer("steps", "Steps", 18, 1, 1000),
                           ParameterSchema::number("sigma_max", "σ max", 80.0, 0.01, 1000.0)}};
    NodeTypeInfo sampler{"irl.sampler", "Sampler", "Sampling", "",
                         {{"denoiser", "denoiser"}, {"schedule", "schedule"}, {"policy", "policy", {}, true}},
                         {{"images", "images"}},
                         {ParameterSchema::integer("seed", "Seed", 0, 0, 1000000000), ParameterSchema::boolean("preview", "Preview", true)}};
    NodeTypeInfo save{"irl.save_image", "Save Image", "Output", "", {{"images", "images"}}, {},
                      {ParameterSchema::text("path", "Path", "out.png")}, true};
    NodeTypeInfo pass{"irl.pass", "Pass Images", "Output", "", {{"images", "images"}}, {{"images", "images"}}, {}};
    // Two action kinds with their own port types: a Guidance node may not feed a churn input.
    NodeTypeInfo guidance{"irl.guidance", "Guidance", "Actions", "", {}, {{"action", "action.guidance"}}, {}};
    NodeTypeInfo churn{"irl.churn", "Churn", "Actions", "", {}, {{"action", "action.churn"}}, {}};
    sampler.inputs.push_back({"guidance", "action.guidance", {}, true});
    sampler.inputs.push_back({"churn", "action.churn", {}, true});
    for (const auto& t : {denoiser, schedule, sampler, save, pass, guidance, churn}) r.add(t, "test");
    for (const PortTypeInfo& p : {PortTypeInfo{"denoiser", "Denoiser", "#b388ff", {}}, PortTypeInfo{"schedule", "Schedule", "#4fc3f7", {}},
                                  PortTypeInfo{"policy", "Policy", "#f06292", {}}, PortTypeInfo{"images", "Images", "#7cd37f", {}},
                                  PortTypeInfo{"action.guidance", "Guidance action", "#ffa726", {}},
                                  PortTypeInfo{"action.churn", "Churn action", "#ff7043", {}}})
        r.add_port_type(p, "test");
    return r;
}
