#pragma once
// Human-readable output of the daemon's answers: its sentence, then tables or
// key-value lists. Cents are shown as yuan (12.50), Unix seconds as local time.
// Unknown or missing fields are shown as they come or as "-", so a daemon that
// adds a field does not break the client.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cardctl/json.hpp"

namespace cardd::cardctl {

/// How an answer is shown; each command picks one.
enum class View {
    text,           ///< the daemon's sentence (device add and remove, ...)
    status,         ///< sentence and the status figures
    format,         ///< the card format settings
    device_list,    ///< a table of devices
    device_params,  ///< what the device reported
    person_list,    ///< a table of people
    person_search,  ///< a page of people found, each with their card
    departments,    ///< a table of departments
    card,           ///< the sentence, or the card when there is none
    card_info,      ///< the card, its ledger and its losses
    distribution,   ///< loss, unlock, replacement: collected, pushed and failed terminals
    issue_batch,    ///< batch issue: the sentence and every failed row with its file line; a rehearsal's rows
    losses,         ///< a table of loss reports
    failed,         ///< a table of failed terminals
    resync,         ///< terminals level and failed
    collect,        ///< records collected per terminal
    card_read,      ///< the card on the encoder, and each difference with the store
    pending,        ///< a table of unsettled card writes
    backup,         ///< the backup written: path, size, pages, schema version, its check
    account_list,   ///< a table of the console's accounts
    audit,          ///< a table of audit lines
};

struct RenderContext {
    std::vector<std::size_t> batch_lines;  ///< file line of each batch row (row 1 is batch_lines[0])
};

/// The answer (`result` 0) as text for a person; ends with a newline.
std::string render_answer(View view, const Json& answer, const RenderContext& context = {});

/// What a refusal (`result` not 0) names beyond its sentence: each row of a
/// batch or each card of a loss that was refused, and why; empty when none.
std::string render_refusal(View view, const Json& answer, const RenderContext& context = {});

/// One value for a person: money keys (balance, amount, cash, opening, cost,
/// refunded) in yuan, time keys (*_at, at, next_retry, clock, locked_until) as local time,
/// null as "-", lists joined with ", ".
std::string describe_value(std::string_view key, const Json& value);

}  // namespace cardd::cardctl
