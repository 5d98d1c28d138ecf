#pragma once
// Who sent a request, as authentication found it.
#include <cstdint>
#include <string>

namespace decnet::apiserver::auth {

inline constexpr const char* kRoleAdmin = "admin";
inline constexpr const char* kRoleViewer = "viewer";
inline constexpr const char* kRoleNode = "node";
// Node identities are named as kubelets are: "system:node:NAME".
inline constexpr const char* kNodeSubjectPrefix = "system:node:";

struct Identity {
  std::string name;  // the user, or "system:node:NAME"
  std::string role;  // kRoleAdmin, kRoleViewer, kRoleNode
  std::string node;  // the node's name for kRoleNode, else ""
  std::string tokenId;
  std::int64_t tokenExpires = 0;
  // A login whose user has yet to change their password: it may only do that (or log out).
  bool mustChangePassword = false;
};

}  // namespace decnet::apiserver::auth
