#pragma once
// Base64 (RFC 4648 §4, padded: kubeconfig's *-data fields) and base64url (§5, unpadded: JWTs
// and list continue tokens).
#include <optional>
#include <string>
#include <string_view>

namespace decnet::api {

std::string base64Encode(std::string_view bytes);
std::string base64UrlEncode(std::string_view bytes);
// Decodes either alphabet; '=' padding and line breaks are skipped. nullopt on any other
// character.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace decnet::api
