#pragma once
// The fields of a stored event: its structured data as one JSON object.
#include <string>

#include "pipeline/collector/syslog_message.h"

namespace decnet::pipeline {

// {"name": "value", ...}: relay@ params by name, other elements' params as "id.name", meta left
// out; names sorted, the last of a repeated name kept, invalid UTF-8 replaced (U+FFFD).
std::string fieldsJson(const SyslogMessage& message);

}  // namespace decnet::pipeline
