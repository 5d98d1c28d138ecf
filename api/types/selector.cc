#include "api/types/selector.h"

#include <algorithm>
#include <cctype>

namespace decnet::api {
namespace {

std::string trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return std::string(text.substr(b, e - b));
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> splitTerms(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty() || !out.empty()) out.push_back(trim(current));
  return out;
}

bool validLabelPart(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

const Json* lookup(const Json& root, const std::string& dotted) {
  const Json* node = &root;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node;
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(const std::string& text) {
  LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : splitTerms(text)) {
    Requirement req;
    auto bad = [&](const std::string& why) {
      return fail(Errc::kInvalid, "invalid label selector \"" + text + "\": " + why);
    };
    if (term.empty()) return bad("empty term");
    if (term[0] == '!') {
      req.key = trim(term.substr(1));
      req.op = Op::kNotExists;
    } else if (auto p = term.find("!="); p != std::string::npos) {
      req.key = trim(term.substr(0, p));
      req.op = Op::kNotEquals;
      req.values = {trim(term.substr(p + 2))};
    } else if (auto p2 = term.find("=="); p2 != std::string::npos) {
      req.key = trim(term.substr(0, p2));
      req.op = Op::kEquals;
      req.values = {trim(term.substr(p2 + 2))};
    } else if (auto p3 = term.find('='); p3 != std::string::npos) {
      req.key = trim(term.substr(0, p3));
      req.op = Op::kEquals;
      req.values = {trim(term.substr(p3 + 1))};
    } else if (auto open = term.find('('); open != std::string::npos) {
      auto close = term.rfind(')');
      if (close == std::string::npos || close < open) return bad("unbalanced parentheses");
      std::string head = trim(term.substr(0, open));
      auto space = head.find(' ');
      if (space == std::string::npos) return bad("expected 'key in (...)' or 'key notin (...)'");
      req.key = trim(head.substr(0, space));
      std::string op = trim(head.substr(space + 1));
      if (op == "in") {
        req.op = Op::kIn;
      } else if (op == "notin") {
        req.op = Op::kNotIn;
      } else {
        return bad("unknown operator \"" + op + "\"");
      }
      for (auto& v : splitTerms(term.substr(open + 1, close - open - 1))) req.values.push_back(v);
    } else {
      req.key = term;
      req.op = Op::kExists;
    }
    if (!validLabelPart(req.key)) return bad("invalid key \"" + req.key + "\"");
    selector.requirements_.push_back(std::move(req));
  }
  return selector;
}

LabelSelector LabelSelector::fromMap(const std::map<std::string, std::string>& labels) {
  LabelSelector selector;
  for (const auto& [k, v] : labels) selector.requirements_.push_back({k, Op::kEquals, {v}});
  return selector;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& req : requirements_) {
    auto it = labels.find(req.key);
    const bool present = it != labels.end();
    const auto inValues = [&] {
      return present &&
             std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    };
    switch (req.op) {
      case Op::kEquals:
      case Op::kIn:
        if (!inValues()) return false;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        if (inValues()) return false;
        break;
      case Op::kExists:
        if (!present) return false;
        break;
      case Op::kNotExists:
        if (present) return false;
        break;
    }
  }
  return true;
}

Result<FieldSelector> FieldSelector::parse(const std::string& text) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : splitTerms(text)) {
    Term t;
    if (auto p = term.find("!="); p != std::string::npos) {
      t.path = trim(term.substr(0, p));
      t.value = trim(term.substr(p + 2));
      t.equals = false;
    } else if (auto p2 = term.find("=="); p2 != std::string::npos) {
      t.path = trim(term.substr(0, p2));
      t.value = trim(term.substr(p2 + 2));
    } else if (auto p3 = term.find('='); p3 != std::string::npos) {
      t.path = trim(term.substr(0, p3));
      t.value = trim(term.substr(p3 + 1));
    } else {
      return fail(Errc::kInvalid, "invalid field selector \"" + text + "\": expected path=value");
    }
    if (t.path.empty()) return fail(Errc::kInvalid, "invalid field selector \"" + text + "\"");
    selector.terms_.push_back(std::move(t));
  }
  return selector;
}

bool FieldSelector::matches(const Object& object) const {
  if (terms_.empty()) return true;
  for (const auto& term : terms_) {
    // Look the path up on the object itself: serializing it to the wire shape per object
    // would dominate the cost of a filtered list.
    std::string value;
    const Json* node = nullptr;
    if (term.path == "metadata.name") {
      value = object.metadata.name;
    } else if (term.path == "metadata.uid") {
      value = object.metadata.uid;
    } else if (term.path.rfind("metadata.labels.", 0) == 0) {
      auto it = object.metadata.labels.find(term.path.substr(16));
      if (it != object.metadata.labels.end()) value = it->second;
    } else if (term.path.rfind("spec.", 0) == 0) {
      node = lookup(object.spec, term.path.substr(5));
    } else if (term.path.rfind("status.", 0) == 0) {
      node = lookup(object.status, term.path.substr(7));
    } else {
      node = lookup(object.spec, term.path);  // kinds whose fields sit at the top level (Event)
    }
    if (node != nullptr) value = node->is_string() ? node->get<std::string>() : node->dump();
    if ((value == term.value) != term.equals) return false;
  }
  return true;
}

}  // namespace decnet::api
