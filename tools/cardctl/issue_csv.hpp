#pragma once
// `cardctl card issue --csv FILE`: a CSV of people and card numbers turned
// into the rows of one card-issue-batch request. Every row is checked before
// anything is sent, so a file with a broken row changes nothing.
//
// The first record is a header naming the columns, in any order and case:
//   staff_no            required, each staff number on one line only
//   card_no             optional; empty (or no such column) lets cardd assign the next free number
//   opening, cost       optional, yuan (12.50); empty means the daemon's default
//   name, dept          optional; a row with a name creates the person first
// Spaces around a value are dropped; a record whose fields are all empty (as
// spreadsheets leave at the end) is skipped.

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cardctl/json.hpp"

namespace cardd::cardctl {

struct IssueBatch {
    Json rows = Json::array();       ///< the `rows` argument of card-issue-batch
    std::vector<std::size_t> lines;  ///< the file line of each row, for reporting failures
};

/// The rows of a batch file, or every broken row with its line number.
std::expected<IssueBatch, std::string> parse_issue_csv(std::string_view text);

/// Reads `file` and parses it; errors start with the file name.
std::expected<IssueBatch, std::string> read_issue_csv(const std::filesystem::path& file);

}  // namespace cardd::cardctl
