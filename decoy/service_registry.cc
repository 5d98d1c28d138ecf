#include <cstdio>
#include <cstdlib>

#include "decoy/service.h"

namespace decnet::decoy {

ServiceRegistry& ServiceRegistry::instance() {
  static ServiceRegistry registry;  // function-local: safe to use from static initializers
  return registry;
}

void ServiceRegistry::add(std::unique_ptr<ServiceFactory> factory) {
  std::string name(factory->name());
  if (factories_.count(name) != 0) {
    // Two plugins claiming one slug is a build mistake; serving either silently would hide it.
    std::fprintf(stderr, "decnet: duplicate service registration: %s\n", name.c_str());
    std::abort();
  }
  factories_.emplace(std::move(name), std::move(factory));
}

Result<const ServiceFactory*> ServiceRegistry::find(std::string_view name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    return fail(Errc::kNotFound, "no emulator for service \"" + std::string(name) + "\"");
  }
  return it->second.get();
}

std::vector<std::string_view> ServiceRegistry::names() const {
  std::vector<std::string_view> out;
  out.reserve(factories_.size());
  for (const auto& [name, factory] : factories_) out.push_back(name);  // std::map: sorted
  return out;
}

}  // namespace decnet::decoy
