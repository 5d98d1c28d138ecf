// SNMP v1/v2c on UDP: the decoy's datagram listener hands each packet to the agent, which answers
// the right community and stays silent otherwise. Every packet becomes a get_request event.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "decoy/service.h"
#include "decoy/services/snmp/snmp_agent.h"
#include "decoy/services/snmp/snmp_persona.h"

namespace decnet::decoy {
namespace {

class SnmpService final : public Service {
 public:
  explicit SnmpService(snmp::AgentConfig config)
      : agent_(std::move(config), snmp::Agent::Clock::now()) {}

  std::optional<std::string> answer(const Datagram& datagram, InteractionSink& sink) override {
    snmp::AgentAnswer result = agent_.handle(datagram.payload, snmp::Agent::Clock::now());
    const bool anomalous = std::any_of(result.fields.begin(), result.fields.end(),
                                       [](const auto& field) { return field.first == "anomaly"; });
    recordFor(sink, "snmp", datagram.peer, "get_request", std::move(result.fields), {},
              anomalous ? kSeverityWarning : kSeverityInfo);
    return std::move(result.reply);
  }

 private:
  snmp::Agent agent_;
};

class SnmpFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "snmp"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    snmp::PersonaInputs inputs;
    inputs.community = persona.text("community");
    inputs.sysDescr = persona.text("sys_descr");
    inputs.kind = persona.text("persona");
    inputs.hostname = context.hostname;
    inputs.osFamily = context.osFamily;
    inputs.distro = context.distro;
    if (auto ok = persona.finish(); !ok) return tl::unexpected(ok.error());
    return std::make_unique<SnmpService>(snmp::buildConfig(inputs));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(SnmpFactory);

}  // namespace decnet::decoy
