#pragma once
// A batch issue rehearsed whole before its first card is asked for: card
// numbers assigned to the rows without one, every row's store change
// rehearsed, and the rows checked against each other, so a batch that
// would break a rule anywhere issues nothing at all.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "daemon/commands/issue_batch.hpp"
#include "daemon/control/answer.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// A row as it will be issued, its card number given or assigned.
struct PlannedRow {
    std::size_t index = 0;  ///< in the batch, from 0
    store::WriteIntent intent;
    bool assigned = false;  ///< the card number was assigned, not given
    std::string name;       ///< the holder's name
};

struct BatchRehearsal {
    std::vector<PlannedRow> rows;                      ///< every row, when none is refused
    nlohmann::json refused = nlohmann::json::array();  ///< {row, staff_no, card_no, result, text}
};

/// Rehearses every row of the batch as `actor` would issue it, giving the
/// event loop a turn now and then; the error is a failure of the store itself.
boost::asio::awaitable<std::expected<BatchRehearsal, Answer>> rehearse_batch(Service& service,
                                                                             const store::Actor& actor,
                                                                             const IssueBatchArgs& batch);

/// The planned rows as an answer shows them: {row, staff_no, name, card_no, assigned}.
nlohmann::json planned_rows_json(const std::vector<PlannedRow>& rows);

}  // namespace cardd::daemon
