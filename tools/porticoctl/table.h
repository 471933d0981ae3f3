#pragma once

// Plain-text tables for porticoctl: an upper-case header row, columns separated by at least
// two spaces, no trailing blanks. Empty cells print as "-".

#include <ostream>
#include <string>
#include <vector>

namespace portico::tools::porticoctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // A row with fewer cells than headers is padded with "-"; extra cells are dropped.
  void addRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace portico::tools::porticoctl
