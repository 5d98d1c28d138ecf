#pragma once
// Label selectors ("site=hq,tier!=db,env in (a,b),!legacy,team") and field selectors
// ("spec.node=local", "metadata.name=x").
#include <map>
#include <string>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

class LabelSelector {
 public:
  // Parses the Kubernetes selector syntax; kInvalid on a syntax error.
  static Result<LabelSelector> parse(const std::string& text);
  static LabelSelector fromMap(const std::map<std::string, std::string>& labels);
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // "a.b=v,c!=w"; paths are dotted JSON paths into the wire object.
  static Result<FieldSelector> parse(const std::string& text);
  bool matches(const Object& object) const;
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    std::string path;
    std::string value;
    bool equals = true;
  };
  std::vector<Term> terms_;
};

}  // namespace decnet::api
