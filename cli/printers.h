#pragma once
// Human output: tables with kubectl's look, ages, per-kind columns.
#include <ostream>
#include <string>
#include <vector>

#include "api/types/kinds.h"
#include "api/types/object.h"

namespace decnet::cli {

// "45s", "12m", "3h", "5d" since an RFC 3339 time; "<unknown>" when unparsable.
std::string age(const std::string& timestamp);

std::vector<std::string> tableHeader(const api::KindInfo& kind, bool wide);
std::vector<std::string> tableRow(const api::Object& object, bool wide);

// Left-aligned columns separated by three spaces, like kubectl. `widths` (optional) holds
// the least width of each column and comes back with the widths used, so later rows (a watch)
// stay aligned with the header.
void printTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                std::vector<std::size_t>* widths = nullptr);

}  // namespace decnet::cli
