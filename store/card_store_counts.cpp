// Counts for health reports: cardctl status and the metrics read them every
// few seconds, so nothing here loads a card, a person or a batch's cards.

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

Result<StoreCounts> CardStore::counts() {
    StoreCounts counts;
    CARDD_TRY(people, query_int(*db_, "SELECT COUNT(*) FROM people"));
    counts.people = people;
    CARDD_TRY(states, query(*db_, "SELECT state, COUNT(*) FROM cards GROUP BY state ORDER BY state"));
    for (const Row& row : states) counts.cards_by_state.emplace_back(card_state_from(as_text(row[0])), as_int(row[1]));
    CARDD_TRY(pending, query(*db_,
                             "SELECT terminal_id, COUNT(*), MIN(created_at) FROM blacklist_batches "
                             "WHERE state = 'pending' GROUP BY terminal_id ORDER BY terminal_id"));
    for (const Row& row : pending) counts.pending_batches.push_back({as_int(row[0]), as_int(row[1]), as_int(row[2])});
    CARDD_TRY(open, query_one(*db_, "SELECT COUNT(*), MIN(created_at) FROM card_writes WHERE state = 'open'"));
    if (open) {
        counts.open_writes = as_int((*open)[0]);
        counts.oldest_open_write_at = as_opt_int((*open)[1]);
    }
    return counts;
}

}  // namespace cardd::store
