#pragma once
// docs/services.md, generated from the service descriptors: every service with its ports,
// persona keys (type, default, allowed values) and events with their fields. A test keeps the
// committed file equal to this; `decnet catalog services -o markdown` prints it.
#include <string>

namespace decnet::api::catalog {

// The whole page. Pure; deterministic.
std::string servicesMarkdown();

}  // namespace decnet::api::catalog
