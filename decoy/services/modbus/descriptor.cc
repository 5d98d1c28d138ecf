// The modbus service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_modbus() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "modbus",
      .summary = "Modbus/TCP PLC (Conpot role)",
      .transports = {"tcp"},
      .ports = {502},
      .emulated = false,
      .persona =
          {
              {.name = "persona",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "device the registers describe"},
          },
      .events =
          {
              {"request",
               "one Modbus request",
               {{"unit", "unit id"},
                {"function", "function code"},
                {"address", "start address"},
                {"count", "quantity"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
