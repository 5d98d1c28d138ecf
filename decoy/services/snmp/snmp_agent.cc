// SNMP v1 (RFC 1157) and v2c (RFC 1901, RFC 3416) request processing over a static MIB.
#include "decoy/services/snmp/snmp_agent.h"

#include <algorithm>

namespace decnet::decoy::snmp {
namespace {

constexpr std::uint8_t kPduGet = 0xa0;
constexpr std::uint8_t kPduGetNext = 0xa1;
constexpr std::uint8_t kPduResponse = 0xa2;
constexpr std::uint8_t kPduSet = 0xa3;
constexpr std::uint8_t kPduGetBulk = 0xa5;

constexpr std::int64_t kTooBig = 1;
constexpr std::int64_t kNoSuchName = 2;
constexpr std::int64_t kNoAccess = 6;

const Oid kSystem = {1, 3, 6, 1, 2, 1, 1};
const Oid kInterfaces = {1, 3, 6, 1, 2, 1, 2};

Oid child(const Oid& base, std::initializer_list<std::uint32_t> arcs) {
  Oid out = base;
  out.insert(out.end(), arcs);
  return out;
}

std::string pduName(std::uint8_t tag) {
  switch (tag) {
    case 0xa0:
      return "get";
    case 0xa1:
      return "getnext";
    case 0xa2:
      return "response";
    case 0xa3:
      return "set";
    case 0xa4:
      return "trap";
    case 0xa5:
      return "getbulk";
    case 0xa6:
      return "inform";
    case 0xa7:
      return "trap2";
    case 0xa8:
      return "report";
    default:
      return "unknown";
  }
}

std::string varBind(const Oid& name, std::string_view value) {
  return berTlv(kTagSequence, berOid(name) + std::string(value));
}

// A Counter32 that has grown at `perSecond` since boot (wrapping as the real one does).
std::string counter(std::uint64_t perSecond, std::uint32_t ticks, std::uint64_t divisor = 1) {
  const std::uint64_t total = perSecond * ticks / 100 / divisor;
  return berUnsigned(kTagCounter32, static_cast<std::uint32_t>(total & 0xffffffffULL));
}

}  // namespace

Agent::Agent(AgentConfig config, Clock::time_point start)
    : config_(std::move(config)), start_(start) {
  buildMib();
}

std::uint32_t Agent::ticks(Clock::time_point now) const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
  const std::uint64_t centis = elapsed > 0 ? static_cast<std::uint64_t>(elapsed) / 10 : 0;
  return static_cast<std::uint32_t>((config_.bootTicks + centis) & 0xffffffffULL);
}

void Agent::add(const Oid& oid, Leaf leaf) {
  leaves_[oid] = std::move(leaf);
  Oid object(oid.begin(), oid.end() - 1);
  if (std::find(objects_.begin(), objects_.end(), object) == objects_.end()) {
    objects_.push_back(std::move(object));
  }
}

