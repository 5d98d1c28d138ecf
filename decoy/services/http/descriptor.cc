// The http service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_http() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "http",
      .summary = "web server: Apache, nginx or IIS family pages and login forms of common apps",
      .transports = {"tcp"},
      .ports = {80},
      .emulated = true,
      .persona =
          {
              {.name = "server_header",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "Server header; default: the fake app's server, else the distro's web server "
                      "(Debian 12: Apache/2.4.62 (Debian), Windows: Microsoft-IIS/10.0); empty "
                      "string: no Server header. Error and landing pages follow its family"},
              {.name = "response_code",
               .type = PersonaType::kInteger,
               .defaultValue = "200",
               .doc = "status of the landing page (default 200; 403 for the RHEL test page)",
               .min = 200,
               .max = 599},
              {.name = "fake_app",
               .type = PersonaType::kChoice,
               .defaultValue = "none",
               .doc = "application the site pretends to be",
               .allowed = {"none", "apache_default", "nginx_default", "wordpress", "phpmyadmin",
                           "iis_default", "tomcat", "jenkins"}},
              {.name = "extra_headers",
               .type = PersonaType::kHeaders,
               .defaultValue = "",
               .doc = "more response headers: \"Name: value; Name2: value2\" or a map"},
              {.name = "body",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "replaces the landing page body"},
          },
      .events =
          {
              {"request",
               "one HTTP request",
               {{"method", "request method"},
                {"path", "path without the query"},
                {"query", "query string"},
                {"version", "HTTP version"},
                {"host", "Host header"},
                {"user_agent", "User-Agent header"},
                {"headers_json", "all headers as a JSON object"},
                {"body_preview", "first 1 KiB of the body"},
                {"body_size", "body bytes"},
                {"status", "status sent back"},
                {"anomaly", "what was malformed (malformed requests only)"},
                {"raw_b64", "the raw bytes, base64 (malformed requests only)"}}},
              {"auth_attempt",
               "credentials from a Basic, Bearer or Digest header or a login form",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "basic, bearer, digest, form, json, query or xmlrpc"},
                {"path", "request path"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
