// The https service as data: see api/catalog/service_descriptor.h. It is the http emulator over
// TLS, so its persona keys and events are http's plus the TLS ones, taken from http's descriptor
// rather than written twice.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_http();

const ServiceDescriptor& descriptor_https() {
  static const ServiceDescriptor kDescriptor = [] {
    ServiceDescriptor https = descriptor_http();
    https.slug = "https";
    https.summary = "the http emulator over TLS with a self-signed certificate per decky";
    https.ports = {443};
    https.persona.push_back({.name = "tls_cn",
                             .type = PersonaType::kText,
                             .defaultValue = "",
                             .doc = "certificate common name; default: the decky's hostname"});
    for (auto& event : https.events) {
      for (auto& field : event.fields) {
        if (event.type == "request" && field.name == "anomaly") {
          field.doc =
              "what was malformed (malformed requests only; not_tls, "
              "not_a_client_hello, tls_handshake_failed: reason for bad TLS)";
        }
      }
    }
    https.events.push_back({"tls_client_hello",
                            "the TLS ClientHello",
                            {{"ja3", "JA3 fingerprint (MD5)"},
                             {"ja3_string", "the JA3 input string"},
                             {"sni", "server name asked for"}}});
    return https;
  }();
  return kDescriptor;
}

}  // namespace decnet::api::catalog
