// A few node types for the graph tests, declared here so that the graph layer is tested
// without any node pack.
#pragma once

#include "irl/nodes/node_registry.h"

inline irl::nodes::NodeRegistry test_registry() {
    using namespace irl::nodes;
    NodeRegistry r;
    NodeTypeInfo denoiser{"irl.denoiser", "Denoiser", "Models", "", {}, {{"denoiser", PortType::Denoiser}},
                          {ParameterSchema::choice("source", "Source", {"bundled", "torchscript", "toy"}, "bundled"),
                           ParameterSchema::file("file", "File", "TorchScript (*.pt)")}};
    NodeTypeInfo schedule{"irl.schedule", "Schedule", "Sampling", "", {}, {{"schedule", PortType::Schedule}},
                          {ParameterSchema::integer("steps", "Steps", 18, 1, 1000),
                           ParameterSchema::number("sigma_max", "σ max", 80.0, 0.01, 1000.0)}};
    NodeTypeInfo sampler{"irl.sampler", "Sampler", "Sampling", "",
                         {{"denoiser", PortType::Denoiser}, {"schedule", PortType::Schedule}, {"policy", PortType::Policy, {}, true}},
                         {{"images", PortType::Images}},
                         {ParameterSchema::integer("seed", "Seed", 0, 0, 1000000000), ParameterSchema::boolean("preview", "Preview", true)}};
    NodeTypeInfo save{"irl.save_image", "Save Image", "Output", "", {{"images", PortType::Images}}, {},
                      {ParameterSchema::text("path", "Path", "out.png")}, true};
    NodeTypeInfo pass{"irl.pass", "Pass Images", "Output", "", {{"images", PortType::Images}}, {{"images", PortType::Images}}, {}};
    for (const auto& t : {denoiser, schedule, sampler, save, pass}) r.add(t, "test");
    return r;
}
