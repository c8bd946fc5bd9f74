#pragma once
// The catalogue of log messages, the one source for them: each id with the
// level it is always logged at, what it means, and what an operator should
// do. `cardd --messages` prints it and the table of docs/log-messages.md is
// generated from it (`cardd --messages=markdown`); a test keeps the two equal.

#include <span>
#include <string>
#include <string_view>

namespace cardd::daemon {

enum class Level { debug, info, warn, error };

/// As docs/log-messages.md writes it.
constexpr std::string_view level_name(Level level) noexcept {
    switch (level) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "?";
}

struct Message {
    std::string_view id;
    Level level;
    std::string_view meaning;
    std::string_view action;  ///< what to do; empty when nothing is needed
};

namespace msg {
inline constexpr Message started{"CARDD_STARTED", Level::info, "cardd is serving its control socket", ""};
inline constexpr Message stopping{"CARDD_STOPPING", Level::info, "SIGTERM or SIGINT received; shutting down", ""};
inline constexpr Message reloaded{"CARDD_CONFIG_RELOADED", Level::info,
                                  "SIGHUP: cardd.conf read again; the log level and role groups now apply",
                                  "settings such as the database or socket need a restart"};
inline constexpr Message reload_failed{"CARDD_CONFIG_RELOAD_FAILED", Level::error,
                                       "SIGHUP: cardd.conf has an error; the old settings stay",
                                       "fix the file, send SIGHUP again"};
inline constexpr Message store_opened{"CARDD_STORE_OPENED", Level::info,
                                      "the database is open and migrated to the schema version shown", ""};
inline constexpr Message store_unreachable{
    "CARDD_STORE_UNREACHABLE", Level::error,
    "the MariaDB server stopped answering (restarted, crashed, network cut); logged once when cardd finds the session "
    "lost. Every request that needs the database fails until it is back, saying so; a card write in flight stays "
    "pending",
    "bring the database back; cardd connects again by itself at the next request, no restart needed (docs/store.md, "
    "\"When the database is away\")"};
inline constexpr Message store_reconnected{
    "CARDD_STORE_RECONNECTED", Level::info,
    "cardd made a new session with the database server after losing it; requests work again",
    "`cardctl pending` lists card writes the outage left open: place those cards on an encoder"};
inline constexpr Message store_backup{"CARDD_STORE_BACKUP", Level::info,
                                      "a backup of the SQLite store was written (cardctl backup) and checked: "
                                      "SQLite's integrity check and the store's invariants hold in the copy",
                                      ""};
inline constexpr Message store_backup_failed{
    "CARDD_STORE_BACKUP_FAILED", Level::warn,
    "a backup of the SQLite store failed, or the copy failed its check; the store itself is unchanged",
    "read the error: an unwritable directory or a full disk there; a copy that fails its check is kept for "
    "inspection but must not be restored"};
inline constexpr Message command_denied{"CARDD_COMMAND_DENIED", Level::warn,
                                        "a caller asked for a command its role does not allow",
                                        "add the user to the right group, or ask an administrator"};
inline constexpr Message command_failed{"CARDD_COMMAND_FAILED", Level::error,
                                        "a command failed unexpectedly; the caller got the reason",
                                        "look at the error text; a database error may need attention"};
inline constexpr Message command_done{"CARDD_COMMAND", Level::info, "a command that changes state was executed", ""};
inline constexpr Message client_dropped{
    "CARDD_CLIENT_DROPPED", Level::info,
    "a control connection was closed: its line passed 1 MiB, or it sent no complete line for 30 s", ""};
inline constexpr Message push_ok{"CARDD_PUSH_OK", Level::info,
                                 "a terminal now enforces the blacklist the store planned for it", ""};
inline constexpr Message push_failed{
    "CARDD_PUSH_FAILED", Level::warn,
    "a terminal could not be brought level; it is in the retry queue (`cardctl failed`)",
    "check the terminal's power, cable or network; `cardctl resync --failed` retries at once"};
inline constexpr Message full_sync{"CARDD_FULL_SYNC", Level::info,
                                   "a terminal's blacklist is being replaced whole: its version was unknown, it was "
                                   "far behind, or its checksum disagreed",
                                   "nothing, unless it repeats for one terminal"};
inline constexpr Message retry_scheduled{
    "CARDD_RETRY_SCHEDULED", Level::info,
    "a failed terminal will be tried again in the time shown (exponential backoff with jitter, capped)", ""};
inline constexpr Message collect_ok{"CARDD_COLLECT_OK", Level::info, "transaction records were stored and acknowledged",
                                    ""};
inline constexpr Message collect_failed{"CARDD_COLLECT_FAILED", Level::warn,
                                        "records could not be collected from a terminal; they stay on it",
                                        "check the terminal; the next collection reads them"};
inline constexpr Message master_key_created{
    "CARDD_MASTER_KEY_CREATED", Level::warn,
    "no master key file existed, so 16 random bytes were written to the path shown (mode 0600)",
    "back the file up somewhere safe now: without it no card written from now on can be read or changed"};
inline constexpr Message card_intent_opened{"CARDD_CARD_INTENT_OPENED", Level::info,
                                            "a card write's intent was committed to the journal (write id, kind, card, "
                                            "chip, encoder); the card is being written",
                                            ""};
inline constexpr Message card_written{"CARDD_CARD_WRITTEN", Level::info,
                                      "a card on an encoder was written and read back, and its store change applied "
                                      "(issue, top-up, replacement, close, return, initialisation)",
                                      ""};
inline constexpr Message card_write_failed{
    "CARDD_CARD_WRITE_FAILED", Level::warn,
    "a card write failed (card taken away, wrong key, card refused); when the card is still on the encoder it is read "
    "at once to see whether any of the write reached it",
    "place the card again and repeat; `cardctl card read` shows what the card holds"};
inline constexpr Message card_write_pending{
    "CARDD_CARD_WRITE_PENDING", Level::warn,
    "a card write is unresolved: the card left in the middle of it, the database could not record it, or cardd stopped "
    "with it open (logged for each open write at start). Its store change is not counted in any balance, and the card "
    "accepts no other write until it is settled",
    "place the card on an encoder (`cardctl card read`, or any card command): the card's counter and sectors decide. "
    "`cardctl pending` lists the open writes with their age; a card spent at terminals since is settled when its "
    "records are collected"};
inline constexpr Message card_write_settled{
    "CARDD_CARD_WRITE_SETTLED", Level::info,
    "an unresolved card write was settled: the card held the write (its store change is applied, a torn write was "
    "finished first) or held what it had before (the intent is dropped)",
    ""};
inline constexpr Message collect_not_stored{"CARDD_COLLECT_NOT_STORED", Level::error,
                                            "records read from a terminal could not be stored (the database failed); "
                                            "they were not acknowledged and stay on the terminal",
                                            "see why the database failed (`CARDD_STORE_UNREACHABLE`, a full disk); the "
                                            "next collection reads them again, and each is counted once"};
inline constexpr Message card_apply_failed{
    "CARDD_CARD_APPLY_FAILED", Level::error,
    "a card was written and read back, but the database could not record its change; the write stays pending (`cardctl "
    "pending`) and counts in no balance",
    "once the database works again, place the card on an encoder (`cardctl card read`): the write is settled from the "
    "card"};
inline constexpr Message encoder_shelf_unreadable{
    "CARDD_ENCODER_SHELF_UNREADABLE", Level::warn,
    "the simulated encoder's file of virtual cards could not be read; the simulator starts with none",
    "delete the file named, or restore it"};
inline constexpr Message push_not_recorded{
    "CARDD_PUSH_NOT_RECORDED", Level::error,
    "a terminal was reached, but the database could not record what it confirmed or why it failed",
    "see why the database failed (`CARDD_STORE_UNREACHABLE`, a full disk); the next audit reads the terminal again and "
    "records it"};

inline constexpr const Message* catalogue[] = {&started,
                                               &stopping,
                                               &reloaded,
                                               &reload_failed,
                                               &store_opened,
                                               &store_unreachable,
                                               &store_reconnected,
                                               &store_backup,
                                               &store_backup_failed,
                                               &command_denied,
                                               &command_failed,
                                               &command_done,
                                               &client_dropped,
                                               &push_ok,
                                               &push_failed,
                                               &full_sync,
                                               &retry_scheduled,
                                               &collect_ok,
                                               &collect_failed,
                                               &master_key_created,
                                               &card_intent_opened,
                                               &card_written,
                                               &card_write_failed,
                                               &card_write_pending,
                                               &card_write_settled,
                                               &collect_not_stored,
                                               &card_apply_failed,
                                               &encoder_shelf_unreadable,
                                               &push_not_recorded};
}  // namespace msg

/// The table of docs/log-messages.md, header included.
std::string catalogue_markdown();

}  // namespace cardd::daemon
