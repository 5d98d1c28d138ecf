// libFuzzer target: the input as one SNMP datagram to the agent (community "public"), its reply
// checked for size and decoded again; then a generic walk of the input with BerReader, with
// round trips through the encoders, and parseOid on the input as text.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/catalog/catalog.h"
#include "decoy/services/snmp/ber.h"
#include "decoy/services/snmp/snmp_agent.h"
#include "decoy/services/snmp/snmp_persona.h"

namespace {

using namespace decnet::decoy::snmp;

const Agent& agent() {
  static const Agent kAgent = [] {
    PersonaInputs inputs;
    inputs.hostname = "web-01";
    inputs.distro = &decnet::api::catalog::distroFor("debian", "linux");
    return Agent(buildConfig(inputs), Agent::Clock::time_point{});
  }();
  return kAgent;
}

// A reply is a well-formed v1/v2c Response to the request.
void checkReply(const std::string& reply, std::size_t requestSize) {
  if (reply.size() > kMaxResponseBytes && reply.size() > requestSize + 32) __builtin_trap();
  BerReader top(reply);
  BerReader message = top.enter(kTagSequence, "message");
  const std::int64_t version = message.integer("version");
  (void)message.octets("community");
  BerReader pdu = message.enter(0xa2, "response");
  (void)pdu.integer("request-id");
  (void)pdu.integer("error-status");
  (void)pdu.integer("error-index");
  BerReader list = pdu.enter(kTagSequence, "varbind list");
  while (list.ok() && !list.atEnd()) {
    BerReader bind = list.enter(kTagSequence, "varbind");
    (void)bind.oid("name");
    std::string_view value;
    (void)bind.any(value);
    if (!bind.ok() || !bind.atEnd()) __builtin_trap();
  }
  if (!top.ok() || !message.ok() || !pdu.ok() || !list.ok()) __builtin_trap();
  if (!top.atEnd() || !message.atEnd() || !pdu.atEnd()) __builtin_trap();
  if (version != 0 && version != 1) __builtin_trap();
}

// Reads every TLV of `reader`, entering constructed ones; values go back through the encoders.
void walk(BerReader& reader, int& budget) {
  while (reader.ok() && !reader.atEnd() && --budget > 0) {
    const std::uint8_t tag = reader.peekTag();
    BerReader peek = reader;  // the same TLV read generically, for its raw contents
    std::string_view content;
    const std::uint8_t anyTag = peek.any(content);
    if (tag == kTagInteger) {
      const std::int64_t value = reader.integer("integer");
      if (!reader.ok()) return;
      const std::string encoded = berInteger(value);
      BerReader back(encoded);
      if (back.integer("again") != value || !back.ok() || !back.atEnd()) __builtin_trap();
    } else if (tag == kTagOid) {
      const Oid oid = reader.oid("oid");
      if (!reader.ok()) return;
      // Arcs are minimal and the first packs two: the encoding is canonical.
      if (oid.size() < 2 || berOid(oid) != berTlv(kTagOid, content)) __builtin_trap();
      if (parseOid(oidText(oid)) != oid) __builtin_trap();
    } else if (tag == kTagOctetString) {
      const std::string bytes = reader.octets("octets");
      if (reader.ok() && berOctets(bytes) != berTlv(kTagOctetString, content)) __builtin_trap();
    } else if ((tag & 0x20) != 0) {
      BerReader inner = reader.enter(tag, "constructed");
      if (!reader.ok()) return;
      walk(inner, budget);
    } else {
      std::string_view value;
      const std::uint8_t got = reader.any(value);
      if (reader.ok() && (got != tag || value != content || anyTag != tag)) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto now = Agent::Clock::time_point{} + std::chrono::hours(1234);
  const AgentAnswer answer = agent().handle(bytes, now);
  if (answer.fields.empty()) __builtin_trap();  // every datagram becomes an event
  if (answer.reply) checkReply(*answer.reply, size);

  BerReader reader(bytes);
  int budget = 4096;
  walk(reader, budget);

  const Oid oid = parseOid(bytes);
  if (!oid.empty() && parseOid(oidText(oid)) != oid) __builtin_trap();
  return 0;
}
