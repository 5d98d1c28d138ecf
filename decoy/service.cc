#include "decoy/service.h"

#include <algorithm>

namespace decnet::decoy {

Interaction peerInteraction(std::string service, const Peer& peer, std::string type,
                            Fields fields) {
  Interaction interaction;
  interaction.service = std::move(service);
  interaction.type = std::move(type);
  interaction.fields.reserve(fields.size() + 3);
  interaction.fields.emplace_back("src_ip", peer.ip);
  interaction.fields.emplace_back("src_port", std::to_string(peer.port));
  interaction.fields.emplace_back("dst_port", std::to_string(peer.localPort));
  for (auto& field : fields) interaction.fields.push_back(std::move(field));
  return interaction;
}

Connection::Connection(boost::asio::ip::tcp::socket socket, std::string service, Peer peer,
                       std::shared_ptr<InteractionSink> sink, std::function<void()> onClosed)
    : socket_(std::move(socket)),
      service_(std::move(service)),
      peer_(std::move(peer)),
      sink_(std::move(sink)),
      onClosed_(std::move(onClosed)),
      start_(std::chrono::steady_clock::now()) {}

Connection::~Connection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start_);
  Fields fields = {{"duration_ms", std::to_string(elapsed.count())},
                   {"bytes_in", std::to_string(bytesIn_.load())},
                   {"bytes_out", std::to_string(bytesOut_.load())}};
  for (auto& field : disconnectFields_) fields.push_back(std::move(field));
  record("disconnect", std::move(fields));
  if (onClosed_) onClosed_();
}

void Connection::setDisconnectField(std::string key, std::string value) {
  for (auto& field : disconnectFields_) {
    if (field.first == key) {
      field.second = std::move(value);
      return;
    }
  }
  disconnectFields_.emplace_back(std::move(key), std::move(value));
}

void Connection::record(std::string type, Fields fields, std::string message, int severity) const {
  if (!sink_) return;
  Interaction interaction = peerInteraction(service_, peer_, std::move(type), std::move(fields));
  interaction.message = std::move(message);
  interaction.severity = severity;
  sink_->record(std::move(interaction));
}

void recordFor(InteractionSink& sink, const std::string& service, const Peer& peer,
               std::string type, Fields fields, std::string message, int severity) {
  Interaction interaction = peerInteraction(service, peer, std::move(type), std::move(fields));
  interaction.message = std::move(message);
  interaction.severity = severity;
  sink.record(std::move(interaction));
}

PersonaReader::PersonaReader(const api::ServiceSpec& spec) : spec_(spec) {
  const auto* info = api::catalog::findService(spec.name);
  descriptor_ = info != nullptr ? info->descriptor : nullptr;
  if (descriptor_ == nullptr) {
    errors_.push_back({"name", "no descriptor for service " + spec.name});
    return;
  }
  for (const auto& [key, value] : spec.persona) {
    const auto* rule = api::catalog::findPersonaKey(*descriptor_, key);
    if (rule == nullptr) {
      std::string list;
      for (const auto& k : descriptor_->persona) list += (list.empty() ? "" : ", ") + k.name;
      errors_.push_back(
          {"persona." + key, "unknown persona key for " + spec.name + " (known: " + list + ")"});
      continue;
    }
    if (auto problem = api::catalog::checkPersonaValue(*rule, value); !problem.empty()) {
      errors_.push_back({"persona." + key, std::move(problem)});
    }
  }
}

std::string PersonaReader::text(const std::string& key) const {
  auto it = spec_.persona.find(key);
  if (it != spec_.persona.end()) return it->second;
  const auto* rule = descriptor_ ? api::catalog::findPersonaKey(*descriptor_, key) : nullptr;
  return rule ? rule->defaultValue : std::string();
}

int PersonaReader::integer(const std::string& key) {
  const auto* rule = descriptor_ ? api::catalog::findPersonaKey(*descriptor_, key) : nullptr;
  if (rule == nullptr) return 0;
  const int fallback = rule->defaultValue.empty() ? rule->min : std::stoi(rule->defaultValue);
  auto it = spec_.persona.find(key);
  if (it == spec_.persona.end() || !api::catalog::checkPersonaValue(*rule, it->second).empty()) {
    return fallback;  // an invalid value was already recorded as an error
  }
  return std::stoi(it->second);
}

bool PersonaReader::boolean(const std::string& key) { return text(key) == "true"; }

std::vector<std::pair<std::string, std::string>> PersonaReader::users(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string value = text(key);
  std::size_t start = 0;
  while (start < value.size()) {
    auto comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string entry = value.substr(start, comma - start);
    const auto first = entry.find_first_not_of(' ');
    const auto last = entry.find_last_not_of(' ');
    entry = first == std::string::npos ? "" : entry.substr(first, last - first + 1);
    const auto colon = entry.find(':');
    if (colon != std::string::npos && colon > 0) {
      out.emplace_back(entry.substr(0, colon), entry.substr(colon + 1));
    }
    start = comma + 1;
  }
  return out;
}

bool PersonaReader::has(const std::string& key) const { return spec_.persona.count(key) != 0; }

std::string PersonaReader::text(const std::string& key, std::string fallback) const {
  auto it = spec_.persona.find(key);
  return it == spec_.persona.end() ? std::move(fallback) : it->second;
}

void PersonaReader::invalid(const std::string& key, std::string detail) {
  errors_.push_back({"persona." + key, std::move(detail)});
}

Result<void> PersonaReader::finish() const {
  if (errors_.empty()) return {};
  return failInvalid("invalid " + spec_.name + " persona", errors_);
}

}  // namespace decnet::decoy
