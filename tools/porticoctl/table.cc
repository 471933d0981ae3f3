#include "tools/porticoctl/table.h"

#include <algorithm>

namespace portico::tools::porticoctl {

namespace {

constexpr size_t kGap = 2;

void printRow(std::ostream& out, const std::vector<std::string>& cells,
              const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size()) {
      line.append(widths[i] - cells[i].size() + kGap, ' ');
    }
  }
  out << line << '\n';
}

}  // namespace

void Table::addRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) {
    if (cell.empty()) {
      cell = "-";
    }
  }
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) {
    widths[i] = headers_[i].size();
    for (const auto& row : rows_) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  printRow(out, headers_, widths);
  for (const auto& row : rows_) {
    printRow(out, row, widths);
  }
}

}  // namespace portico::tools::porticoctl
