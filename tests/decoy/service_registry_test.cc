// The registry of emulators and the descriptors agree: a service is marked emulated exactly when
// the decoy has an emulator for it, so admission's warnings and docs/services.md tell the truth.
#include <gtest/gtest.h>

#include "api/catalog/service_descriptor.h"
#include "decoy/service.h"

namespace decnet::decoy {
namespace {

TEST(ServiceRegistryTest, EmulatedInTheDescriptorMeansRegisteredInTheDecoy) {
  for (const auto* descriptor : api::catalog::serviceDescriptors()) {
    const bool registered = ServiceRegistry::instance().find(descriptor->slug).has_value();
    EXPECT_EQ(registered, descriptor->emulated)
        << descriptor->slug << ": set .emulated = " << (registered ? "true" : "false")
        << " in decoy/services/" << descriptor->slug << "/descriptor.cc";
  }
  for (auto name : ServiceRegistry::instance().names()) {
    bool described = false;
    for (const auto* descriptor : api::catalog::serviceDescriptors()) {
      described |= descriptor->slug == name;
    }
    EXPECT_TRUE(described) << name << " has an emulator but no descriptor";
  }
}

}  // namespace
}  // namespace decnet::decoy