void Agent::buildMib() {
  const AgentConfig& c = config_;
  add(child(kSystem, {1, 0}), [d = c.sysDescr](std::uint32_t) { return berOctets(d); });
  add(child(kSystem, {2, 0}), [o = c.sysObjectId](std::uint32_t) { return berOid(o); });
  add(child(kSystem, {3, 0}), [](std::uint32_t t) { return berUnsigned(kTagTimeTicks, t); });
  add(child(kSystem, {4, 0}), [v = c.sysContact](std::uint32_t) { return berOctets(v); });
  add(child(kSystem, {5, 0}), [v = c.sysName](std::uint32_t) { return berOctets(v); });
  add(child(kSystem, {6, 0}), [v = c.sysLocation](std::uint32_t) { return berOctets(v); });
  add(child(kSystem, {7, 0}), [v = c.sysServices](std::uint32_t) { return berInteger(v); });

  const auto count = static_cast<std::uint32_t>(c.interfaces.size());
  add(child(kInterfaces, {1, 0}), [count](std::uint32_t) { return berInteger(count); });
  const Oid entry = child(kInterfaces, {2, 1});
  for (std::uint32_t i = 0; i < count; ++i) {
    const Interface& f = c.interfaces[i];
    const std::uint32_t index = i + 1;
    const std::uint64_t in = f.inBytesPerSecond;
    const std::uint64_t out = f.outBytesPerSecond;
    auto column = [&](std::uint32_t col, Leaf leaf) { add(child(entry, {col, index}), leaf); };
    column(1, [index](std::uint32_t) { return berInteger(index); });
    column(2, [d = f.descr](std::uint32_t) { return berOctets(d); });
    column(3, [t = f.type](std::uint32_t) { return berInteger(t); });
    column(4, [m = f.mtu](std::uint32_t) { return berInteger(m); });
    column(5, [s = f.speed](std::uint32_t) { return berUnsigned(kTagGauge32, s); });
    column(6, [m = f.mac](std::uint32_t) { return berOctets(m); });
    column(7, [](std::uint32_t) { return berInteger(1); });  // up
    column(8, [](std::uint32_t) { return berInteger(1); });  // up
    column(9, [](std::uint32_t) { return berUnsigned(kTagTimeTicks, 0); });
    column(10, [in](std::uint32_t t) { return counter(in, t); });
    column(11, [in](std::uint32_t t) { return counter(in, t, 640); });
    column(12, [in](std::uint32_t t) { return counter(in, t, 48000); });
    column(13, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(14, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(15, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(16, [out](std::uint32_t t) { return counter(out, t); });
    column(17, [out](std::uint32_t t) { return counter(out, t, 420); });
    column(18, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(19, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(20, [](std::uint32_t) { return berUnsigned(kTagCounter32, 0); });
    column(21, [](std::uint32_t) { return berUnsigned(kTagGauge32, 0); });
    column(22, [](std::uint32_t) { return berOid({0, 0}); });
  }
}

std::string Agent::getValue(const Oid& oid, std::uint32_t ticks, bool& found) const {
  if (const auto it = leaves_.find(oid); it != leaves_.end()) {
    found = true;
    return it->second(ticks);
  }
  found = false;
  for (const Oid& object : objects_) {
    if (oid.size() >= object.size() && std::equal(object.begin(), object.end(), oid.begin())) {
      return berNull(kTagNoSuchInstance);
    }
  }
  return berNull(kTagNoSuchObject);
}

bool Agent::nextLeaf(const Oid& oid, std::uint32_t ticks, VarBind& out) const {
  const auto it = leaves_.upper_bound(oid);
  if (it == leaves_.end()) return false;
  out.name = it->first;
  out.value = it->second(ticks);
  return true;
}

AgentAnswer Agent::handle(std::string_view payload, Clock::time_point now) const {
  AgentAnswer answer;
  Fields& fields = answer.fields;

  std::optional<std::int64_t> version;
  std::optional<std::uint8_t> pduTag;
  std::optional<std::string> community;
  std::vector<VarBind> request;  // name and the value TLV as received
  std::string anomaly;

  auto record = [&](bool success) {
    if (version) {
      fields.emplace_back("version", *version == 0   ? "1"
                                     : *version == 1 ? "2c"
                                                     : std::to_string(*version));
    }
    if (pduTag) fields.emplace_back("pdu", pduName(*pduTag));
    if (community) {
      addCredential(fields, "", std::string_view(*community).substr(0, kMaxCommunity), success);
    }
    std::string oids;
    for (std::size_t i = 0; i < request.size() && i < kMaxLoggedOids; ++i) {
      if (i > 0) oids += ',';
      oids += oidText(request[i].name);
    }
    if (request.size() > kMaxLoggedOids) oids += ",...";
    fields.emplace_back("oids", oids);
    if (!anomaly.empty()) {
      fields.emplace_back("anomaly", anomaly);
      fields.emplace_back("raw_b64", base64Encode(payload.substr(0, kRawPreview)));
    }
  };

  // Parse: every reader keeps its first error; the outermost failing one explains the drop.
  BerReader top(payload);
  BerReader message = top.enter(kTagSequence, "message");
  const std::int64_t v = message.integer("version");
  if (message.ok()) version = v;
  if (message.ok() && v != 0 && v != 1) message.fail("unsupported version " + std::to_string(v));
  std::string name = message.octets("community");
  if (message.ok()) community = std::move(name);
  if (message.ok() && community->size() > kMaxCommunity) message.fail("community too long");
  const std::uint8_t tag = message.peekTag();
  if (message.ok() && (tag < 0xa0 || tag > 0xa8)) message.fail("not a PDU");
  BerReader pdu = message.enter(tag, "pdu");
  if (pdu.ok()) pduTag = tag;
  const std::int64_t requestId = pdu.integer("request-id");
  const std::int64_t first = pdu.integer("error-status");
  const std::int64_t second = pdu.integer("error-index");
  if (pdu.ok() && (requestId < INT32_MIN || requestId > INT32_MAX)) {
    pdu.fail("request-id out of range");
  }
  BerReader list = pdu.enter(kTagSequence, "varbind list");
  while (list.ok() && !list.atEnd()) {
    BerReader bind = list.enter(kTagSequence, "varbind");
    VarBind entry;
    entry.name = bind.oid("varbind name");
    std::string_view content;
    const std::uint8_t valueTag = bind.any(content);
    if (bind.ok() && !bind.atEnd()) bind.fail("trailing bytes in varbind");
    if (!bind.ok()) {
      list.fail(bind.error());
      break;
    }
    entry.value = berTlv(valueTag, content);
    request.push_back(std::move(entry));
  }
  if (list.ok() && !pdu.atEnd()) pdu.fail("trailing bytes in pdu");
  if (message.ok() && !message.atEnd()) message.fail("trailing bytes in message");
  if (top.ok() && !top.atEnd()) top.fail("trailing bytes after message");
  for (const BerReader* reader : {&top, &message, &pdu, &list}) {
    if (!reader->ok()) {
      anomaly = reader->error();
      break;
    }
  }
  if (anomaly.empty() && pduTag) {
    if (*pduTag == kPduGetBulk && *version == 0) {
      anomaly = "getbulk in v1";
    } else if (*pduTag != kPduGet && *pduTag != kPduGetNext && *pduTag != kPduGetBulk &&
               *pduTag != kPduSet) {
      anomaly = "unexpected " + pduName(*pduTag) + " pdu";
    }
  }
  const bool authorized = community && *community == config_.community;
  if (!anomaly.empty() || !authorized) {
    record(false);
    return answer;  // a real agent drops these without a word
  }
  record(true);

  const bool v1 = *version == 0;
  const std::uint32_t nowTicks = ticks(now);
  std::int64_t errorStatus = 0;
  std::int64_t errorIndex = 0;
  std::vector<std::string> binds;
  auto echoRequest = [&] {
    binds.clear();
    for (const VarBind& entry : request) binds.push_back(varBind(entry.name, entry.value));
  };
  auto encode = [&](const std::vector<std::string>& bindList) {
    std::string content;
    for (const auto& b : bindList) content += b;
    std::string pduBody = berInteger(requestId) + berInteger(errorStatus) + berInteger(errorIndex) +
                          berTlv(kTagSequence, content);
    return berTlv(kTagSequence,
                  berInteger(*version) + berOctets(*community) + berTlv(kPduResponse, pduBody));
  };

  if (*pduTag == kPduSet) {
    // v1 has no noAccess: RFC 2576 §4.3 maps it to noSuchName, as net-snmp does.
    errorStatus = v1 ? kNoSuchName : kNoAccess;
    errorIndex = request.empty() ? 0 : 1;
    echoRequest();
  } else if (*pduTag == kPduGet || *pduTag == kPduGetNext) {
    for (std::size_t i = 0; i < request.size(); ++i) {
      VarBind next;
      bool found = false;
      if (*pduTag == kPduGet) {
        next.name = request[i].name;
        next.value = getValue(request[i].name, nowTicks, found);
      } else {
        found = nextLeaf(request[i].name, nowTicks, next);
        if (!found) {
          next.name = request[i].name;
          next.value = berNull(kTagEndOfMibView);
        }
      }
      if (!found && v1) {
        errorStatus = kNoSuchName;
        errorIndex = static_cast<std::int64_t>(i + 1);
        echoRequest();
        break;
      }
      binds.push_back(varBind(next.name, next.value));
    }
  } else {
    // GetBulk (RFC 3416 §4.2.3): fill up to the size limit rather than fail.
    const std::size_t count = request.size();
    const auto nonRepeaters = static_cast<std::size_t>(
        std::clamp<std::int64_t>(first, 0, static_cast<std::int64_t>(count)));
    const std::int64_t repetitions = std::clamp<std::int64_t>(second, 0, kMaxRepetitions);
    const std::size_t overhead = encode({}).size() + 8;
    std::size_t total = overhead;
    bool full = false;
    auto push = [&](const VarBind& entry) {
      std::string encoded = varBind(entry.name, entry.value);
      if (total + encoded.size() > kMaxResponseBytes) {
        full = true;
        return;
      }
      total += encoded.size();
      binds.push_back(std::move(encoded));
    };
    auto step = [&](const Oid& from) {
      VarBind next;
      if (!nextLeaf(from, nowTicks, next)) {
        next.name = from;
        next.value = berNull(kTagEndOfMibView);
      }
      return next;
    };
    const std::string endOfMib = berNull(kTagEndOfMibView);
    for (std::size_t i = 0; i < nonRepeaters && !full; ++i) push(step(request[i].name));
    std::vector<Oid> cursor;
    for (std::size_t i = nonRepeaters; i < count; ++i) cursor.push_back(request[i].name);
    for (std::int64_t r = 0; r < repetitions && !full && !cursor.empty(); ++r) {
      bool allEnded = true;
      for (std::size_t j = 0; j < cursor.size() && !full; ++j) {
        const VarBind next = step(cursor[j]);
        allEnded = allEnded && next.value == endOfMib;
        cursor[j] = next.name;
        push(next);
      }
      if (allEnded) break;
    }
    if (binds.empty() && count > 0 && full) errorStatus = kTooBig;
  }

  std::string reply = encode(binds);
  if (reply.size() > kMaxResponseBytes) {
    errorStatus = kTooBig;
    errorIndex = 0;
    // v1 answers tooBig with the request's varbinds, v2c with none (RFC 3416 §4.2.1).
    if (v1) {
      echoRequest();
    } else {
      binds.clear();
    }
    reply = encode(binds);
  }
  answer.reply = std::move(reply);
  return answer;
}

}  // namespace decnet::decoy::snmp
