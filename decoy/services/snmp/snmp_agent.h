#pragma once
// An SNMP v1/v2c agent without I/O: one datagram in, an optional reply and the event fields out.
// The MIB is the system group and the interfaces table of a persona; everything is read-only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/event_writer.h"
#include "decoy/services/snmp/ber.h"

namespace decnet::decoy::snmp {

inline constexpr std::size_t kMaxResponseBytes = 1400;  // stays inside one Ethernet frame
inline constexpr std::int64_t kMaxRepetitions = 50;     // GetBulk cap per request
inline constexpr std::size_t kMaxLoggedOids = 32;       // OIDs listed in one event
inline constexpr std::size_t kMaxCommunity = 256;       // net-snmp's COMMUNITY_MAX_LEN
inline constexpr std::size_t kRawPreview = 512;         // bytes kept with an anomaly

struct Interface {
  std::string descr;                    // ifDescr ("eth0")
  int type = 6;                         // ifType: 6 ethernetCsmacd, 24 softwareLoopback
  int mtu = 1500;                       // ifMtu
  std::uint32_t speed = 0;              // ifSpeed, bit/s (Gauge32)
  std::string mac;                      // ifPhysAddress: 6 raw bytes, or empty
  std::uint32_t inBytesPerSecond = 0;   // how fast ifInOctets grows
  std::uint32_t outBytesPerSecond = 0;  // how fast ifOutOctets grows
};

// What the agent tells about its host.
struct AgentConfig {
  std::string community = "public";
  std::string sysDescr;
  Oid sysObjectId;
  std::string sysContact;
  std::string sysName;
  std::string sysLocation;
  int sysServices = 72;
  std::vector<Interface> interfaces;
  std::uint32_t bootTicks = 0;  // sysUpTime when the decoy started (hosts are rarely fresh)
};

// The answer to one datagram: the bytes to send (none for a wrong community or a malformed
// packet) and the fields of its get_request event.
struct AgentAnswer {
  std::optional<std::string> reply;
  Fields fields;
};

class Agent {
 public:
  using Clock = std::chrono::steady_clock;
  Agent(AgentConfig config, Clock::time_point start);

  // Decodes and answers one datagram as seen at `now`. Never throws.
  AgentAnswer handle(std::string_view payload, Clock::time_point now) const;

  // sysUpTime at `now`, in hundredths of a second.
  std::uint32_t ticks(Clock::time_point now) const;

 private:
  using Leaf = std::function<std::string(std::uint32_t ticks)>;
  struct VarBind {
    Oid name;
    std::string value;  // complete TLV
  };

  void buildMib();
  void add(const Oid& oid, Leaf leaf);
  // The value TLV at exactly `oid` (v2c exceptions when absent).
  std::string getValue(const Oid& oid, std::uint32_t ticks, bool& found) const;
  // The first leaf after `oid` and its value; false at the end of the MIB.
  bool nextLeaf(const Oid& oid, std::uint32_t ticks, VarBind& out) const;

  AgentConfig config_;
  Clock::time_point start_;
  std::map<Oid, Leaf> leaves_;
  std::vector<Oid> objects_;  // OIDs of the objects (a leaf minus its instance suffix)
};

}  // namespace decnet::decoy::snmp
